"""meetings and accounts: the initial schema

Tables: departments, districts, outbox_messages, users, audit_events, meetings, agenda_items, meeting_hosts,
questions, registrations, question_followers, question_settings, question_votes.

Revision ID: 8df4c1e0fef4
Revises:
Create Date: 2026-11-26 06:50:36.162567+00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8df4c1e0fef4'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_departments_code'))
    )
    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('code', name=op.f('uq_districts_code'))
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('to_name', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('ics', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='outbox_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status != 'sent' OR sent_at IS NOT NULL", name=op.f('ck_outbox_messages_sent_has_sent_at')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_messages_attempts_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_messages_message_id'))
    )
    op.create_index('ix_outbox_messages_status_next_attempt_at', 'outbox_messages', ['status', 'next_attempt_at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'official', 'clerk', name='user_role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_users_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_index(op.f('ix_users_department_id'), 'users', ['department_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    op.create_index(op.f('ix_audit_events_actor_id'), 'audit_events', ['actor_id'], unique=False)
    op.create_index(op.f('ix_audit_events_created_at'), 'audit_events', ['created_at'], unique=False)
    op.create_index('ix_audit_events_object', 'audit_events', ['object_type', 'object_id'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('town_hall', 'hearing', 'community_visit', 'briefing', name='meeting_type', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'cancelled', name='meeting_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=4000), nullable=False),
    sa.Column('purpose', sa.String(length=4000), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('host_note', sa.String(length=300), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('venue_name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('registration_required', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('registration_opens_at', sa.DateTime(), nullable=True),
    sa.Column('registration_closes_at', sa.DateTime(), nullable=True),
    sa.Column('seats_taken', sa.Integer(), server_default='0', nullable=False),
    sa.Column('queue_counter', sa.Integer(), server_default='0', nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('notice_profile', sa.String(length=20), nullable=True),
    sa.Column('short_notice_reason', sa.String(length=500), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=True),
    sa.Column('rescheduled_at', sa.DateTime(), nullable=True),
    sa.Column('reschedule_reason', sa.String(length=500), nullable=True),
    sa.Column('previous_starts_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_meetings_capacity_not_negative')),
    sa.CheckConstraint('capacity IS NULL OR seats_taken <= capacity', name=op.f('ck_meetings_seats_within_capacity')),
    sa.CheckConstraint('ends_at IS NULL OR starts_at < ends_at', name=op.f('ck_meetings_starts_before_ends')),
    sa.CheckConstraint('seats_taken >= 0', name=op.f('ck_meetings_seats_taken_not_negative')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_meetings_sequence_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meetings_created_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_meetings_department_id_departments')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_meetings_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    op.create_index(op.f('ix_meetings_created_by_id'), 'meetings', ['created_by_id'], unique=False)
    op.create_index(op.f('ix_meetings_department_id'), 'meetings', ['department_id'], unique=False)
    op.create_index(op.f('ix_meetings_district_id'), 'meetings', ['district_id'], unique=False)
    op.create_index('ix_meetings_status_starts_at', 'meetings', ['status', 'starts_at'], unique=False)

    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('presenter', sa.String(length=100), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.CheckConstraint('duration_minutes IS NULL OR duration_minutes >= 0', name=op.f('ck_agenda_items_duration_not_negative')),
    sa.CheckConstraint('position >= 1', name=op.f('ck_agenda_items_position_positive')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_agenda_items_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items')),
    sa.UniqueConstraint('meeting_id', 'position', name=op.f('uq_agenda_items_meeting_id_position'))
    )
    op.create_table('meeting_hosts',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_hosts_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_hosts_user_id_users')),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_meeting_hosts'))
    )
    op.create_index(op.f('ix_meeting_hosts_user_id'), 'meeting_hosts', ['user_id'], unique=False)

    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=1000), nullable=False),
    sa.Column('topic', sa.Enum('housing', 'transport', 'environment', 'urban_management', 'public_safety', 'health', 'education', 'social_welfare', 'jobs_business', 'other', name='question_topic', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('channel', sa.Enum('web', 'hotline', 'email', 'letter', 'in_person', name='question_channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', 'merged', name='question_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('asker_name', sa.String(length=100), nullable=False),
    sa.Column('is_anonymous', sa.Boolean(), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_mobile', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('submission_hash', sa.String(length=64), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('vote_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('moderated_at', sa.DateTime(), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('rejection_reason', sa.String(length=1000), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.Column('answering_started_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.Enum('answered_live', 'answered', 'referred', 'action', 'declined', 'cannot_solve_now', name='question_outcome', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('outcome_at', sa.DateTime(), nullable=True),
    sa.Column('outcome_by_id', sa.Integer(), nullable=True),
    sa.Column('response', sa.String(length=4000), nullable=False),
    sa.Column('outcome_reason', sa.String(length=1000), nullable=False),
    sa.Column('outcome_plan', sa.String(length=1000), nullable=False),
    sa.Column('referred_department_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome NOT IN ('declined', 'cannot_solve_now') OR (outcome_reason != '' AND outcome_plan != '')", name=op.f('ck_questions_declined_has_reason_and_plan')),
    sa.CheckConstraint("status != 'merged' OR merged_into_id IS NOT NULL", name=op.f('ck_questions_merged_has_target')),
    sa.CheckConstraint("status != 'rejected' OR rejection_reason IS NOT NULL", name=op.f('ck_questions_rejected_has_reason')),
    sa.CheckConstraint('merged_into_id IS NULL OR merged_into_id != id', name=op.f('ck_questions_not_merged_into_itself')),
    sa.CheckConstraint('outcome IS NULL OR outcome_at IS NOT NULL', name=op.f('ck_questions_outcome_has_time')),
    sa.CheckConstraint('vote_count >= 0', name=op.f('ck_questions_vote_count_not_negative')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_questions_entered_by_id_users')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_questions_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['questions.id'], name=op.f('fk_questions_merged_into_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_questions_moderated_by_id_users')),
    sa.ForeignKeyConstraint(['outcome_by_id'], ['users.id'], name=op.f('fk_questions_outcome_by_id_users')),
    sa.ForeignKeyConstraint(['referred_department_id'], ['departments.id'], name=op.f('fk_questions_referred_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
    sa.UniqueConstraint('submission_hash', name=op.f('uq_questions_submission_hash'))
    )
    op.create_index(op.f('ix_questions_meeting_id'), 'questions', ['meeting_id'], unique=False)
    op.create_index('ix_questions_meeting_status_votes', 'questions', ['meeting_id', 'status', 'vote_count'], unique=False)
    op.create_index(op.f('ix_questions_merged_into_id'), 'questions', ['merged_into_id'], unique=False)
    op.create_index('ix_questions_status_outcome', 'questions', ['status', 'outcome'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=7), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('submission_hash', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('mobile', sa.String(length=32), nullable=False),
    sa.Column('email_normalized', sa.String(length=254), nullable=True),
    sa.Column('mobile_normalized', sa.String(length=20), nullable=True),
    sa.Column('neighbourhood', sa.String(length=100), nullable=False),
    sa.Column('needs_wheelchair', sa.Boolean(), nullable=False),
    sa.Column('needs_sign_language', sa.Boolean(), nullable=False),
    sa.Column('needs_large_print', sa.Boolean(), nullable=False),
    sa.Column('interpretation_language', sa.String(length=60), nullable=False),
    sa.Column('other_needs', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'cancelled', name='registration_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('channel', sa.Enum('web', 'walk_in', 'phone', name='registration_channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('queue_number', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('promoted_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("email_normalized IS NOT NULL OR mobile_normalized IS NOT NULL OR status = 'cancelled' OR channel <> 'web'", name=op.f('ck_registrations_web_needs_contact')),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_registrations_checked_in_by_id_users')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_registrations_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('code', name=op.f('uq_registrations_code')),
    sa.UniqueConstraint('meeting_id', 'email_normalized', name=op.f('uq_registrations_meeting_id_email_normalized')),
    sa.UniqueConstraint('meeting_id', 'mobile_normalized', name=op.f('uq_registrations_meeting_id_mobile_normalized')),
    sa.UniqueConstraint('meeting_id', 'queue_number', name=op.f('uq_registrations_meeting_id_queue_number')),
    sa.UniqueConstraint('submission_hash', name=op.f('uq_registrations_submission_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_registrations_token_hash'))
    )
    op.create_index(op.f('ix_registrations_meeting_id'), 'registrations', ['meeting_id'], unique=False)
    op.create_index('ix_registrations_meeting_status_queue', 'registrations', ['meeting_id', 'status', 'queue_number'], unique=False)

    op.create_table('question_followers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('original_question_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['original_question_id'], ['questions.id'], name=op.f('fk_question_followers_original_question_id_questions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_followers_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_followers')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_question_followers_token_hash'))
    )
    op.create_index(op.f('ix_question_followers_original_question_id'), 'question_followers', ['original_question_id'], unique=False)
    op.create_index(op.f('ix_question_followers_question_id'), 'question_followers', ['question_id'], unique=False)

    op.create_table('question_settings',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('moderation_mode', sa.Enum('pre', 'post', name='moderation_mode', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('is_closed', sa.Boolean(), nullable=False),
    sa.Column('closed_message', sa.String(length=500), nullable=False),
    sa.Column('current_question_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['current_question_id'], ['questions.id'], name=op.f('fk_question_settings_current_question_id_questions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_question_settings_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_question_settings'))
    )
    op.create_table('question_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_votes_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_votes')),
    sa.UniqueConstraint('question_id', 'voter_key', name=op.f('uq_question_votes_question_id_voter_key'))
    )
    op.create_index('ix_question_votes_voter_key', 'question_votes', ['voter_key'], unique=False)


def downgrade():
    # Dropping a table drops its indexes and constraints too.
    op.drop_table('question_votes')
    op.drop_table('question_settings')
    op.drop_table('question_followers')
    op.drop_table('registrations')
    op.drop_table('questions')
    op.drop_table('meeting_hosts')
    op.drop_table('agenda_items')
    op.drop_table('meetings')
    op.drop_table('audit_events')
    op.drop_table('users')
    op.drop_table('outbox_messages')
    op.drop_table('districts')
    op.drop_table('departments')
