/* Similar-question suggestions while a citizen types a question.
 *
 * Progressive enhancement only: without this script the ask form posts as usual and the server shows
 * the same suggestions on a confirm step. The server renders the suggestions (user text escaped
 * there), and this script puts that fragment under the question field.
 */
(function () {
  "use strict";

  var DELAY_MS = 400;
  var MIN_LENGTH = 2;  /* two Chinese characters already make a word (电梯) */

  function setUp(form) {
    var url = form.getAttribute("data-similar-url");
    var field = form.querySelector("textarea[name=body]");
    var box = form.querySelector("#similar-live");
    if (!url || !field || !box || !window.fetch) {
      return;
    }
    var timer = null;
    var lastText = "";
    var pending = null;

    function show(html) {
      box.innerHTML = html;
    }

    function lookUp() {
      var text = field.value.trim();
      if (text === lastText) {
        return;
      }
      lastText = text;
      if (text.length < MIN_LENGTH) {
        show("");
        return;
      }
      if (pending && pending.abort) {
        pending.abort();
      }
      pending = window.AbortController ? new AbortController() : null;
      var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(text.slice(0, 1000));
      fetch(address, {
        credentials: "same-origin",
        headers: { "Accept": "text/html" },
        signal: pending ? pending.signal : undefined
      }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        if (field.value.trim() === text) {
          show(html);
        }
      }).catch(function () {
        /* Suggestions are a help, not a requirement: on any failure the form still works. */
      });
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, DELAY_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form.ask-form[data-similar-url]");
    for (var i = 0; i < forms.length; i += 1) {
      setUp(forms[i]);
    }
  });
}());
