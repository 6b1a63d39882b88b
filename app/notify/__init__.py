"""The email outbox: emails are queued in the same transaction as the change they report and sent
afterwards by `flask outbox send`, so a failed transaction sends nothing and a failed send loses nothing.

- models.py     OutboxMessage (table outbox_messages), OutboxStatus (pending / sent / failed)
- services.py   queue_email, render_email, send_due, retry_failed (the public API, documented there)
- rendering.py  render_email and the template contract for templates/email/<domain>/<name>.{txt,html}
- mailer.py     MIME building (header-injection safe), SMTP and console transports
- private.py    private-link tokens kept out of the stored rows (encrypted until sent, then deleted)
- queries.py    count_by_status, count_due, list_failed
- cli.py        flask outbox send | status | retry-failed
"""
