"""Streaming CSV exports that open correctly in Excel and cannot smuggle formulas."""
from __future__ import annotations

import csv
import io
import re
from typing import Iterable, Iterator

from flask import Response, stream_with_context

from app.http import attachment_disposition

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Plain numbers and phone numbers ("+86 138 0013 8000", "-5") cannot run anything: keep them as they are.
_NUMBER_LIKE = re.compile(r"^[+-]?[\d][\d\s().-]*$")


def neutralise(value) -> str:
    """Text for a CSV cell: a leading = + - @ tab or CR is made inert with a leading apostrophe,
    unless the cell is just a number or phone number."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER_LIKE.match(text):
        return "'" + text
    return text


def iter_csv(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff"  # BOM: Excel then reads the file as UTF-8 and shows Chinese correctly
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        if buffer.tell() > 8192:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    response = Response(stream_with_context(iter_csv(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = attachment_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response
