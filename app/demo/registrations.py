"""Demo registrations: confirmed, waitlisted, cancelled, checked-in people and walk-ins."""
from __future__ import annotations

import random
import secrets
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.meetings.models import Meeting, MeetingStatus
from app.registrations import services as registration_services
from app.registrations.models import Registration
from app.security import Role

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["建华", "秀英", "志强", "丽娟", "海燕", "国平", "晓明", "桂兰", "玉梅", "德福", "淑珍", "红霞", "文斌",
         "雪梅", "家豪", "子涵", "梓萱", "浩然", "欣怡", "俊杰", "春生", "凤英", "明辉", "静怡"]
ENGLISH_GIVEN = ["Alice", "Brian", "Grace", "Daniel", "Maria", "Tom", "Priya", "Samuel", "Olivia", "James",
                 "Fatima", "Lucas", "Hannah", "Kwame", "Sofia", "Ethan", "Mei", "Noah", "Isabel", "Omar"]
ENGLISH_FAMILY = ["Chen", "Walker", "Liu", "Hughes", "Lopez", "O'Neill", "Shah", "Green", "Okafor", "Brown",
                  "Nguyen", "Murphy", "Kowalski", "Evans", "Rossi", "Khan", "Taylor", "Wong", "Silva", "Clarke"]
NEIGHBOURHOODS = ["水果湖街道", "中南路街道", "徐家棚街道", "汉正街街道", "四唯街道", "江汉路街道", "钟家村街道",
                  "关山街道", "珞南街道", "新华街道", "后湖街道", "鹦鹉街道"]


def _person(rng: random.Random, n: int, english: bool):
    name = (f"{rng.choice(ENGLISH_GIVEN)} {rng.choice(ENGLISH_FAMILY)}" if english
            else rng.choice(SURNAMES) + rng.choice(GIVEN))
    mobile = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
    email = f"resident{n}.{rng.randint(100, 999)}@example.com" if rng.random() < 0.35 else ""
    needs = registration_services.Needs(
        wheelchair=rng.random() < 0.08, sign_language=rng.random() < 0.04, large_print=rng.random() < 0.06,
        interpretation_language="English" if english and rng.random() < 0.3 else "")
    return registration_services.RegistrationInput(
        name=name, mobile=mobile, email=email, neighbourhood=rng.choice(NEIGHBOURHOODS), needs=needs,
        language="en" if english else "zh_CN")


def _is_english(meeting: Meeting) -> bool:
    return all(ord(ch) < 0x2E80 for ch in meeting.title)


def load_demo_registrations(echo=print) -> int:
    """Fill published meetings that need registration and have none yet. Returns how many were made."""
    rng = random.Random(20261126)
    meetings = list(db.session.execute(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.PUBLISHED, Meeting.registration_required.is_(True),
                                 ~sa.exists().where(Registration.meeting_id == Meeting.id))
        .order_by(Meeting.starts_at)
    ).scalars())
    if not meetings:
        echo("  registrations: already present")
        return 0
    created = 0
    full_done = False
    for index, meeting in enumerate(meetings, start=1):
        staff = db.session.execute(
            sa.select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)).limit(1)
        ).scalar_one()
        english = _is_english(meeting)
        if meeting.capacity is None:
            meeting.capacity = rng.choice([30, 40, 60])
            db.session.commit()
        capacity = meeting.capacity
        make_full = not full_done and not meeting.is_past()
        wanted = capacity + 4 if make_full else max(3, int(capacity * rng.uniform(0.4, 0.9)))
        wanted = min(wanted, capacity + 6)
        opens = meeting.registration_opens_at or (meeting.published_at or meeting.starts_at - timedelta(days=10))
        register_at = max(opens, (meeting.published_at or opens)) + timedelta(hours=1)
        made = []
        for n in range(wanted):
            closes = meeting.registration_closes_at or meeting.starts_at
            when = min(register_at + timedelta(minutes=37 * n), closes - timedelta(minutes=5))
            data = _person(rng, created + n, english)
            try:
                result = registration_services.register_citizen(
                    meeting, data, submission_id=secrets.token_urlsafe(32), now=when)
            except registration_services.RegistrationUnavailable:
                break
            if result.registration is not None:
                made.append(result.registration)
        created += len(made)
        if make_full:
            full_done = True
        # A few cancel; their seats go to the waitlist.
        for registration in made[:: max(4, len(made) // 2)][:2]:
            registration_services.cancel_registration(registration, now=register_at + timedelta(days=1))
        if meeting.is_past():
            # Most confirmed people came; some walked in.
            for registration in made:
                db.session.refresh(registration)
                if registration.status == "confirmed" and rng.random() < 0.8:
                    registration_services.check_in(staff, registration,
                                                   now=meeting.starts_at - timedelta(minutes=rng.randint(0, 20)))
            db.session.refresh(meeting)
            for n in range(min(rng.randint(1, 3), (meeting.capacity or 0) - meeting.seats_taken)):
                registration_services.add_walk_in(staff, meeting, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                                  neighbourhood=rng.choice(NEIGHBOURHOODS),
                                                  now=meeting.starts_at + timedelta(minutes=5 + n))
        echo(f"  registrations: meeting {index}/{len(meetings)} «{meeting.title[:30]}»: {len(made)} registered")
    return created
