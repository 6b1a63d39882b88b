"""Private-link tokens never reach a log line."""
import logging

from app.logs import RedactTokens, redact


def test_tokens_in_request_lines_are_redacted():
    line = '127.0.0.1 - - "GET /registrations/AbCdEfGhIjKlMnOpQrStUvWxYz012345/ticket.pdf HTTP/1.1" 200 -'
    assert "AbCdEfGhIj" not in redact(line)
    assert "/registrations/[redacted]/ticket.pdf" in redact(line)


def test_the_werkzeug_logger_filters_tokens(app, caplog):
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s',
                               ("GET /registrations/secretsecretsecretsecret HTTP/1.1", "200"), None)
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("werkzeug").filters)
    RedactTokens().filter(record)
    assert "secretsecret" not in record.getMessage()


def test_a_served_private_page_logs_no_token(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    client.get("/registrations/ThisIsAVeryPrivateTokenValue123")
    assert "ThisIsAVeryPrivateTokenValue123" not in caplog.text

