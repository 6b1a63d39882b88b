"""outbox private values: private-link tokens are stored encrypted until sent

Revision ID: a120b27d734a
Revises: 3a2c5469fa3b
Create Date: 2026-12-01 14:17:46.773971+00:00

Messages sent before this revision kept their private links (manage, follow, follower, unsubscribe
tokens) in the clear in their bodies: the upgrade removes those tokens from sent rows. Pending and
failed rows keep theirs, or they would be delivered with dead links.
"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a120b27d734a'
down_revision = '3a2c5469fa3b'
branch_labels = None
depends_on = None

_PRIVATE_LINK = re.compile(r"(/registrations/|/questions/t/|/actions/f/|/actions/unsubscribe/|/actions/\d+/follow/"
                           r"|/notifications/unsubscribe/)[A-Za-z0-9_.~=-]{16,}")


def _scrub(text):
    return _PRIVATE_LINK.sub(r"\1[removed]", text) if text else text


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_values', sa.Text(), nullable=True))

    outbox = sa.table('outbox_messages', sa.column('id', sa.Integer), sa.column('status', sa.String),
                      sa.column('body_text', sa.Text), sa.column('body_html', sa.Text))
    connection = op.get_bind()
    last_id = 0
    while True:  # in batches, so a large outbox is never loaded at once
        rows = connection.execute(
            sa.select(outbox.c.id, outbox.c.body_text, outbox.c.body_html)
            .where(outbox.c.status == 'sent', outbox.c.id > last_id).order_by(outbox.c.id).limit(500)).all()
        if not rows:
            break
        for row_id, text, html in rows:
            clean_text, clean_html = _scrub(text), _scrub(html)
            if (clean_text, clean_html) != (text, html):
                connection.execute(sa.update(outbox).where(outbox.c.id == row_id)
                                   .values(body_text=clean_text, body_html=clean_html))
        last_id = rows[-1][0]


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('private_values')
