"""Demo minutes: published minutes (one corrected, with two versions), minutes awaiting approval and a
complete hearing record. Loaded through the minutes services, so every rule and audit event applies."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import Department, User
from app.extensions import db
from app.meetings.models import Meeting, MeetingStatus, MeetingType
from app.minutes import queries as minutes_queries
from app.minutes import services as ms
from app.minutes.content import AnsweredQuestion, Commitment, Decision, PublicComment, decode, format_instant
from app.minutes.models import HearingRecord, Minutes, ParticipantState
from app.minutes.services.hearing import ParticipantEntry, StatementEntry
from app.security import Role


def _staff(meeting: Meeting) -> tuple[User, User]:
    """(writer, approver): the department's clerk and official when it has them, else official and admin."""
    def first(role, department_id=None):
        stmt = sa.select(User).where(User.role == role, User.is_active.is_(True)).order_by(User.id)
        if department_id is not None:
            stmt = stmt.where(User.department_id == department_id)
        return db.session.execute(stmt.limit(1)).scalar_one_or_none()

    clerk, official = first(Role.CLERK, meeting.department_id), first(Role.OFFICIAL, meeting.department_id)
    admin = first(Role.ADMIN)
    if clerk and official:
        return clerk, official
    return (official or admin), admin


def _content(meeting: Meeting, writer: User, approver: User):
    content = ms.prefill_content(meeting)
    content.presiding = meeting.hosts[0].name if meeting.hosts else approver.name
    content.recorder = writer.name
    content.citizens_present = content.citizens_present or 24
    if meeting.type == MeetingType.HEARING:
        content.quorum_present = True
    present = len(content.officials_present) + content.citizens_present
    if content.items:
        content.items[0].summary = "主持人说明会议议程和发言规则，介绍了本次会议要听取意见的事项。"
    if len(content.items) > 1:
        content.items[1].summary = "相关部门介绍了方案要点，与会居民围绕实施时间、资金来源和施工影响提问。"
        content.items[1].decisions = [Decision(motion="原则同意方案，并根据居民意见修改施工时间安排。",
                                               mover=content.presiding, outcome="carried",
                                               votes_for=max(0, present - 3), votes_against=2, votes_abstain=1)]
    content.public_comments = [PublicComment("居民代表", "希望夜间十点后停止施工，并提前公示施工计划。"),
                               PublicComment("", "建议为老年人保留临时通道。")]
    # The questions answered in the room are linked; saving the draft copies their public text.
    content.questions = [AnsweredQuestion(question_id=q.id, body="")
                         for q in minutes_queries.list_answered_live_questions(meeting.id)]
    department = db.session.get(Department, meeting.department_id)
    due = (meeting.starts_at + timedelta(days=30)).date().isoformat()
    content.commitments = [Commitment("一个月内在社区公告栏和网站公布修改后的施工计划。", department.id, due_on=due)]
    content.adjourned_at = format_instant(meeting.effective_end)
    return content


def _publish(meeting: Meeting, writer: User, approver: User):
    version = ms.open_minutes(writer, meeting)
    ms.save_draft(writer, version, _content(meeting, writer, approver))
    ms.submit_minutes(writer, version)
    ms.approve_minutes(approver, version)
    return ms.publish_minutes(approver, version)


def _hearing_record(meeting: Meeting, writer: User, approver: User) -> None:
    record = ms.open_hearing_record(writer, meeting)
    officials = minutes_queries.list_presiding_candidates(meeting)
    presiding = next((u for u in officials if u.id == approver.id), officials[0] if officials else None)
    ms.save_hearing_record(writer, record, [
        ParticipantEntry("陈建华", "消费者代表"), ParticipantEntry("刘志勇", "经营者代表"),
        ParticipantEntry("黄丽", "专家"), ParticipantEntry("周强", "消费者代表")],
        [StatementEntry("陈建华", "调整幅度偏大，建议分两年实施，并对低保家庭给予减免。"),
         StatementEntry("刘志勇", "近三年运营成本上涨约三成，现行价格难以维持服务质量。"),
         StatementEntry("黄丽", "成本监审报告的数据基本可信，建议公开分项成本。")],
        presiding_official_id=presiding.id if presiding else None)
    db.session.refresh(record)
    chen, liu, huang, zhou = record.participants
    ms.set_participant_state(writer, chen, ParticipantState.CONFIRMED)
    ms.set_participant_state(writer, huang, ParticipantState.CONFIRMED)
    ms.set_participant_state(presiding, liu, ParticipantState.REFUSED, note="认为笔录未完整记录其关于成本构成的发言，拒绝签字。")
    ms.set_participant_state(writer, zhou, ParticipantState.ABSENT)


def load_demo_minutes(echo=print) -> int:
    """Add the demo minutes once; returns how many minutes were created (0 when already present)."""
    if db.session.execute(sa.select(sa.func.count()).select_from(Minutes)).scalar_one():
        echo("  minutes: already present")
        return 0
    past = [m for m in db.session.execute(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.PUBLISHED).order_by(Meeting.starts_at.desc())
    ).scalars() if m.is_past()]
    hearings = [m for m in past if m.type == MeetingType.HEARING]
    others = [m for m in past if m.type != MeetingType.HEARING and m.agenda_items]
    created = 0
    if others:
        meeting = others[0]
        writer, approver = _staff(meeting)
        first = _publish(meeting, writer, approver)
        correction = ms.start_correction(writer, first.minutes, "第二项议题的反对票数记录有误（应为1票），予以更正。")
        content = decode(correction.content)
        for item in content.items:
            for decision in item.decisions:
                decision.votes_against, decision.votes_abstain = 1, 2
        ms.save_draft(writer, correction, content)
        ms.submit_minutes(writer, correction)
        ms.approve_minutes(approver, correction)
        ms.publish_minutes(approver, correction)
        created += 1
        echo(f"  minutes published with a correction (2 versions): {meeting.title}")
    for meeting in others[1:2]:
        _publish(meeting, *_staff(meeting))
        created += 1
        echo(f"  minutes published: {meeting.title}")
    for meeting in others[2:3]:
        writer, approver = _staff(meeting)
        version = ms.open_minutes(writer, meeting)
        ms.save_draft(writer, version, _content(meeting, writer, approver))
        ms.submit_minutes(writer, version)
        created += 1
        echo(f"  minutes awaiting approval: {meeting.title}")
    if hearings:
        meeting = hearings[0]
        writer, approver = _staff(meeting)
        if db.session.execute(sa.select(HearingRecord.id).where(HearingRecord.meeting_id == meeting.id)).first() is None:
            _hearing_record(meeting, writer, approver)
        _publish(meeting, writer, approver)
        created += 1
        echo(f"  hearing record (complete) and minutes published: {meeting.title}")
    return created
