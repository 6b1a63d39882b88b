"""flask outbox send | status | retry-failed."""
from __future__ import annotations

from app.extensions import db
from app.notify.models import OutboxStatus
from tests.notify.conftest import SMTPServer
from tests.notify.helpers import all_messages, queue


def test_send_prints_each_message_and_a_summary(smtp_app, smtp_server, runner):
    first, second = queue(to="a@example.com"), queue(to="b@example.com")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert f"#{first.id} sent" in result.output and f"#{second.id} sent" in result.output
    assert "Outbox: sent 2, failed 0 (gave up 0), remaining 0" in result.output
    assert "a@example.com" not in result.output  # no addresses in the terminal (or its logs)
    assert len(smtp_server.deliveries) == 2


def test_send_exits_non_zero_when_the_server_is_down(app, runner):
    app.config.update(MAIL_BACKEND="smtp", MAIL_PORT=SMTPServer().port)
    message = queue()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert f"#{message.id} attempt 1 failed, next try at" in result.output
    assert "stopped early: ConnectionRefusedError" in result.output
    assert all_messages()[0].status == OutboxStatus.PENDING


def test_send_reports_impossible_settings(app, runner):
    app.config["MAIL_DEFAULT_SENDER"] = ""
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code != 0
    assert "MAIL_DEFAULT_SENDER" in result.output


def test_send_with_the_console_backend_prints_the_message(app, runner):
    queue(subject="控制台测试", text="正文\n")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Subject: 控制台测试" in result.output and "正文" in result.output


def test_status_counts_each_state_and_lists_failed_messages(app, runner):
    queue(), queue()
    failed = queue(dedupe_key="minutes-3-published")
    failed.status, failed.attempts, failed.last_error = OutboxStatus.FAILED, 12, "SMTPDataError: 452 full"
    db.session.commit()
    result = runner.invoke(args=["outbox", "status", "--failed"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "pending\t2" in lines and "sent\t0" in lines and "failed\t1" in lines and "due now\t2" in lines
    assert any(line.startswith(f"#{failed.id}\t") and "minutes-3-published" in line and "452 full" in line
               for line in lines)


def test_retry_failed_requeues(app, runner):
    message = queue()
    message.status = OutboxStatus.FAILED
    db.session.commit()
    result = runner.invoke(args=["outbox", "retry-failed"])
    assert result.exit_code == 0
    assert "Requeued 1 message(s)." in result.output
    assert all_messages()[0].status == OutboxStatus.PENDING


def test_send_loop_keeps_going_until_interrupted(smtp_app, smtp_server, runner, monkeypatch):
    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 1:
            queue(subject="arrived while waiting")
            return
        raise KeyboardInterrupt

    monkeypatch.setattr("app.notify.cli.time.sleep", nap)
    queue(subject="first")
    result = runner.invoke(args=["outbox", "send", "--loop", "--interval", "7"])
    assert result.exit_code == 0, result.output
    assert naps == [7, 7]
    assert result.output.count("Outbox: sent 1,") == 2 and result.output.endswith("Stopped.\n")
    assert [d.message["Subject"] for d in smtp_server.deliveries] == ["first", "arrived while waiting"]
