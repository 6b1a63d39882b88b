"""Checks for the other outputs that show user text: PDF, iCalendar, CSV, Atom and email."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import vobject
from icalendar import Calendar
from pypdf import PdfReader

from tests.injection.corpus import MARK
from tests.injection.pages import html_problems, squeeze

# ---------------------------------------------------------------------------- PDF


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)


def pdf_problems(body: bytes, base_url: str, literals: list[str] = ()) -> list[str]:
    """The PDF opens; ReportLab markup typed by users is shown as text, not applied: no link but the
    app's own, no image; `literals` (markup the page shows) appear as typed."""
    problems = []
    try:
        reader = PdfReader(io.BytesIO(body))
        text = "\n".join(page.extract_text() or "" for page in reader.pages) if literals else ""
        pages = list(reader.pages)
    except Exception as error:  # noqa: BLE001 -- any parser failure is the finding
        return [f"the PDF does not open: {error!r}"]
    for number, page in enumerate(pages, start=1):
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if not uri.startswith(base_url):
                problems.append(f"page {number}: a link to {uri!r}")
        xobjects = page["/Resources"].get("/XObject") if "/Resources" in page else None
        for name, xobject in (xobjects or {}).items():
            if xobject.get_object().get("/Subtype") == "/Image":
                problems.append(f"page {number}: an image {name}")
    flat = squeeze(text)
    for literal in literals:
        if squeeze(literal) not in flat:
            problems.append(f"the text {literal!r} is not shown as typed")
    return problems


# ---------------------------------------------------------------------------- iCalendar

CALENDAR_PROPERTIES = {"PRODID", "VERSION", "METHOD", "CALSCALE", "NAME", "X-WR-CALNAME", "UID", "REFRESH-INTERVAL",
                       "X-PUBLISHED-TTL"}
EVENT_PROPERTIES = {"UID", "DTSTAMP", "LAST-MODIFIED", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS",
                    "LOCATION", "URL", "DESCRIPTION", "CLASS"}
COMPONENTS = {"VCALENDAR", "VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT"}


def ics_problems(body: bytes, events: int | None = None) -> list[str]:
    """Both parsers read it; exactly `events` VEVENTs with distinct UIDs; only the properties the app
    writes (so no text became a property or a component)."""
    problems = []
    try:
        calendar = Calendar.from_ical(body)
    except Exception as error:  # noqa: BLE001
        return [f"icalendar cannot read it: {error!r}"]
    try:
        other = list(vobject.readComponents(body.decode("utf-8"), validate=True))
    except Exception as error:  # noqa: BLE001
        problems.append(f"vobject cannot read it: {error!r}")
        other = []
    if len(other) != 1 and not problems:
        problems.append(f"vobject reads {len(other)} calendars")
    found = [c for c in calendar.walk() if c.name == "VEVENT"]
    if events is not None and len(found) != events:
        problems.append(f"{len(found)} VEVENTs instead of {events}")
    uids = [str(event["UID"]) for event in found]
    if len(set(uids)) != len(uids):
        problems.append(f"repeated UIDs: {uids}")
    if other and len(other[0].contents.get("vevent", [])) != len(found):
        problems.append("the two parsers see different numbers of events")
    for component in calendar.walk():
        if component.name not in COMPONENTS:
            problems.append(f"a component {component.name}")
    unexpected = {key for key in calendar if key not in CALENDAR_PROPERTIES}
    for event in found:
        unexpected |= {key for key in event if key not in EVENT_PROPERTIES}
    if unexpected:
        problems.append(f"properties the app never writes: {sorted(unexpected)}")
    unfolded = re.sub(rb"\r\n[ \t]", b"", body)
    if re.search(rb"(?<!\r)\n|\r(?!\n)", unfolded):
        problems.append("a bare CR or LF in the file")
    return problems


def ics_summaries(body: bytes) -> list[str]:
    return [str(c["SUMMARY"]) for c in Calendar.from_ical(body).walk("VEVENT")]


# ---------------------------------------------------------------------------- CSV

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What a spreadsheet reads as a value, not a formula: a plain number, or a phone number in E.164 form.
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$|^\+\d{7,15}$")


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def csv_problems(body: bytes) -> list[str]:
    """No cell a spreadsheet would run as a formula; phone numbers stay numbers (+86...) as they are."""
    problems = []
    for row_number, row in enumerate(csv_rows(body), start=1):
        for cell in row:
            if cell.startswith(FORMULA_START) and not _NUMBER.match(cell):
                problems.append(f"row {row_number}: a cell starting a formula: {cell[:60]!r}")
    return problems


# ---------------------------------------------------------------------------- Atom

ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_ELEMENTS = {f"{ATOM}{name}" for name in ("feed", "entry", "id", "title", "subtitle", "updated", "link",
                                               "author", "name", "published", "category", "summary")}


def atom_problems(body: bytes) -> list[str]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    problems = [f"an element {element.tag}" for element in root.iter() if element.tag not in ATOM_ELEMENTS]
    problems += [f"an attribute {name}" for element in root.iter() for name in element.attrib if MARK in name]
    return problems


# ---------------------------------------------------------------------------- downloads


def download_name_problems(disposition: str) -> list[str]:
    """The file name a download is saved under: no control or invisible formatting character (a
    right-to-left override makes "x\u202efdp.exe" look like "xexe.pdf" in a file manager)."""
    problems = []
    for match in re.finditer(r"filename\*=UTF-8''([^;\s]+)|filename=\"([^\"]*)\"", disposition):
        name = unquote(match.group(1)) if match.group(1) else match.group(2)
        bad = sorted({f"U+{ord(ch):04X}" for ch in name if unicodedata.category(ch) in ("Cc", "Cf")})
        if bad:
            problems.append(f"the download name holds {', '.join(bad)}: {name[:60]!r}")
    return problems


# ---------------------------------------------------------------------------- email

MAIL_HEADERS = {"from", "to", "subject", "date", "message-id", "auto-submitted", "x-auto-response-suppress",
                "content-language", "mime-version", "content-type", "content-transfer-encoding"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def outbox_problems(message) -> list[str]:
    """A queued email: one-line subject and name, a safe HTML part."""
    problems = []
    where = f"email {message.dedupe_key}"
    for name, value in (("subject", message.subject), ("to_name", message.to_name or ""),
                        ("to_address", message.to_address)):
        if _CONTROL.search(value):
            problems.append(f"{where}: a control character in the {name}: {value[:80]!r}")
    if message.body_html:
        problems += [f"{where} (HTML part): {p}" for p in html_problems(message.body_html)]
    if message.ics:
        problems += [f"{where} (calendar): {p}" for p in ics_problems(message.ics.encode("utf-8"), events=1)]
    return problems


def delivery_problems(delivery, message) -> list[str]:
    """The message as the SMTP server received it: only the app's headers, one recipient, the subject
    and the addresses intact."""
    where = f"delivered {message.dedupe_key}"
    mime = delivery.message
    problems = []
    names = {key.lower() for key in mime}
    if names - MAIL_HEADERS:
        problems.append(f"{where}: extra headers {sorted(names - MAIL_HEADERS)}")
    for header in ("From", "To", "Subject", "Message-ID"):
        if len(mime.get_all(header) or []) != 1:
            problems.append(f"{where}: {len(mime.get_all(header) or [])} {header} headers")
    addresses = mime["To"].addresses if mime["To"] else ()
    if len(addresses) != 1 or addresses[0].addr_spec.lower() != message.to_address.lower():
        problems.append(f"{where}: To is {mime['To']!r}")
    if not addresses or delivery.rcpt_tos != [addresses[0].addr_spec]:
        problems.append(f"{where}: delivered to {delivery.rcpt_tos}")
    if " ".join(str(mime["Subject"]).split()) != " ".join(message.subject.split()):  # folding may add a space
        problems.append(f"{where}: the subject became {str(mime['Subject'])[:80]!r}")
    if len(mime["From"].addresses) != 1:
        problems.append(f"{where}: From is {mime['From']!r}")
    for part in mime.walk():
        if part.get_content_type() == "text/html":
            problems += [f"{where} (HTML part): {p}" for p in html_problems(part.get_content())]
    return problems
