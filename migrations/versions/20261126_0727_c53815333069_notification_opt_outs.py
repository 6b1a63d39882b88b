"""notification opt-outs

Revision ID: c53815333069
Revises: 924e73da74bc
Create Date: 2026-11-26 07:27:01.922083+00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c53815333069'
down_revision = '924e73da74bc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_opt_outs',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_notification_opt_outs_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_notification_opt_outs'))
    )


def downgrade():
    op.drop_table('notification_opt_outs')
