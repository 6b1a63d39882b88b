"""Building MIME messages from outbox rows, and the transports that deliver them.

- `clean_header(value)` turns any text into one safe header line (no CR, LF or other control characters).
- `build_message(message, sender=..., now=...)` returns an `email.message.EmailMessage` with the row's
  private links restored (app/notify/private.py): UTF-8 and
  7-bit clean (RFC 2047 headers, base64 bodies), multipart/alternative when there is HTML, an
  optional text/calendar attachment, the row's stable Message-ID, Date, `Auto-Submitted:
  auto-generated`. Headers are set through `email.headerregistry`, so a display name or subject
  can never add a header or a recipient.
- `transport_from_config(config)` returns the transport named by MAIL_BACKEND: `SMTPTransport`
  (smtplib, optional STARTTLS or implicit TLS, login) or `ConsoleTransport` (prints the message).
  A transport is used for one batch (`with transport: transport.send(...)`) and keeps one SMTP
  connection open for it.
- `classify_error(exc)` sorts delivery errors: whether the server itself is unusable (stop the batch)
  and whether retrying can ever help; `describe_error(exc)` is the short text stored in `last_error`.
"""
from __future__ import annotations

import re
import smtplib
import ssl
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol

from app.notify.models import OutboxMessage
from app.notify.private import PrivateLinksUnreadable, reveal

# C0 and C1 controls (CR, LF, TAB, NUL, NEL...) and the Unicode line and paragraph separators.
_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_IN_ADDRESS = re.compile(r"[\s<>,;\"()\[\]\\]")
CONTENT_LANGUAGES = {"zh_CN": "zh-Hans", "en": "en"}
ICS_FILENAME = "invitation.ics"


class MailConfigError(RuntimeError):
    """The mail settings cannot work (no valid sender, TLS and SSL both on, unknown backend)."""


def clean_header(value: str | None, max_length: int | None = None) -> str:
    """One line of header text: control and line-break characters become spaces, runs of
    whitespace collapse to one space, and text longer than `max_length` is cut with an ellipsis."""
    if not value:
        return ""
    text = " ".join(_UNSAFE_IN_HEADER.sub(" ", value).split())
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def check_address(value: str) -> str:
    """Return the address stripped, or raise ValueError if it cannot be a single mailbox.

    Only structure is checked here (forms validate addresses properly); whatever passes and still
    cannot be encoded fails permanently at send time instead of breaking the caller's transaction.
    """
    address = (value or "").strip()
    if (not address or len(address) > 254 or "@" not in address
            or _UNSAFE_IN_HEADER.search(address) or _NOT_IN_ADDRESS.search(address)):
        raise ValueError("not a single email address")
    return address


def ascii_address(value: str) -> str:
    """The address with an internationalised domain in its ASCII (IDNA) form, so that no message
    needs SMTPUTF8. A non-ASCII local part stays as it is and is refused when the message is built."""
    local, _at, domain = check_address(value).rpartition("@")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def parse_sender(value: str | None) -> Address:
    """MAIL_DEFAULT_SENDER ('Name <addr>' or 'addr') as an Address; MailConfigError if unusable."""
    name, addr = parseaddr(value or "")
    try:
        return Address(display_name=clean_header(name), addr_spec=check_address(addr))
    except (ValueError, MessageError):
        raise MailConfigError("MAIL_DEFAULT_SENDER is not a valid address") from None


def new_message_id(domain: str) -> str:
    """A globally unique Message-ID, chosen once per outbox row."""
    return f"<{uuid.uuid4().hex}@{domain}>"


def build_message(message: OutboxMessage, *, sender: Address, now: datetime) -> EmailMessage:
    """The MIME message for an outbox row, its private links restored (app/notify/private.py). Raises
    ValueError (or an email.errors exception) if the recipient cannot be encoded or the private links
    cannot be decrypted, which the sender treats as a permanent failure.
    The envelope recipient is `mime["To"].addresses[0].addr_spec`."""
    parts = reveal(message)  # the private links go back in only here, at send time
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = Address(display_name=clean_header(message.to_name), addr_spec=ascii_address(message.to_address))
    mime["Subject"] = clean_header(parts.subject)
    mime["Date"] = format_datetime(now)
    mime["Message-ID"] = clean_header(message.message_id)
    mime["Auto-Submitted"] = "auto-generated"
    mime["X-Auto-Response-Suppress"] = "All"
    mime.set_content(parts.text, charset="utf-8", cte=_transfer_encoding(parts.text))
    if parts.html:
        mime.add_alternative(parts.html, subtype="html", charset="utf-8", cte=_transfer_encoding(parts.html))
    if parts.ics:
        mime.add_attachment(parts.ics, subtype="calendar", charset="utf-8", filename=ICS_FILENAME,
                            cte=_transfer_encoding(parts.ics), params={"method": "PUBLISH"})
    # Set last: turning the message multipart moves every Content-* header into the first part.
    mime["Content-Language"] = CONTENT_LANGUAGES.get(message.language, "zh-Hans")
    return mime


def _transfer_encoding(text: str) -> str | None:
    """base64 for non-ASCII text, so that the message is 7-bit clean and needs no 8BITMIME from the
    server; None (7bit, or quoted-printable for long lines) for ASCII."""
    return None if text.isascii() else "base64"


# ---------------------------------------------------------------------------- errors

_MESSAGE_PROBLEMS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)
SERVICE_CLOSING = 421  # RFC 5321: service not available, closing transmission channel


@dataclass(frozen=True)
class ErrorKind:
    server_unusable: bool  # the next messages would fail the same way: stop the batch
    permanent: bool        # retrying this message cannot help: mark it failed now


def classify_error(exc: BaseException) -> ErrorKind:
    """Server trouble (refused connection, timeout, TLS, login, sender refused, a 421 "closing
    transmission channel" reply) stops the batch and is retried later. A 5xx reply about this message
    or recipient, or a message that cannot be built, is permanent; another 4xx reply is temporary."""
    if isinstance(exc, (ValueError, MessageError)):
        return ErrorKind(server_unusable=False, permanent=True)
    if isinstance(exc, _MESSAGE_PROBLEMS):
        codes = _reply_codes(exc)
        if SERVICE_CLOSING in codes:  # about the server, not this message: the next ones would meet it too
            return ErrorKind(server_unusable=True, permanent=False)
        return ErrorKind(server_unusable=False, permanent=bool(codes) and all(code >= 500 for code in codes))
    # Anything else (refused connection, timeout, disconnect, TLS, login, sender refused, STARTTLS
    # not offered, surprises) is the server's or the network's problem: stop the batch and retry
    # later rather than use up every message's attempts.
    return ErrorKind(server_unusable=True, permanent=False)


def _reply_codes(exc: BaseException) -> list[int]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return [code for code, _reply in exc.recipients.values()]
    code = getattr(exc, "smtp_code", None)
    return [code] if isinstance(code, int) else []


def describe_error(exc: BaseException, max_length: int = 300) -> str:
    """'<ExceptionClass>: <short reason>' for `last_error`. SMTP replies are reduced to their code
    and text, so neither the recipient's address nor any of the body ends up in the row."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{code} {_reply_text(reply)}" for code, reply in exc.recipients.values())
    elif isinstance(exc, smtplib.SMTPResponseException):
        detail = f"{exc.smtp_code} {_reply_text(exc.smtp_error)}"
    elif isinstance(exc, PrivateLinksUnreadable):
        detail = "its private links cannot be decrypted (was SECRET_KEY changed?)"
    elif isinstance(exc, (ValueError, MessageError)):
        detail = "the message could not be built (invalid address or header)"
    else:
        detail = str(exc)
    return clean_header(f"{type(exc).__name__}: {detail}", max_length)


def _reply_text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


# ---------------------------------------------------------------------------- transports

class Transport(Protocol):
    def send(self, mime: EmailMessage, *, sender: Address, recipient: str) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Transport: ...

    def __exit__(self, *exc_info) -> None: ...


class _TransportBase:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        pass


class SMTPTransport(_TransportBase):
    """Delivers through one SMTP connection per batch, opened on the first message.

    The envelope recipient is always exactly the row's address, whatever the headers say.
    After any error the connection is dropped, so the next message starts afresh.
    """

    def __init__(self, *, host: str, port: int, use_tls: bool, use_ssl: bool, username: str | None,
                 password: str | None, timeout: float) -> None:
        if use_tls and use_ssl:
            raise MailConfigError("MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL cannot both be on")
        self.host, self.port, self.timeout = host, port, timeout
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, mime: EmailMessage, *, sender: Address, recipient: str) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(mime, from_addr=sender.addr_spec, to_addrs=[recipient])
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


class ConsoleTransport(_TransportBase):
    """Development backend: prints a readable copy of each message to stdout and sends nothing."""

    def send(self, mime: EmailMessage, *, sender: Address, recipient: str) -> None:
        out = sys.stdout
        lines = ["-" * 20 + " email (console backend, not sent) " + "-" * 20]
        for name in ("From", "To", "Subject", "Date", "Message-ID"):
            lines.append(f"{name}: {mime[name]}")
        lines.append(f"Envelope-To: {recipient}")
        lines.append("")
        lines.append(mime.get_body(preferencelist=("plain",)).get_content().rstrip("\n"))
        html = mime.get_body(preferencelist=("html",))
        if html is not None:
            lines.append(f"[HTML part: {len(html.get_content())} characters]")
        for attachment in mime.iter_attachments():
            lines.append(f"[attachment: {attachment.get_filename()} ({attachment.get_content_type()})]")
        lines.append("-" * 75)
        out.write("\n".join(lines) + "\n")
        out.flush()


BACKENDS = ("smtp", "console")


def transport_from_config(config) -> Transport:
    backend = (config.get("MAIL_BACKEND") or "console").lower()
    if backend == "console":
        return ConsoleTransport()
    if backend == "smtp":
        return SMTPTransport(
            host=config.get("MAIL_SERVER") or "localhost",
            port=int(config.get("MAIL_PORT") or 25),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            timeout=float(config.get("MAIL_TIMEOUT") or 10),
        )
    raise MailConfigError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}")
