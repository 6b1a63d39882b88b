"""action items

Revision ID: 90568320a22b
Revises: c53815333069
Create Date: 2026-11-26 07:34:33.783243+00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '90568320a22b'
down_revision = 'c53815333069'
branch_labels = None
depends_on = None


# The append-only triggers of app/actions/triggers.py, copied (migrations do not import app code).
SQLITE_CREATE = (
    "CREATE TRIGGER action_updates_no_update BEFORE UPDATE ON action_updates FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'action_updates are append-only'); END",
    "CREATE TRIGGER action_updates_no_delete BEFORE DELETE ON action_updates FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'action_updates are append-only'); END",
    "CREATE TRIGGER action_due_changes_no_update BEFORE UPDATE ON action_due_changes FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'action_due_changes are append-only'); END",
    "CREATE TRIGGER action_due_changes_no_delete BEFORE DELETE ON action_due_changes FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'action_due_changes are append-only'); END",
)
SQLITE_DROP = (
    'DROP TRIGGER IF EXISTS action_updates_no_update',
    'DROP TRIGGER IF EXISTS action_updates_no_delete',
    'DROP TRIGGER IF EXISTS action_due_changes_no_update',
    'DROP TRIGGER IF EXISTS action_due_changes_no_delete',
)
POSTGRESQL_CREATE = (
    "CREATE OR REPLACE FUNCTION action_append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',\n    MESSAGE = TG_TABLE_NAME || ' are append-only';\nEND;\n$$",
    'CREATE TRIGGER action_updates_append_only BEFORE UPDATE OR DELETE ON action_updates FOR EACH ROW EXECUTE FUNCTION action_append_only_guard()',
    'CREATE TRIGGER action_due_changes_append_only BEFORE UPDATE OR DELETE ON action_due_changes FOR EACH ROW EXECUTE FUNCTION action_append_only_guard()',
)
POSTGRESQL_DROP = (
    'DROP TRIGGER IF EXISTS action_updates_append_only ON action_updates',
    'DROP TRIGGER IF EXISTS action_due_changes_append_only ON action_due_changes',
    'DROP FUNCTION IF EXISTS action_append_only_guard()',
)
CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}


def upgrade():
    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=4000), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.Enum('direct', 'question', 'minutes', name='action_source', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('minutes_version_id', sa.Integer(), nullable=True),
    sa.Column('minutes_ref', sa.String(length=20), nullable=True),
    sa.Column('source_text', sa.String(length=4000), nullable=False),
    sa.Column('priority', sa.Enum('low', 'normal', 'high', name='action_priority', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'cannot_resolve', name='action_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('original_due_on', sa.Date(), nullable=False),
    sa.Column('resolution', sa.String(length=4000), nullable=False),
    sa.Column('alternative_plan', sa.String(length=4000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('last_update_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("source != 'minutes' OR (minutes_version_id IS NOT NULL AND minutes_ref IS NOT NULL)", name=op.f('ck_action_items_minutes_source_has_reference')),
    sa.CheckConstraint("source != 'question' OR question_id IS NOT NULL", name=op.f('ck_action_items_question_source_has_question')),
    sa.CheckConstraint("status != 'cannot_resolve' OR alternative_plan != ''", name=op.f('ck_action_items_cannot_resolve_has_plan')),
    sa.CheckConstraint("status NOT IN ('done', 'cannot_resolve') OR (resolution != '' AND closed_at IS NOT NULL)", name=op.f('ck_action_items_closed_has_resolution')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_action_items_created_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_action_items_department_id_departments')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_action_items_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['minutes_version_id'], ['minutes_versions.id'], name=op.f('fk_action_items_minutes_version_id_minutes_versions')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_action_items_question_id_questions')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_action_items_responsible_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items')),
    sa.UniqueConstraint('question_id', name=op.f('uq_action_items_question_id'))
    )
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_items_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_responsible_id'), ['responsible_id'], unique=False)
        batch_op.create_index('ix_action_items_status_due_on', ['status', 'due_on'], unique=False)

    op.create_table('action_due_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_item_id', sa.Integer(), nullable=False),
    sa.Column('previous_due_on', sa.Date(), nullable=False),
    sa.Column('new_due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("reason != ''", name=op.f('ck_action_due_changes_reason_not_empty')),
    sa.ForeignKeyConstraint(['action_item_id'], ['action_items.id'], name=op.f('fk_action_due_changes_action_item_id_action_items')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_action_due_changes_changed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_due_changes'))
    )
    with op.batch_alter_table('action_due_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_due_changes_action_item_id'), ['action_item_id'], unique=False)

    op.create_table('action_followers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_item_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('is_unsubscribed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_item_id'], ['action_items.id'], name=op.f('fk_action_followers_action_item_id_action_items')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_action_followers_question_id_questions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_action_followers_registration_id_registrations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_followers')),
    sa.UniqueConstraint('action_item_id', 'email', name=op.f('uq_action_followers_action_item_id_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_action_followers_token_hash'))
    )
    with op.batch_alter_table('action_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_followers_action_item_id'), ['action_item_id'], unique=False)

    op.create_table('action_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_item_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=4000), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("body != ''", name=op.f('ck_action_updates_body_not_empty')),
    sa.ForeignKeyConstraint(['action_item_id'], ['action_items.id'], name=op.f('fk_action_updates_action_item_id_action_items')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_action_updates_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_updates'))
    )
    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_updates_action_item_id'), ['action_item_id'], unique=False)

    op.create_table('action_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_item_id', sa.Integer(), nullable=False),
    sa.Column('follower_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Enum('satisfied', 'partly', 'not_satisfied', name='action_satisfaction', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_item_id'], ['action_items.id'], name=op.f('fk_action_ratings_action_item_id_action_items')),
    sa.ForeignKeyConstraint(['follower_id'], ['action_followers.id'], name=op.f('fk_action_ratings_follower_id_action_followers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_ratings')),
    sa.UniqueConstraint('follower_id', name=op.f('uq_action_ratings_follower_id'))
    )
    with op.batch_alter_table('action_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_ratings_action_item_id'), ['action_item_id'], unique=False)

    for statement in CREATE.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade():
    for statement in DROP.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    with op.batch_alter_table('action_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_ratings_action_item_id'))

    op.drop_table('action_ratings')
    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_updates_action_item_id'))

    op.drop_table('action_updates')
    with op.batch_alter_table('action_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_followers_action_item_id'))

    op.drop_table('action_followers')
    with op.batch_alter_table('action_due_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_due_changes_action_item_id'))

    op.drop_table('action_due_changes')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index('ix_action_items_status_due_on')
        batch_op.drop_index(batch_op.f('ix_action_items_responsible_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_department_id'))

    op.drop_table('action_items')
