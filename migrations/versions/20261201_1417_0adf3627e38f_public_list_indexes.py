"""indexes for the public meeting list and the action tracker

The upcoming list and the archive walk meetings in start order from now (bounded by MAX_MEETING_SPAN),
and the tracker lists action items by due date; without these the database read and sorted every
meeting and every item on each page view.

Revision ID: 0adf3627e38f
Revises: 90568320a22b
Create Date: 2026-12-01 14:17:32.782427+00:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0adf3627e38f'
down_revision = '90568320a22b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_meetings_starts_at_id', 'meetings', ['starts_at', 'id'], unique=False)
    op.create_index('ix_action_items_due_on_id', 'action_items', ['due_on', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_action_items_due_on_id', table_name='action_items')
    op.drop_index('ix_meetings_starts_at_id', table_name='meetings')
