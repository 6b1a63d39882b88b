"""Logging that never writes private-link tokens: access-log lines are redacted before they are written."""
from __future__ import annotations

import logging
import re

# Private links: /registrations/<token>... and /questions/t/<token>... (a question's follow link).
_TOKEN_PATH = re.compile(r"(/registrations/|/questions/t/)[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments so no token reaches any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def show_library_warnings() -> None:
    """Flask-Limiter logs "Rate limit storage unreachable - falling back to in-memory storage" to its own
    logger, which carries a NullHandler: when nothing configured the root logger (gunicorn does not), the
    warning was dropped. Give it Flask's handler (stderr, which gunicorn writes to its error log) then."""
    from flask.logging import default_handler

    logger = logging.getLogger("flask-limiter")
    has_output = any(not isinstance(h, logging.NullHandler) for h in logger.handlers)
    if not has_output and not logging.getLogger().handlers:
        logger.addHandler(default_handler)


def install_redaction() -> None:
    """Attach the filter to the loggers that print request lines (werkzeug's dev server, gunicorn)."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", "flask.app", "app"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


try:  # gunicorn is a production dependency, but the app must import without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:
    class GunicornLogger(_GunicornLogger):
        """`gunicorn --logger-class app.logs.GunicornLogger`: access lines without tokens."""

        def access(self, resp, req, environ, request_time):
            environ = dict(environ)
            for key in ("PATH_INFO", "RAW_URI", "REQUEST_URI"):
                if key in environ and isinstance(environ[key], str):
                    environ[key] = redact(environ[key])
            if hasattr(req, "path"):
                req.path = redact(req.path)
            if hasattr(req, "uri"):
                req.uri = redact(req.uri)
            super().access(resp, req, environ, request_time)
