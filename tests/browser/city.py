"""A small, realistic public calendar for screenshots and accessibility audits: every meeting type, a
cancelled meeting, a rescheduled one, one published at short notice, agendas and multi-line summaries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests import factories

WUHAN = ZoneInfo("Asia/Shanghai")


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A round local time in Wuhan, `days` from today."""
    day = datetime.now(WUHAN).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), WUHAN)


@dataclass(frozen=True)
class City:
    official_email: str
    meeting_ids: dict[str, int]   # key -> id: "hearing", "town_hall", "visit", "briefing", "cancelled"
    district_codes: dict[str, str]


def build_city() -> City:
    housing = factories.make_department(code="housing", name_zh="市住房和城市更新局",
                                        name_en="Housing and Urban Renewal Bureau")
    transport = factories.make_department(code="transport", name_zh="市交通运输局",
                                          name_en="Transport Bureau")
    civil = factories.make_department(code="civil-affairs", name_zh="市民政局", name_en="Civil Affairs Bureau")
    wuchang = factories.make_district(code="wuchang", name_zh="武昌区", name_en="Wuchang District")
    jiangan = factories.make_district(code="jiangan", name_zh="江岸区", name_en="Jiang'an District")
    hongshan = factories.make_district(code="hongshan", name_zh="洪山区", name_en="Hongshan District")
    official = factories.make_user("official", department=housing, name="李明",
                                   email="li.ming@example.gov.cn")

    ids: dict[str, int] = {}
    hearing = factories.make_meeting(
        type="hearing", title="昙华林历史街区更新方案听证会", department=housing, district=wuchang,
        created_by=official, hosts=[official], starts_at=at(12, 9, 30),
        summary="听取居民对昙华林街区更新方案的意见。\n方案包括：街巷整治、危房加固、公共空间改造。",
        purpose="方案尚未定稿，居民的意见将写入听证报告，并作为修改方案的依据。",
        venue_name="武昌区昙华林社区服务中心", address="武昌区昙华林路 123 号 二楼多功能厅",
        agenda=["主持人介绍听证程序", "规划部门说明更新方案", "居民代表发言", "问答与总结"],
        registration_required=True, capacity=120,
    )
    ids["hearing"] = hearing.id
    town_hall = factories.make_meeting(
        type="town_hall", title="Riverside bus routes: citizens' forum", department=transport,
        district=jiangan, created_by=official, starts_at=at(5, 19),
        summary="Proposed changes to bus routes 30, 38 and 212 along the Jiang'an riverside.",
        venue_name="江岸区市民之家", online_url="https://live.example.gov.cn/forum/38",
        agenda=["Welcome", "The proposal", "Questions from residents"],
        short_notice_reason="The route trial starts next month; the forum was moved forward to hear residents first.",
    )
    ids["town_hall"] = town_hall.id
    visit = factories.make_meeting(
        type="community_visit", title="副市长走访洪山区老旧小区", department=civil, district=hongshan,
        created_by=official, starts_at=at(8, 14, 30), venue_name="洪山区珞南街道办事处",
        summary="了解老旧小区加装电梯和适老化改造的进展。",
    )
    ids["visit"] = visit.id
    briefing = factories.make_meeting(
        type="briefing", title="2027 年城市更新政策吹风会", department=housing, district=wuchang,
        created_by=official, starts_at=at(20, 10), venue_name="市民之家 A 座 301 会议室",
        agenda=["政策要点解读", "媒体与市民提问"],
    )
    ids["briefing"] = briefing.id
    cancelled = factories.make_meeting(
        status="cancelled", type="town_hall", title="汉口江滩夜间噪音治理座谈会", department=civil,
        district=jiangan, created_by=official, starts_at=at(3, 15), venue_name="江岸区百步亭社区活动室",
        cancelled_at=factories.now() - timedelta(days=1), cancel_reason="场地维修，座谈会将另行安排时间。",
        rescheduled_at=factories.now() - timedelta(days=4), reschedule_reason="原定场地与社区活动冲突。",
        previous_starts_at=at(2, 15),
    )
    ids["cancelled"] = cancelled.id
    codes = {"wuchang": wuchang.code, "jiangan": jiangan.code, "hongshan": hongshan.code}
    return City(official_email=official.email, meeting_ids=ids, district_codes=codes)
