"""The demo data set for Wuhan and `load_demo`, which loads it idempotently through the services.

Everything here is fictional demo content written to look like a real city's calendar. Meetings are placed
relative to the day of the first load (about half upcoming, half past). Running the load again creates
nothing: districts and departments are found by `code`, accounts by email, meetings by exact title within
their department. A meeting left half-way by an interrupted load (say, created but not yet published)
is taken through its remaining steps on the next run.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts import services as account_services
from app.accounts.audit import record_audit
from app.accounts.models import Department, District, User
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.meetings import services as meeting_services
from app.meetings.models import Meeting, MeetingType
from app.meetings.services import AgendaEntry, MeetingData, Schedule
from app.security import Role

DEMO_PASSWORD = "townhall-demo-2026"
DEMO_TIMEZONE = "Asia/Shanghai"
EMAIL_DOMAIN = "townhall.example"  # a reserved name (RFC 2606 style): demo mail can never reach anyone
ONLINE = "https://live.townhall.example/"

# Notice given when publishing: comfortably above every rules profile (cn: hearings 7 days, others 3).
PUBLISH_LEAD = {MeetingType.HEARING: timedelta(days=20)}
DEFAULT_PUBLISH_LEAD = timedelta(days=10)
CANCEL_LEAD = timedelta(hours=4)

TOWN_HALL = MeetingType.TOWN_HALL
HEARING = MeetingType.HEARING
VISIT = MeetingType.COMMUNITY_VISIT
BRIEFING = MeetingType.BRIEFING


class DemoLoadError(RuntimeError):
    """A demo record could not be written; the message names it."""


@dataclass(frozen=True)
class Place:
    code: str
    name_zh: str
    name_en: str


DISTRICTS = (
    Place("jiangan", "江岸区", "Jiang'an District"),
    Place("jianghan", "江汉区", "Jianghan District"),
    Place("qiaokou", "硚口区", "Qiaokou District"),
    Place("hanyang", "汉阳区", "Hanyang District"),
    Place("wuchang", "武昌区", "Wuchang District"),
    Place("qingshan", "青山区", "Qingshan District"),
    Place("hongshan", "洪山区", "Hongshan District"),
    Place("dongxihu", "东西湖区", "Dongxihu District"),
    Place("hannan", "汉南区", "Hannan District"),
    Place("caidian", "蔡甸区", "Caidian District"),
    Place("jiangxia", "江夏区", "Jiangxia District"),
    Place("huangpi", "黄陂区", "Huangpi District"),
    Place("xinzhou", "新洲区", "Xinzhou District"),
)

DEPARTMENTS = (
    Place("housing", "市住房和城市更新局", "Housing and Urban Renewal Bureau"),
    Place("transport", "市交通运输局", "Transport Bureau"),
    Place("ecology", "市生态环境局", "Ecology and Environment Bureau"),
    Place("civil-affairs", "市民政局", "Civil Affairs Bureau"),
    Place("education", "市教育局", "Education Bureau"),
    Place("health", "市卫生健康委员会", "Health Commission"),
    Place("urban-management", "市城市管理执法委员会", "Urban Management and Law Enforcement Commission"),
    Place("water", "市水务局", "Water Affairs Bureau"),
    Place("letters-visits", "市信访局", "Letters and Visits Bureau"),
)


@dataclass(frozen=True)
class Account:
    login: str  # the part before @
    name: str
    role: Role
    department: Optional[str] = None

    @property
    def email(self) -> str:
        return f"{self.login}@{EMAIL_DOMAIN}"


ACCOUNTS = (
    Account("admin", "刘敏", Role.ADMIN),
    Account("wang.jianguo", "王建国", Role.OFFICIAL, "housing"),
    Account("li.zhiqiang", "李志强", Role.OFFICIAL, "transport"),
    Account("zhang.lihua", "张丽华", Role.OFFICIAL, "ecology"),
    Account("chen.xiuying", "陈秀英", Role.OFFICIAL, "civil-affairs"),
    Account("zhao.wenbo", "赵文博", Role.OFFICIAL, "education"),
    Account("zhou.xiaoyan", "周晓燕", Role.OFFICIAL, "health"),
    Account("sun.haitao", "孙海涛", Role.OFFICIAL, "urban-management"),
    Account("wu.guoping", "吴国平", Role.OFFICIAL, "water"),
    Account("zheng.hongmei", "郑红梅", Role.OFFICIAL, "letters-visits"),
    Account("he.xiaojun", "何小军", Role.CLERK, "housing"),
    Account("lin.jing", "林静", Role.CLERK, "civil-affairs"),
)
ADMIN_EMAIL = ACCOUNTS[0].email
OFFICIAL_OF = {a.department: a.email for a in ACCOUNTS if a.role == Role.OFFICIAL}


@dataclass(frozen=True)
class Item:
    title: str
    presenter: str
    minutes: int
    description: str = ""


@dataclass(frozen=True)
class Move:
    """A reschedule after publication: new day (from today), start time, place and the public reason."""

    day: int
    at: str
    reason: str
    venue: str = ""
    address: str = ""


@dataclass(frozen=True)
class Plan:
    type: MeetingType
    department: str
    district: str
    day: int  # days from today's local date; negative is past
    at: str  # local start, "HH:MM"
    minutes: int
    title: str
    summary: str
    purpose: str
    venue: str
    address: str
    agenda: tuple[Item, ...]
    online: str = ""
    capacity: Optional[int] = None  # set: registration required
    cohosts: tuple[str, ...] = ()  # logins of officials hosting with the department's official
    host_note: str = ""
    draft: bool = False
    short_notice: str = ""
    cancel: str = ""
    move: Optional[Move] = None


# ---------------------------------------------------------------------------- meetings: upcoming

UPCOMING = (
    Plan(
        VISIT, "water", "qingshan", 2, "14:30", 120,
        "易涝点排查社区走访（青山区红卫路街道）",
        "市水务局会同青山区防汛办、红卫路街道，到辖区历年积水较重的路段和小区，实地查看排水管网、"
        "泵站和地下车库挡水设施，现场听取居民意见。",
        "通过走访摸清易涝点底数，把居民反映的积水问题纳入整改清单，明确责任单位和完成时限，"
        "赶在强降雨到来前消除隐患。",
        "红卫路街道办事处（集合点）", "武汉市青山区红卫路街道办事处一楼大厅",
        (
            Item("集合，介绍近期降雨形势和排查重点", "吴国平（市水务局）", 15),
            Item("实地查看下穿通道和排水泵站", "青山区防汛办", 40),
            Item("走访红钢城片区老旧小区地下车库", "红卫路街道办事处", 35),
            Item("现场答复居民问题，明确整改事项", "吴国平（市水务局）", 30),
        ),
        short_notice="气象部门预报本周后期将有一轮强降雨过程，需赶在降雨前完成易涝点排查并听取居民意见，"
                     "因此缩短公告期。",
    ),
    Plan(
        VISIT, "civil-affairs", "xinzhou", 4, "09:30", 120,
        "邾城街道居家养老服务站走访",
        "市民政局到新洲区邾城街道三个社区的居家养老服务站，查看助餐、助浴和日间照料服务情况，"
        "与老年人及家属面对面交流。",
        "了解服务站运营中的困难，听取老年人对助餐价格和服务时间的意见，为明年服务站运营补贴调整提供依据。",
        "邾城街道问津社区养老服务站", "武汉市新洲区邾城街道问津社区",
        (
            Item("查看助餐点用餐和配餐情况", "陈秀英（市民政局）", 40),
            Item("与老年人和家属座谈", "邾城街道民政办", 50),
            Item("服务站运营方介绍困难和需求", "服务站负责人", 30),
        ),
        cancel="受强降雨和雷暴大风天气影响，为保障老年人出行安全，本次走访取消，改期时间另行公告。"
               "意见和建议可通过 12345 市民服务热线反映。",
    ),
    Plan(
        TOWN_HALL, "housing", "jiangan", 5, "19:00", 120,
        "百步亭花园社区老旧小区改造方案座谈会",
        "介绍百步亭花园部分早期建成小区的改造初步方案，包括供水和燃气管网更新、屋面防水、外墙保温、"
        "适老化改造和停车位增设，听取居民意见。",
        "老旧小区改造坚持“居民点单、政府配餐”。方案定稿前充分征求居民意见，确定改造项目清单和施工时序，"
        "尽量减少施工对日常生活的影响。",
        "百步亭花园社区党群服务中心多功能厅", "武汉市江岸区百步亭花园路社区党群服务中心",
        (
            Item("改造范围和初步方案介绍", "王建国（市住房和城市更新局）", 25),
            Item("管网、屋面和适老化设计说明", "设计单位项目负责人", 25),
            Item("居民代表发言", "社区居民代表", 45, "每位发言不超过 5 分钟，未发言的意见可会后书面提交。"),
            Item("答疑和下一步工作安排", "王建国（市住房和城市更新局）", 25),
        ),
        online=ONLINE + "baibuting-renovation", capacity=80, cohosts=("chen.xiuying",),
        host_note="市民政局陈秀英同志一同出席，听取适老化改造意见。",
    ),
    Plan(
        TOWN_HALL, "transport", "huangpi", 6, "15:00", 110,
        "前川街道轨道交通站点接驳公交优化座谈会",
        "围绕地铁站周边公交接驳，讨论新增社区微循环公交、调整两条线路走向和末班车时间的方案。",
        "居民反映从地铁站到部分小区的“最后一公里”不方便。座谈会收集乘客意见，优化后的方案在区政府网站公示后实施。",
        "前川街道办事处三楼会议室", "武汉市黄陂区前川街道办事处",
        (
            Item("接驳公交优化方案介绍", "李志强（市交通运输局）", 20),
            Item("线路走向和发车间隔测算", "公交集团黄陂分公司", 20),
            Item("居民和乘客代表发言", "居民代表", 50),
            Item("答复和总结", "李志强（市交通运输局）", 20),
        ),
        move=Move(13, "19:00",
                  "应居民代表要求改在工作日晚上举行，方便上班族参加；原会议室座位不足，同时更换为更大的会场。",
                  "黄陂区市民之家二楼报告厅", "武汉市黄陂区前川街道市民之家"),
    ),
    Plan(
        BRIEFING, "education", "wuchang", 8, "19:00", 90,
        "Briefing: Primary School Enrolment Zones in Wuchang District for the Next School Year",
        "Officials from the Education Bureau explain how primary school enrolment zones in Wuchang District are "
        "drawn for the coming school year, which residential compounds move between zones, and the timetable "
        "for online registration.",
        "Parents need clear information well before the registration window opens. The briefing sets out the "
        "rules, answers common questions about household registration and property certificates, and explains "
        "how to appeal a zoning decision.",
        "Wuchang District Government Service Centre, Lecture Hall", "Zhongbei Road, Wuchang District, Wuhan",
        (
            Item("Enrolment policy for the new school year", "Zhao Wenbo, Education Bureau", 20),
            Item("Changes to school zones and the compounds affected", "Wuchang District Education Bureau", 25),
            Item("Online registration: timetable and documents", "Enrolment Office", 15),
            Item("Questions from parents", "Zhao Wenbo, Education Bureau", 30),
        ),
        online=ONLINE + "wuchang-enrolment", capacity=200,
    ),
    Plan(
        HEARING, "transport", "jianghan", 10, "09:30", 180,
        "中心城区路内停车收费标准调整听证会",
        "就中心城区道路临时停车泊位收费标准调整方案举行听证。方案拟按区域和时段实行差别化收费，"
        "首 15 分钟免费，夜间收费适当降低。方案全文和成本测算已在市交通运输局网站公开。",
        "依照价格听证的有关规定，收费标准调整须听取消费者、经营者和专家学者的意见。"
        "听证意见将作为修改和报批方案的重要依据，并向社会公开。",
        "江汉区政务服务中心听证室", "武汉市江汉区政务服务中心三楼",
        (
            Item("宣布听证纪律和程序", "听证主持人", 10),
            Item("定价方案说明", "李志强（市交通运输局）", 30),
            Item("听证参加人发言", "听证参加人", 90, "消费者、经营者、专家学者代表依次发言，每人不超过 8 分钟。"),
            Item("质证和辩论", "听证参加人、方案说明人", 35),
            Item("听证主持人总结", "听证主持人", 15),
        ),
        online=ONLINE + "parking-fee-hearing", capacity=30,
        host_note="听证参加人从报名者中按类别随机抽取；旁听席位现场先到先得，网络同步直播。",
    ),
    Plan(
        VISIT, "housing", "hanyang", 12, "10:00", 120,
        "四新街道老旧住宅加装电梯入户走访",
        "到汉阳区四新街道已提出加装电梯申请的楼栋入户走访，了解低层住户的顾虑，协调解决采光、噪音和费用分摊分歧。",
        "加装电梯难在协商一致。通过入户听取各楼层住户意见，促成费用分摊和补偿方案达成一致，推动已备案项目尽快开工。",
        "四新街道办事处（集合点）", "武汉市汉阳区四新街道办事处",
        (
            Item("集合，介绍本街道加装电梯进展", "王建国（市住房和城市更新局）", 15),
            Item("入户走访申请楼栋的低层住户", "王建国、社区网格员", 60),
            Item("协调会：费用分摊和补偿方案", "四新街道办事处", 45),
        ),
    ),
    Plan(
        TOWN_HALL, "urban-management", "qiaokou", 15, "19:00", 120,
        "生活垃圾定时定点投放调整居民座谈会",
        "汉正街片区拟调整部分小区生活垃圾定时定点投放的时间和投放点位置，会上介绍调整方案，听取居民和商户意见。",
        "部分居民反映早晚投放时间与上下班时间冲突、投放点离单元门太远。座谈会要确定既方便居民又便于收运的方案。",
        "汉正街街道社区文化活动中心", "武汉市硚口区汉正街街道社区文化活动中心",
        (
            Item("垃圾分类工作情况通报", "孙海涛（市城市管理执法委员会）", 15),
            Item("投放时间和点位调整方案", "硚口区城市管理执法局", 20),
            Item("居民和商户代表发言", "居民和商户代表", 60),
            Item("答复和下一步安排", "孙海涛（市城市管理执法委员会）", 25),
        ),
        capacity=100,
    ),
    Plan(
        BRIEFING, "civil-affairs", "hongshan", 18, "14:30", 90,
        "居家和社区养老服务补贴政策宣讲",
        "讲解高龄津贴、经济困难老年人养老服务补贴、家庭养老床位和老年助餐补贴的申领条件和办理流程，现场提供咨询。",
        "不少老年人和家属不清楚自己能享受哪些补贴、到哪里办理。"
        "宣讲把政策讲清楚、讲到身边，帮助符合条件的老人应享尽享。",
        "珞南街道社区党群服务中心报告厅", "武汉市洪山区珞南街道社区党群服务中心",
        (
            Item("养老服务补贴政策解读", "陈秀英（市民政局）", 30),
            Item("家庭养老床位申请流程演示", "洪山区民政局", 20),
            Item("现场咨询", "街道民政专干", 40, "请携带老年人身份证和户口簿，可现场核对是否符合条件。"),
        ),
        capacity=120,
    ),
    Plan(
        HEARING, "transport", "dongxihu", 21, "09:30", 150,
        "Public Hearing: Proposed Restructuring of Bus Routes Serving Jinyinhu",
        "A public hearing on the proposal to merge two bus routes, move one route away from Jinyinhu Road and "
        "add a peak-hour shuttle to the nearest metro station. The full proposal, maps and ridership figures are "
        "published with this notice.",
        "The restructuring would change how thousands of residents travel to work and school. Under the city's "
        "rules on major public transport changes, riders, operators and independent experts are heard before "
        "the Transport Bureau decides.",
        "Dongxihu District Government, Hearing Room 2", "Wujiashan Street, Dongxihu District, Wuhan",
        (
            Item("Opening and hearing procedure", "Hearing Officer", 10),
            Item("The route proposal", "Li Zhiqiang, Transport Bureau", 25),
            Item("Ridership analysis and the operator's view", "Wuhan Bus Group", 20),
            Item("Statements by registered participants", "Registered participants", 75,
                 "Five minutes per speaker; written statements are accepted until the hearing closes."),
            Item("Closing remarks and next steps", "Hearing Officer", 20),
        ),
        online=ONLINE + "jinyinhu-bus-hearing", capacity=40,
    ),
    Plan(
        TOWN_HALL, "urban-management", "wuchang", 23, "19:00", 120,
        "Town Hall: Regulating the Hubu Alley Night Market",
        "Residents, stallholders and the district urban management team discuss proposed rules for the Hubu "
        "Alley night market: trading hours, noise limits after 22:00, waste collection and clear lanes for fire "
        "engines.",
        "The night market is popular with visitors, but residents have reported noise, grease in the drains and "
        "blocked lanes. The aim is a set of rules that keeps the market alive and lets the neighbours sleep.",
        "Zhonghualu Street Community Centre, Main Hall", "Zhonghua Road Street, Wuchang District, Wuhan",
        (
            Item("Complaints and inspections over the past year", "Sun Haitao, Urban Management Commission", 15),
            Item("Draft rules on hours, noise and waste", "Wuchang District Urban Management Bureau", 20),
            Item("Views from residents and stallholders", "Residents and stallholders", 60),
            Item("Summary and next steps", "Sun Haitao, Urban Management Commission", 25),
        ),
        capacity=80,
    ),
    Plan(
        VISIT, "health", "huangpi", 26, "09:00", 150,
        "农村家庭医生签约服务走访（黄陂区王家河街道）",
        "到黄陂区王家河街道卫生院和村卫生室，了解家庭医生签约、慢性病随访和药品配备情况，入户走访行动不便的签约老人。",
        "检查家庭医生签约服务是否落到实处，听取村民对看病、取药的意见，推动优质医疗资源下沉到村。",
        "王家河街道卫生院", "武汉市黄陂区王家河街道卫生院",
        (
            Item("卫生院汇报签约服务情况", "卫生院院长", 20),
            Item("查看村卫生室药品配备和远程会诊设备", "周晓燕（市卫生健康委员会）", 50),
            Item("入户走访签约老人", "家庭医生团队", 50),
            Item("现场交流", "周晓燕（市卫生健康委员会）", 30),
        ),
    ),
    Plan(
        BRIEFING, "ecology", "hongshan", 29, "15:00", 90,
        "东湖水环境治理和蓝藻防控政策宣讲",
        "通报东湖水质监测结果、入湖排口整治进展和蓝藻水华应急防控措施，介绍市民参与护湖的方式。",
        "东湖水质是全市关心的大事。宣讲公开治理进展和监测数据，回应市民对水质、异味和游船管理的关切。",
        "洪山区政务服务中心报告厅", "武汉市洪山区政务服务中心二楼",
        (
            Item("东湖水质监测结果通报", "张丽华（市生态环境局）", 20),
            Item("入湖排口整治和截污工程进展", "市生态环境局水生态环境处", 20),
            Item("蓝藻水华应急防控措施", "东湖水质监测站", 20),
            Item("市民提问", "张丽华（市生态环境局）", 30),
        ),
        online=ONLINE + "east-lake-briefing",
    ),
    Plan(
        TOWN_HALL, "urban-management", "jiangan", 31, "19:00", 120,
        "汉口江滩夜间经营秩序座谈会",
        "讨论汉口江滩夜间流动摊贩、外摆经营和噪音的管理办法，拟划定临时经营区域并明确经营时段。",
        "江滩夜间人流大，流动摊贩和噪音投诉较多。座谈会听取周边居民、经营户和游客意见，为制定管理办法打基础。",
        "汉口江滩管理处会议室", "武汉市江岸区沿江大道汉口江滩管理处",
        (
            Item("夜间经营现状通报", "孙海涛（市城市管理执法委员会）", 15),
            Item("临时经营区域划定的初步设想", "江岸区城市管理执法局", 20),
            Item("居民和经营户发言", "与会代表", 60),
            Item("总结", "孙海涛（市城市管理执法委员会）", 25),
        ),
        draft=True,
    ),
    Plan(
        TOWN_HALL, "education", "jiangxia", 34, "19:00", 120,
        "纸坊街道学位供给和新建学校规划座谈会",
        "江夏区纸坊片区近年新建小区多，学位紧张。会上介绍未来三年新建、扩建中小学的规划和过渡期就学安排。",
        "回应家长对“入学难”的担忧，听取对学校选址、建设时序和过渡期安排的意见。",
        "纸坊街道办事处大会议室", "武汉市江夏区纸坊街道办事处",
        (
            Item("纸坊片区学龄人口预测和学位缺口", "赵文博（市教育局）", 20),
            Item("新建、扩建学校规划", "江夏区教育局", 25),
            Item("家长代表发言", "家长代表", 50),
            Item("答复", "赵文博（市教育局）", 25),
        ),
        capacity=100,
    ),
    Plan(
        HEARING, "civil-affairs", "jiangan", 37, "09:00", 180,
        "《武汉市居家养老服务办法（修订草案）》立法听证会",
        "就修订草案中社区养老服务设施配建、家庭养老床位、老年助餐服务和服务质量监管等条款举行听证。",
        "办法修订涉及老年人切身利益。依照规章制定程序，听取老年人及家属、养老服务机构和专家学者的意见，"
        "听证报告将随草案一并报送。",
        "江岸区市民服务中心听证厅", "武汉市江岸区市民服务中心四楼",
        (
            Item("宣布听证事项和纪律", "听证主持人", 10),
            Item("修订草案起草说明", "陈秀英（市民政局）", 30),
            Item("听证参加人陈述意见", "听证参加人", 100),
            Item("询问和答复", "起草部门", 25),
            Item("总结", "听证主持人", 15),
        ),
        online=ONLINE + "elderly-care-hearing", capacity=30,
        host_note="听证参加人按老年人及家属、养老服务机构、专家学者三类遴选。",
    ),
    Plan(
        HEARING, "water", "dongxihu", 40, "09:30", 150,
        "Public Hearing: Adjustment of Tiered Residential Water Prices",
        "A hearing on adjusting the three-tier residential water tariff, including a proposed waiver of the "
        "first-tier charge for households on minimum living allowance.",
        "Residential water prices are set by the city after a public hearing. The hearing lets households, the "
        "water company and independent experts test the cost figures behind the proposal.",
        "Dongxihu District Government Service Centre, Hearing Room", "Wujiashan Street, Dongxihu District, Wuhan",
        (
            Item("Opening", "Hearing Officer", 10),
            Item("Cost audit and tariff proposal", "Wu Guoping, Water Affairs Bureau", 30),
            Item("Statements by participants", "Registered participants", 80),
            Item("Questions and answers", "Water Affairs Bureau and the water company", 20),
            Item("Closing", "Hearing Officer", 10),
        ),
        capacity=30, draft=True,
    ),
    Plan(
        VISIT, "water", "jianghan", 43, "16:00", 120,
        "Community Visit: Flood-Prone Underpasses in Central Hankou",
        "Officials walk the underpasses and low-lying streets in central Hankou that flooded in last summer's "
        "storms, check the new pumping equipment and warning signs, and meet shopkeepers and residents on the way.",
        "To see on the ground whether last year's repairs work before the next rainy season, and to hear from "
        "people who were affected about warnings, road closures and the clean-up.",
        "Minzu Street Office (meeting point)", "Minzu Street, Jianghan District, Wuhan",
        (
            Item("Briefing at the street office", "Wu Guoping, Water Affairs Bureau", 15),
            Item("Walk the underpasses and inspect the pumps", "Jianghan District Water Affairs Bureau", 60),
            Item("Talk with shopkeepers and residents on the route", "Wu Guoping, Water Affairs Bureau", 45),
        ),
    ),
    Plan(
        BRIEFING, "health", "xinzhou", 47, "09:30", 90,
        "分级诊疗和家庭医生签约服务政策宣讲进社区",
        "讲解分级诊疗、双向转诊和家庭医生签约服务内容，介绍高血压、糖尿病患者长期处方政策，现场开展义诊。",
        "引导群众“小病在社区、大病到医院、康复回社区”，让签约居民清楚签约后能得到哪些服务。",
        "邾城街道社区卫生服务中心", "武汉市新洲区邾城街道社区卫生服务中心",
        (
            Item("分级诊疗政策解读", "周晓燕（市卫生健康委员会）", 25),
            Item("家庭医生签约服务包介绍", "社区卫生服务中心主任", 20),
            Item("义诊和现场签约咨询", "家庭医生团队", 45),
        ),
    ),
    Plan(
        TOWN_HALL, "letters-visits", "hannan", 51, "09:30", 150,
        "纱帽街道“信访接待日”群众座谈会",
        "市信访局会同汉南区有关部门，在纱帽街道集中接待群众来访，重点听取征地补偿、物业纠纷和农村道路建设方面的诉求。",
        "推动领导干部下访接访，把矛盾化解在基层。能当场答复的当场答复，不能当场答复的登记交办、限期回复。",
        "纱帽街道办事处一楼会议室", "武汉市汉南区纱帽街道办事处",
        (
            Item("通报近期信访事项办理情况", "郑红梅（市信访局）", 20),
            Item("群众反映诉求", "来访群众", 80),
            Item("有关部门现场答复", "汉南区有关部门负责人", 35),
            Item("交办事项和回复时限说明", "郑红梅（市信访局）", 15),
        ),
        capacity=50,
        host_note="来访群众请携带身份证和相关材料；涉及个人隐私的诉求可在会后单独约谈。",
    ),
    Plan(
        VISIT, "ecology", "caidian", 55, "09:30", 150,
        "农村生活污水治理设施运行情况走访（蔡甸区索河街道）",
        "走访蔡甸区索河街道的村湾，查看农村生活污水处理设施运行、管网破损和出水水质，听取村民意见。",
        "部分设施建成后运行不稳定。走访摸清问题，督促落实运维责任，保护知音湖、后官湖水质。",
        "索河街道办事处（集合点）", "武汉市蔡甸区索河街道办事处",
        (
            Item("全区农村生活污水治理情况汇报", "蔡甸区生态环境分局", 20),
            Item("查看村湾污水处理站和出水水质", "张丽华（市生态环境局）", 70),
            Item("与村民代表交流", "张丽华（市生态环境局）", 40),
            Item("部署整改", "蔡甸区生态环境分局", 20),
        ),
    ),
    Plan(
        BRIEFING, "housing", "qingshan", 59, "15:00", 90,
        "Briefing: This Year's Old Residential Community Renovation Programme",
        "An overview of this year's renovation programme for residential compounds built before 2000, with a "
        "focus on the former steelworks housing around Honggangcheng in Qingshan: which compounds are included, "
        "what works are funded and how residents contribute.",
        "Renovation only works when residents know what is coming and can shape it. The briefing explains the "
        "selection criteria, the funding shares and the consultation steps every compound goes through.",
        "Qingshan District Government Service Centre, Lecture Hall", "Qingshan District, Wuhan",
        (
            Item("The programme at a glance", "Wang Jianguo, Housing and Urban Renewal Bureau", 20),
            Item("Honggangcheng compounds: scope and schedule", "Qingshan District Housing Bureau", 20),
            Item("How residents take part and contribute", "Community renewal planner", 20),
            Item("Questions", "Wang Jianguo, Housing and Urban Renewal Bureau", 30),
        ),
        online=ONLINE + "renovation-2026", capacity=150,
    ),
)

# ---------------------------------------------------------------------------- meetings: past

PAST = (
    Plan(
        VISIT, "housing", "qiaokou", -2, "09:30", 120,
        "老旧小区雨污分流改造工地走访（硚口区宝丰街道）",
        "到宝丰街道正在施工的老旧小区改造工地，查看雨污分流管网施工质量、文明施工措施和临时通行安排。",
        "回应居民关于施工扬尘、夜间噪音和出行不便的投诉，督促施工单位限期整改。",
        "宝丰街道办事处（集合点）", "武汉市硚口区宝丰街道办事处",
        (
            Item("施工进度和质量情况介绍", "施工单位项目经理", 20),
            Item("查看雨污分流管网和路面恢复", "王建国（市住房和城市更新局）", 50),
            Item("与居民交流施工影响", "王建国、社区书记", 50),
        ),
    ),
    Plan(
        TOWN_HALL, "urban-management", "jianghan", -4, "19:00", 120,
        "Town Hall: Waste Sorting in High-Rise Estates",
        "Residents, property managers and the urban management team discussed why sorting rates in high-rise "
        "estates lag behind low-rise neighbourhoods and what could change: closing rubbish chutes, staffed "
        "collection points and feedback to households.",
        "To agree practical steps for high-rise estates in Jianghan before the city-wide review of waste sorting "
        "targets.",
        "Jianghan District Government Hall, Room 301", "Jianghan Road Street, Jianghan District, Wuhan",
        (
            Item("Sorting rates by type of estate", "Sun Haitao, Urban Management Commission", 15),
            Item("What worked in the pilot estates", "Property manager, pilot estate", 20),
            Item("Open discussion", "Residents and property managers", 60),
            Item("Agreed actions", "Sun Haitao, Urban Management Commission", 25),
        ),
        capacity=60,
    ),
    Plan(
        HEARING, "ecology", "jiangxia", -8, "09:00", 180,
        "江夏区生活垃圾焚烧发电项目扩建环境影响评价听证会",
        "就生活垃圾焚烧发电项目扩建工程环境影响报告书举行听证，重点听取周边村民对烟气排放、飞灰处置和运输线路的意见。",
        "依照环境影响评价公众参与的有关规定，对可能造成重大环境影响的建设项目，在审批前听取公众意见，"
        "听证笔录作为审批的重要依据。",
        "郑店街道办事处大会议室", "武汉市江夏区郑店街道办事处",
        (
            Item("宣布听证纪律", "听证主持人", 10),
            Item("项目概况和环保措施介绍", "建设单位", 30),
            Item("环境影响预测结论说明", "环评单位", 30),
            Item("听证参加人发言和询问", "听证参加人", 95),
            Item("总结", "张丽华（市生态环境局）", 15),
        ),
        online=ONLINE + "jiangxia-eia-hearing", capacity=40,
    ),
    Plan(
        BRIEFING, "water", "hanyang", -11, "15:00", 90,
        "防汛应急避险知识宣讲",
        "讲解暴雨预警信号的含义、地下空间和低洼地带避险要点、社区转移安置点位置，并演示沙袋和挡水板的使用。",
        "提高居民防汛避险意识，让每户都知道“往哪里躲、找谁求助”。",
        "江堤街道社区党群服务中心", "武汉市汉阳区江堤街道社区党群服务中心",
        (
            Item("汛期形势和暴雨预警信号", "吴国平（市水务局）", 25),
            Item("家庭和地下空间避险要点", "汉阳区应急管理局", 25),
            Item("挡水板和沙袋使用演示", "社区应急分队", 20),
            Item("问答", "吴国平（市水务局）", 20),
        ),
    ),
    Plan(
        TOWN_HALL, "education", "hongshan", -15, "19:00", 120,
        "学区划片调整家长座谈会（洪山区）",
        "介绍洪山区部分小学、初中划片范围的调整方案，听取受影响小区家长的意见。",
        "划片调整直接关系孩子入学。方案公示前充分听取家长意见，对确有困难的家庭研究过渡安排。",
        "洪山区教育局报告厅", "武汉市洪山区教育局一楼",
        (
            Item("调整原因和学位测算", "赵文博（市教育局）", 20),
            Item("调整方案和受影响小区", "洪山区教育局", 20),
            Item("家长代表发言", "家长代表", 60),
            Item("答复", "赵文博（市教育局）", 20),
        ),
        capacity=120,
    ),
    Plan(
        VISIT, "civil-affairs", "jiangan", -19, "09:30", 120,
        "Community Visit: Home-Based Elderly Care Stations in Jiang'an",
        "Officials visited three community elderly care stations in Jiang'an to look at meal services, day care "
        "and home visits, and to talk with older residents and their families.",
        "To check how the stations are doing a year after opening and to hear what older residents need most, "
        "ahead of decisions on next year's operating subsidies.",
        "Baibuting Community Elderly Care Station (meeting point)", "Baibuting, Jiang'an District, Wuhan",
        (
            Item("Meal service at lunchtime", "Chen Xiuying, Civil Affairs Bureau", 40),
            Item("Day care and rehabilitation rooms", "Station manager", 30),
            Item("Conversation with residents and families", "Chen Xiuying, Civil Affairs Bureau", 50),
        ),
    ),
    Plan(
        BRIEFING, "health", "qiaokou", -23, "09:30", 90,
        "65 岁以上老年人免费健康体检和疫苗接种政策宣讲",
        "介绍国家基本公共卫生服务中 65 岁及以上老年人免费健康体检的项目和预约方式，以及流感、肺炎疫苗接种安排。",
        "提高老年人体检率和疫苗接种率，解答子女代为预约、行动不便老人上门服务等问题。",
        "汉水桥街道社区卫生服务中心", "武汉市硚口区汉水桥街道社区卫生服务中心",
        (
            Item("老年人健康体检项目和预约方式", "周晓燕（市卫生健康委员会）", 25),
            Item("疫苗接种安排和注意事项", "硚口区疾病预防控制中心", 20),
            Item("现场咨询和预约", "社区卫生服务中心", 45),
        ),
    ),
    Plan(
        HEARING, "transport", "wuchang", -27, "09:00", 180,
        "巡游出租汽车运价调整听证会",
        "就巡游出租汽车起步价、里程价和低速等候费调整的两套方案举行听证。",
        "运价调整关系乘客和驾驶员双方利益。听证会听取乘客、驾驶员、出租汽车企业和专家学者的意见，作为制定方案的依据。",
        "武昌区政务服务中心听证室", "武汉市武昌区中北路政务服务中心",
        (
            Item("宣布听证纪律", "听证主持人", 10),
            Item("运价调整方案和成本监审情况说明", "李志强（市交通运输局）", 30),
            Item("听证参加人发言", "乘客、驾驶员和企业代表", 100),
            Item("辩论", "听证参加人", 25),
            Item("总结", "听证主持人", 15),
        ),
        online=ONLINE + "taxi-fare-hearing", capacity=30,
    ),
    Plan(
        TOWN_HALL, "letters-visits", "dongxihu", -32, "09:30", 150,
        "吴家山街道重点信访事项化解座谈会",
        "针对吴家山街道集中反映的小区不动产权证办理难、物业交接纠纷等问题，召集开发企业、物业公司和有关部门"
        "与业主代表面对面协商。",
        "推动历史遗留问题依法分类处理，明确各方责任和办理时限，化解矛盾纠纷。",
        "吴家山街道办事处会议室", "武汉市东西湖区吴家山街道办事处",
        (
            Item("信访事项梳理情况", "郑红梅（市信访局）", 20),
            Item("业主代表反映问题", "业主代表", 50),
            Item("开发企业和物业公司说明", "开发企业、物业公司", 30),
            Item("有关部门答复和交办", "东西湖区住建和不动产登记部门", 35),
            Item("总结", "郑红梅（市信访局）", 15),
        ),
        capacity=50, cohosts=("wang.jianguo",),
    ),
    Plan(
        VISIT, "ecology", "huangpi", -36, "09:00", 150,
        "府河水质和沿岸排污口排查走访",
        "沿府河黄陂段查看入河排污口整治、沿岸养殖退出和生态缓冲带建设情况，走访沿河村湾。",
        "府河是长江的一级支流，水质改善关系下游用水安全。走访核实排污口整治进度，听取沿河群众对水质和异味的反映。",
        "横店街道办事处（集合点）", "武汉市黄陂区横店街道办事处",
        (
            Item("府河黄陂段水质和排污口情况", "黄陂区生态环境分局", 20),
            Item("查看排污口整治和生态缓冲带", "张丽华（市生态环境局）", 80),
            Item("走访沿河村湾", "张丽华（市生态环境局）", 50),
        ),
    ),
    Plan(
        VISIT, "transport", "huangpi", -40, "14:30", 120,
        "前川街道公交站点迁移现场走访",
        "到前川街道拟迁移的三个公交站点现场查看，听取周边商户和乘客对站点新位置的意见。",
        "站点迁移可以缓解路口拥堵，但可能增加部分乘客的步行距离。现场走访后再确定最终位置。",
        "前川街道办事处（集合点）", "武汉市黄陂区前川街道办事处",
        (
            Item("站点迁移方案介绍", "李志强（市交通运输局）", 20),
            Item("现场查看三个拟迁移站点", "黄陂区交通运输局", 60),
            Item("听取商户和乘客意见", "李志强（市交通运输局）", 40),
        ),
        cancel="当天发布雷暴大风黄色预警，为确保安全取消本次现场走访。站点迁移意见改为通过 12345 热线和网上问卷征集。",
    ),
    Plan(
        BRIEFING, "urban-management", "hanyang", -45, "15:00", 90,
        "Briefing: Changes to Wuhan's Household Waste Sorting Rules",
        "The Urban Management Commission explained the amended household waste sorting rules: the four "
        "categories, new fines for businesses, collection times and the duties of property management companies.",
        "The amended rules took effect this year. The briefing made sure neighbourhood committees and property "
        "managers in Hanyang knew their duties before enforcement inspections began.",
        "Hanyang District Government, Conference Hall 1", "Hanyang District, Wuhan",
        (
            Item("The four categories and what has changed", "Sun Haitao, Urban Management Commission", 25),
            Item("Duties of property managers and businesses", "Hanyang District Urban Management Bureau", 20),
            Item("Questions", "Sun Haitao, Urban Management Commission", 45),
        ),
    ),
    Plan(
        TOWN_HALL, "civil-affairs", "caidian", -51, "09:30", 120,
        "社区嵌入式养老服务设施建设座谈会",
        "讨论在蔡甸街道新建社区嵌入式养老服务综合体的选址、服务内容和收费标准。",
        "让老年人在家门口获得日间照料、短期托养和康复服务。建设前征求居民意见，确保设施建得起、用得上。",
        "蔡甸街道办事处二楼会议室", "武汉市蔡甸区蔡甸街道办事处",
        (
            Item("项目选址和功能设置", "陈秀英（市民政局）", 20),
            Item("运营模式和收费标准测算", "蔡甸区民政局", 20),
            Item("居民和老年人代表发言", "居民代表", 55),
            Item("答复", "陈秀英（市民政局）", 25),
        ),
        capacity=60,
    ),
    Plan(
        HEARING, "housing", "jianghan", -57, "09:30", 150,
        "Public Hearing: Subsidy Rules for Adding Lifts to Multi-Storey Housing",
        "A hearing on the draft rules for subsidising lift installation in older multi-storey housing: the "
        "subsidy per lift, how costs are shared between floors and compensation for ground-floor households.",
        "The rules decide who pays how much when a lift is added, the most common cause of disputes between "
        "neighbours. Rules of this kind must be heard in public before they are adopted.",
        "Jianghan District Government Service Centre, Hearing Room", "Jianghan District, Wuhan",
        (
            Item("Opening", "Hearing Officer", 10),
            Item("The draft subsidy rules", "Wang Jianguo, Housing and Urban Renewal Bureau", 25),
            Item("Statements by participants", "Registered participants", 85),
            Item("Questions to the drafting team", "Housing and Urban Renewal Bureau", 20),
            Item("Closing", "Hearing Officer", 10),
        ),
        online=ONLINE + "lift-subsidy-hearing", capacity=30,
    ),
    Plan(
        VISIT, "water", "xinzhou", -63, "09:00", 150,
        "举水河堤防隐患排查和泵站运行走访",
        "查看举水河新洲段堤防险工险段、穿堤涵闸和排涝泵站运行维护情况，走访沿堤村民。",
        "把堤防隐患排查到位，落实堤防巡查责任人和抢险物资储备。",
        "新洲区防汛抗旱指挥部（集合点）", "武汉市新洲区邾城街道",
        (
            Item("堤防隐患排查情况汇报", "新洲区水务和湖泊局", 20),
            Item("查看险工险段和穿堤涵闸", "吴国平（市水务局）", 70),
            Item("查看排涝泵站试运行", "泵站管理所", 40),
            Item("部署整改", "吴国平（市水务局）", 20),
        ),
    ),
    Plan(
        BRIEFING, "education", "qingshan", -70, "15:30", 90,
        "义务教育课后服务政策宣讲",
        "介绍课后服务的时间安排、服务内容、收费标准和自愿参加原则，说明家长反映意见的渠道。",
        "解答家长关于课后服务是否强制参加、如何收费、能否延时托管等问题。",
        "钢花村街道社区党群服务中心", "武汉市青山区钢花村街道社区党群服务中心",
        (
            Item("课后服务政策解读", "赵文博（市教育局）", 25),
            Item("学校课后服务安排介绍", "学校校长代表", 20),
            Item("家长问答", "赵文博（市教育局）", 45),
        ),
    ),
    Plan(
        TOWN_HALL, "urban-management", "xinzhou", -78, "19:00", 120,
        "农贸市场周边占道经营整治座谈会",
        "讨论邾城街道农贸市场周边早市占道经营、车辆乱停放问题的整治方案，拟设置早市临时疏导区。",
        "兼顾周边居民出行和小商贩生计，形成疏堵结合的管理方案。",
        "邾城街道办事处大会议室", "武汉市新洲区邾城街道办事处",
        (
            Item("问题和投诉情况", "新洲区城市管理执法局", 15),
            Item("疏导区设置方案", "孙海涛（市城市管理执法委员会）", 20),
            Item("居民、商贩代表发言", "与会代表", 60),
            Item("总结", "孙海涛（市城市管理执法委员会）", 25),
        ),
        capacity=80,
    ),
    Plan(
        VISIT, "health", "hannan", -86, "09:30", 120,
        "乡镇卫生院服务能力提升走访（汉南区邓南街道）",
        "到邓南街道卫生院查看基本医疗设备配置、远程会诊和医生下乡巡诊情况，听取群众对看病就医的意见。",
        "推进紧密型医共体建设，让群众在家门口看得上病、看得好病。",
        "邓南街道卫生院", "武汉市汉南区邓南街道卫生院",
        (
            Item("卫生院服务情况汇报", "卫生院院长", 20),
            Item("查看门诊、检验科和远程会诊室", "周晓燕（市卫生健康委员会）", 50),
            Item("与候诊群众交流", "周晓燕（市卫生健康委员会）", 50),
        ),
    ),
    Plan(
        HEARING, "ecology", "hanyang", -95, "09:00", 150,
        "长江汉阳段岸线生态修复方案听证会",
        "就长江汉阳段岸线生态修复方案举行听证。方案涉及码头拆除后的岸线复绿、江滩湿地恢复和亲水步道建设。",
        "岸线修复涉及沿江居民、原码头经营者和生态保护等多方利益，方案报批前听取各方意见。",
        "汉阳区人民政府听证室", "武汉市汉阳区人民政府",
        (
            Item("宣布听证事项", "听证主持人", 10),
            Item("修复方案说明", "张丽华（市生态环境局）", 30),
            Item("听证参加人发言", "听证参加人", 80),
            Item("专家意见", "生态修复专家", 20),
            Item("总结", "听证主持人", 10),
        ),
        capacity=30,
    ),
    Plan(
        TOWN_HALL, "transport", "qiaokou", -104, "19:00", 120,
        "Town Hall: Parking Shortages in Older Residential Compounds",
        "Residents of older compounds near Zongguan discussed the shortage of parking spaces, overnight parking "
        "on the street and proposals to share car parks with nearby offices and schools.",
        "To collect options for easing parking pressure before the district drafts its parking plan for older "
        "neighbourhoods.",
        "Zongguan Street Community Centre", "Zongguan Street, Qiaokou District, Wuhan",
        (
            Item("Parking supply and demand survey", "Li Zhiqiang, Transport Bureau", 20),
            Item("Shared parking pilots elsewhere in Wuhan", "Qiaokou District Transport Bureau", 20),
            Item("Residents' proposals", "Residents", 55),
            Item("Next steps", "Li Zhiqiang, Transport Bureau", 25),
        ),
        capacity=80,
    ),
    Plan(
        BRIEFING, "letters-visits", "caidian", -115, "09:30", 90,
        "《信访工作条例》宣讲暨领导干部下访接待",
        "宣讲《信访工作条例》关于信访事项受理、办理期限和信访人权利义务的规定，随后由市、区领导干部现场接待来访群众。",
        "引导群众依法理性表达诉求，介绍网上信访和 12345 市民服务热线等便捷渠道。",
        "奓山街道办事处会议室", "武汉市蔡甸区奓山街道办事处",
        (
            Item("《信访工作条例》解读", "郑红梅（市信访局）", 30),
            Item("网上信访和 12345 热线使用介绍", "蔡甸区信访局", 15),
            Item("领导干部现场接访", "市、区领导干部", 45),
        ),
    ),
)

MEETINGS = UPCOMING + PAST


# ---------------------------------------------------------------------------- loading


class _Tally:
    def __init__(self) -> None:
        self.created: dict[str, int] = {}
        self.present: dict[str, int] = {}
        self.completed = 0

    def add(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.present
        bucket[kind] = bucket.get(kind, 0) + 1

    def phrase(self, kind: str, noun: str) -> str:
        created, present = self.created.get(kind, 0), self.present.get(kind, 0)
        return f"{created + present} {noun} ({created} created, {present} already present)"


def load_demo(echo: Callable[[str], None] = print) -> str:
    """Load the Wuhan demo data set through the services; safe to run again (creates nothing twice).

    Prints progress through `echo` and returns a one-paragraph summary with the demo logins.
    Raises DemoLoadError naming the record when a service refuses one.
    """
    now = utcnow().replace(microsecond=0)
    today = now.astimezone(ZoneInfo(DEMO_TIMEZONE)).date()
    tally = _Tally()
    echo(f"Loading the Townhall demo data for Wuhan (meetings dated around {today.isoformat()})...")
    district_ids = _ensure_places(District, DISTRICTS, "district", tally, echo)
    department_ids = _ensure_places(Department, DEPARTMENTS, "department", tally, echo)
    users = _ensure_accounts(department_ids, tally, echo)
    echo(f"Meetings: {len(MEETINGS)} in the demo set.")
    meetings = []
    for number, plan in enumerate(MEETINGS, start=1):
        meeting, what = _ensure_meeting(plan, district_ids, department_ids, users, now, today, tally)
        meetings.append(meeting)
        echo(f"  [{number:>2}/{len(MEETINGS)}] {what}: {meeting.title}")
    for extra in _EXTRA_LOADERS:
        extra(echo)
    return _summary(tally, meetings, now)


def _load_registrations(echo) -> None:
    from app.demo.registrations import load_demo_registrations

    echo("Registrations:")
    echo(f"  {load_demo_registrations(echo=echo)} registrations created.")


def _load_questions(echo) -> None:
    from app.demo.questions import load_demo_questions

    echo("Questions:")
    echo(f"  {load_demo_questions(echo=echo)} questions created.")


def _load_minutes(echo) -> None:
    from app.demo.minutes import load_demo_minutes

    echo("Minutes:")
    echo(f"  {load_demo_minutes(echo=echo)} minutes created.")


def _load_actions(echo) -> None:
    from app.demo.actions import load_demo_actions

    echo("Action items:")
    echo(f"  {load_demo_actions(echo=echo)} action items created.")


# Later features add their demo data here, each loader idempotent on its own.
_EXTRA_LOADERS: list[Callable[[Callable[[str], None]], None]] = [_load_registrations, _load_questions,
                                                                 _load_minutes, _load_actions]


def _ensure_places(model, places: tuple[Place, ...], kind: str, tally: _Tally, echo) -> dict[str, int]:
    """Districts and departments have no service of their own yet: add the missing ones by code,
    each with an audit event, in one transaction."""
    existing = dict(db.session.execute(sa.select(model.code, model.id)).all())
    for place in places:
        if place.code in existing:
            tally.add(kind, created=False)
            continue
        row = model(code=place.code, name_zh=place.name_zh, name_en=place.name_en)
        db.session.add(row)
        db.session.flush()
        record_audit(None, f"{kind}.create", kind, row.id, details={"code": place.code})
        existing[place.code] = row.id
        tally.add(kind, created=True)
    db.session.commit()
    echo(tally.phrase(kind, f"{kind}s").capitalize() + ".")
    return {place.code: existing[place.code] for place in places}


def _ensure_accounts(department_ids: dict[str, int], tally: _Tally, echo) -> dict[str, User]:
    users = {}
    for account in ACCOUNTS:
        user = db.session.execute(sa.select(User).where(User.email == account.email)).scalar_one_or_none()
        tally.add("account", created=user is None)
        if user is None:
            try:
                user = account_services.create_user(
                    None, email=account.email, name=account.name, role=account.role, password=DEMO_PASSWORD,
                    department_id=department_ids[account.department] if account.department else None,
                )
            except DomainError as error:
                raise DemoLoadError(f"account {account.email}: {error.message}") from error
        users[account.email] = user
    echo(tally.phrase("account", "staff accounts") + ".")
    return users


def _local(day: date, at: str) -> datetime:
    hour, minute = (int(part) for part in at.split(":"))
    return datetime.combine(day, time(hour, minute))


def _can_host(user: User | None) -> bool:
    return user is not None and user.is_active and user.role in (Role.OFFICIAL, Role.ADMIN)


def _actor_for(plan: Plan, users: dict[str, User]) -> User:
    """The department's demo official, or the demo admin if an admin has since deactivated them."""
    for email in (OFFICIAL_OF[plan.department], ADMIN_EMAIL):
        if _can_host(users.get(email)):
            return users[email]
    raise DemoLoadError(f"meeting {plan.title!r}: no active demo official or admin to act for it")


def _meeting_data(plan: Plan, district_id: int, department_id: int, users: dict[str, User],
                  today: date) -> MeetingData:
    starts = _local(today + timedelta(days=plan.day), plan.at)
    host_emails = [OFFICIAL_OF[plan.department]] + [f"{login}@{EMAIL_DOMAIN}" for login in plan.cohosts]
    opens = closes = None
    if plan.capacity is not None:
        # Hearings close registration early so participants can be chosen and told in time.
        hearing = plan.type == MeetingType.HEARING
        opens = _local(starts.date() - timedelta(days=14 if hearing else 7), "09:00")
        closes = _local(starts.date() - timedelta(days=3 if hearing else 1), "17:00")
    return MeetingData(
        type=plan.type,
        title=plan.title,
        department_id=department_id,
        district_id=district_id,
        schedule=Schedule(timezone=DEMO_TIMEZONE, starts_local=starts,
                          ends_local=starts + timedelta(minutes=plan.minutes),
                          venue_name=plan.venue, address=plan.address, online_url=plan.online),
        summary=plan.summary,
        purpose=plan.purpose,
        host_ids=[users[email].id for email in host_emails if _can_host(users.get(email))],
        host_note=plan.host_note,
        registration_required=plan.capacity is not None,
        capacity=plan.capacity,
        registration_opens_local=opens,
        registration_closes_local=closes,
        agenda=[AgendaEntry(title=item.title, description=item.description, presenter=item.presenter,
                            duration_minutes=item.minutes) for item in plan.agenda],
    )


def _ensure_meeting(plan: Plan, district_ids: dict[str, int], department_ids: dict[str, int],
                    users: dict[str, User], now: datetime, today: date, tally: _Tally) -> tuple[Meeting, str]:
    """Find the meeting by exact title within its department, or create it; then take it through
    the rest of its planned life. Returns the meeting and what was done to it."""
    department_id = department_ids[plan.department]
    meeting = db.session.execute(
        sa.select(Meeting).where(Meeting.title == plan.title, Meeting.department_id == department_id)
        .order_by(Meeting.id).limit(1)
    ).scalar_one_or_none()
    existed = meeting is not None
    tally.add("meeting", created=not existed)
    actor = _actor_for(plan, users)
    steps = []
    try:
        if meeting is None:
            data = _meeting_data(plan, district_ids[plan.district], department_id, users, today)
            meeting = meeting_services.create_meeting(actor, data)
            steps.append("created as draft" if plan.draft else "created")
        steps += _advance(plan, meeting, actor, now, today)
    except DomainError as error:
        raise DemoLoadError(f"meeting {plan.title!r}: {error.message}") from error
    if existed and steps:
        tally.completed += 1
    return meeting, ", ".join(steps) if steps else "already present"


def _advance(plan: Plan, meeting: Meeting, actor: User, now: datetime, today: date) -> list[str]:
    """Publish, reschedule and cancel as planned, skipping steps already taken. Each step runs at a
    plausible moment: never in the future, and early enough to meet the notice rules."""
    done: list[str] = []
    if plan.draft:
        return done
    if meeting.is_draft:
        lead = timedelta(days=1) if plan.short_notice else PUBLISH_LEAD.get(plan.type, DEFAULT_PUBLISH_LEAD)
        meeting_services.publish_meeting(actor, meeting, short_notice_reason=plan.short_notice or None,
                                         confirm_conflicts=True, now=min(now, meeting.starts_at - lead))
        done.append("published at short notice" if meeting.short_notice_reason else "published")
    if plan.move and meeting.is_published and meeting.sequence == 0:
        move = plan.move
        starts = _local(today + timedelta(days=move.day), move.at)
        schedule = Schedule(timezone=DEMO_TIMEZONE, starts_local=starts,
                            ends_local=starts + timedelta(minutes=plan.minutes),
                            venue_name=move.venue or meeting.venue_name,
                            address=move.address or meeting.address, online_url=meeting.online_url)
        new_start = starts.replace(tzinfo=ZoneInfo(DEMO_TIMEZONE))
        at = max(meeting.published_at, min(now, new_start - DEFAULT_PUBLISH_LEAD))
        meeting_services.reschedule_meeting(actor, meeting, schedule, reason=move.reason, now=at)
        done.append("rescheduled")
    if plan.cancel and meeting.is_published:
        at = max(meeting.published_at, min(now, meeting.starts_at - CANCEL_LEAD))
        meeting_services.cancel_meeting(actor, meeting, reason=plan.cancel, now=at)
        done.append("cancelled")
    return done


def _summary(tally: _Tally, meetings: list[Meeting], now: datetime) -> str:
    published = [m for m in meetings if m.is_published]
    upcoming = sum(not m.is_past(now) for m in published)
    drafts = sum(m.is_draft for m in meetings)
    cancelled = sum(m.is_cancelled for m in meetings)
    department_names = {d.code: d.name_zh for d in DEPARTMENTS}
    logins = "; ".join(
        f"{a.email} / {DEMO_PASSWORD} / {a.role.value} ({a.name}"
        + (f", {department_names[a.department]})" if a.department else ")")
        for a in ACCOUNTS
    )
    completed = ""
    if tally.completed:
        completed = (" 1 meeting left half-done by an earlier run was completed." if tally.completed == 1 else
                     f" {tally.completed} meetings left half-done by an earlier run were completed.")
    kept = (" Accounts that already existed keep their current password."
            if tally.present.get("account") else "")
    return (
        f"Townhall demo data for Wuhan: {tally.phrase('district', 'districts')}, "
        f"{tally.phrase('department', 'departments')}, {tally.phrase('account', 'staff accounts')} and "
        f"{tally.phrase('meeting', 'meetings')}: {upcoming} upcoming and {len(published) - upcoming} past "
        f"published, {drafts} drafts, {cancelled} cancelled.{completed} "
        f"Demo logins, sign in at /login (email / password / role): {logins}.{kept}"
    )
