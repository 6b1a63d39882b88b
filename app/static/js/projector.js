// The projector screen reloads itself every few seconds so the room sees the current question.
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = parseInt(script && script.getAttribute("data-refresh-seconds"), 10);
  if (!seconds || seconds < 1) {
    return;
  }
  window.setTimeout(function () {
    window.location.reload();
  }, seconds * 1000);
}());
