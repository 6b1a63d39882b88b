"""HTTP helpers shared by downloads."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote


def attachment_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value valid for any filename (RFC 6266): an ASCII fallback plus filename*."""
    filename = unicodedata.normalize("NFC", filename)
    filename = re.sub(r'[\x00-\x1f\x7f/\\"]+', "_", filename).strip() or "download"
    fallback = filename.encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback).strip("_") or "download"
    if "." in filename and "." not in fallback:
        fallback += "." + filename.rsplit(".", 1)[-1].encode("ascii", "ignore").decode("ascii")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
