"""HTTP helpers shared by downloads."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote


def attachment_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value valid for any filename (RFC 6266): an ASCII fallback plus filename*.

    Invisible formatting characters (bidi overrides, zero-width characters) are dropped: a
    right-to-left override in a title would make the saved file's name read backwards
    ("x\u202efdp.exe" shows as "xexe.pdf"). Controls, line separators, slashes and quotes become "_".
    """
    filename = unicodedata.normalize("NFC", filename)
    filename = "".join(ch for ch in filename if unicodedata.category(ch) != "Cf")
    filename = re.sub(r'[\x00-\x1f\x7f-\x9f\u2028\u2029/\\"]+', "_", filename).strip() or "download"
    fallback = filename.encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback).strip("_") or "download"
    if "." in filename and "." not in fallback:
        fallback += "." + filename.rsplit(".", 1)[-1].encode("ascii", "ignore").decode("ascii")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
