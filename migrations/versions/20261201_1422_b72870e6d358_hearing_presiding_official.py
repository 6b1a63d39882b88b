"""hearing presiding official: who alone may note a participant's refusal to sign the hearing record

Revision ID: b72870e6d358
Revises: eb3c18c18e5c
Create Date: 2026-12-01 14:22:51.960616+00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b72870e6d358'
down_revision = 'eb3c18c18e5c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hearing_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presiding_official_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_hearing_records_presiding_official_id_users'), 'users', ['presiding_official_id'], ['id'])


def downgrade():
    with op.batch_alter_table('hearing_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_hearing_records_presiding_official_id_users'), type_='foreignkey')
        batch_op.drop_column('presiding_official_id')
