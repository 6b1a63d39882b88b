"""page cache state: the version of the public data that cached public pages are checked against

Every committed write to a table a public page shows bumps the version (app/site/cache.py); a missing
row counts as version 0, so the table starts empty.

Revision ID: 3a2c5469fa3b
Revises: 0adf3627e38f
Create Date: 2026-12-01 14:19:52.526903+00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3a2c5469fa3b'
down_revision = '0adf3627e38f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_cache_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_cache_state'))
    )


def downgrade():
    op.drop_table('page_cache_state')
