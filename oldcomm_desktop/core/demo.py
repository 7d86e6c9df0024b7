"""A realistic demo county, built through the same services a clerk uses (so it obeys every rule).

Several townships and projects; communities at every stage with items, money in every measure,
milestones, patrols with rectifications (some overdue, some closed), management checks, and one
community withdrawn after a failed consent vote.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from oldcomm_desktop.core import (
    catalogues,
    communities,
    divisions,
    funding,
    inspections,
    items,
    milestones,
    projects,
    workspace,
)
from oldcomm_desktop.core.model import Community

COUNTY = ("341122000000", "青禾县")
TOWNSHIPS = [
    ("341122001000", "城关街道", ["城北社区", "城南社区", "文昌社区"]),
    ("341122002000", "东城街道", ["东园社区", "建设社区"]),
    ("341122101000", "临河镇", ["临河社区", "新华社区"]),
    ("341122102000", "柳林镇", ["柳林社区"]),
    ("341122201000", "石桥乡", ["石桥社区"]),
]
NAMES = [
    "幸福里",
    "和平苑",
    "建设新村",
    "纺织厂宿舍",
    "粮食局家属院",
    "供电小区",
    "文化新村",
    "工人新村",
    "银杏苑",
    "曙光小区",
    "人民路",
    "向阳小区",
    "农机厂宿舍",
    "桃园新村",
    "红星小区",
    "长安小区",
    "重庆路",
    "光明小区",
    "教师新村",
    "税务小区",
    "商业局宿舍",
    "春晖苑",
    "南苑新村",
    "东风小区",
    "电力宿舍",
    "丝绸厂宿舍",
    "百花苑",
    "团结小区",
    "水利局宿舍",
    "铁路新村",
    "迎宾小区",
    "中心街",
    "振兴小区",
    "金桥小区",
    "平安小区",
    "永安小区",
    "卫生局宿舍",
    "机械厂宿舍",
    "兴华苑",
    "新民小区",
]
CONTRACTORS = ["安徽建工集团有限公司", "青禾县城建工程有限公司", "皖北市政工程有限公司", "恒信建设有限公司"]
SUPERVISORS = ["青禾县建设监理有限公司", "华诚工程咨询有限公司"]
ITEM_PLAN = [
    ("road", 2000, 9000, 180),
    ("water_pipe", 600, 4000, 260),
    ("power_line", 500, 3000, 150),
    ("gas_pipe", 400, 3000, 300),
    ("stairwell", 4, 20, 30000),
    ("handrail", 4, 20, 8000),
    ("plaza", 1, 2, 150000),
    ("fitness", 10, 35, 3000),
    ("parking", 10, 60, 6000),
    ("ev_charger", 4, 20, 8000),
    ("greening", 500, 3000, 90),
    ("lighting", 20, 120, 600),
    ("elevator", 1, 4, 450000),
    ("elderly_care", 1, 1, 300000),
    ("security", 8, 40, 2500),
]
SHARES = [
    ("central_budget", Decimal("0.45")),
    ("provincial", Decimal("0.15")),
    ("city_county", Decimal("0.25")),
    ("utility_units", Decimal("0.05")),
    ("residents", Decimal("0.10")),
]


def build(session: Session, *, communities_count: int = 40, seed: int = 1, today: date | None = None) -> None:
    """Fill a new database (county mode) with the demo county. Deterministic for a seed and a day."""
    rng = random.Random(seed)
    today = today or date.today()
    if not workspace.is_initialised(session):
        workspace.initialise(session, mode=workspace.COUNTY, code=COUNTY[0], name=COUNTY[1], operator="演示操作员")
    for code, name, villages in TOWNSHIPS:
        divisions.ensure(session, code, name)
        for i, v in enumerate(villages, start=1):
            divisions.ensure(session, code[:9] + f"{i:03d}", v, urban_rural_class="111")
    made = 0
    project_no = 0
    while made < communities_count:
        code, tname, villages = TOWNSHIPS[project_no % len(TOWNSHIPS)]
        project_no += 1
        year = rng.choice([today.year - 2, today.year - 1, today.year, today.year, today.year + 1])
        project = projects.create(
            session,
            {
                "name": f"{tname}{year}年老旧小区改造项目（{'一二三四五六七八九'[project_no % 9]}批）",
                "township_code": code,
                "plan_year": year if year <= today.year else None,
                "batch": f"第{project_no % 3 + 1}批",
                "start_kind": "new" if year == today.year else "continued",
                "builder": f"{tname}办事处",
                "contractor": rng.choice(CONTRACTORS),
                "supervisor": rng.choice(SUPERVISORS),
                "designer": "青禾县规划设计院",
            },
        )
        for _ in range(rng.randint(2, 4)):
            if made >= communities_count:
                break
            _community(session, rng, project, code, villages, made, today)
            made += 1
    session.flush()
    from oldcomm_desktop.core.supervision import demo as supervision_demo  # schedules, orders, checks, requests

    supervision_demo.build(session, seed=seed, today=today)


def _community(
    session: Session,
    rng: random.Random,
    project,
    code: str,
    villages: list[str],
    n: int,  # noqa: ANN001
    today: date,
) -> Community:
    households = rng.randint(40, 600)
    name = NAMES[n % len(NAMES)] + (
        "小区" if not NAMES[n % len(NAMES)].endswith(("区", "苑", "村", "院", "舍", "街")) else ""
    )
    if n >= len(NAMES):
        name = f"{name}{n // len(NAMES) + 1}期"
    c = communities.create(
        session,
        {
            "name": name,
            "township_code": code,
            "project_id": project.id,
            "village_code": code[:9] + f"{rng.randint(1, len(villages)):03d}",
            "address": f"{villages[0][:2]}路{rng.randint(1, 300)}号",
            "year_built": rng.randint(1982, 2000),
            "buildings": max(1, households // rng.randint(24, 60)),
            "households": households,
            "floor_area": Decimal(households * rng.randint(62, 95)) + Decimal(rng.randint(0, 99)) / 100,
            "management_mode": rng.choice(list(communities.MANAGEMENT_MODES)),
            "contact_person": rng.choice(["王", "李", "张", "刘", "陈", "杨"])
            + rng.choice(["丽", "强", "敏", "军", "芳"]),
            "contact_phone": f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
            "livelihood_project": rng.random() < 0.3,
            "in_statistics": rng.random() < 0.7,
        },
    )
    stage = _stage_for(rng, project.plan_year, today, n)
    chosen = rng.sample(ITEM_PLAN, rng.randint(4, 8))
    total = Decimal(0)
    made_items = []
    for type_code, lo, hi, unit_price in chosen:
        qty = Decimal(rng.randint(lo, hi))
        inv = qty * unit_price
        total += inv
        made_items.append(
            items.create(session, c.id, {"item_type_id": type_code, "planned_quantity": qty, "investment": inv})
        )
    communities.update(session, c.id, {"total_investment": total, "consent_date": None})
    if stage == "withdrawn":
        _consent(session, c, passed=False)
        milestones.add(session, c, {"kind": "survey", "reached_on": today - timedelta(days=200)}, today=today)
        milestones.add(
            session,
            c,
            {
                "kind": "withdrawal",
                "reached_on": today - timedelta(days=150),
                "reason": "意愿征询未达到三分之二，居民不同意改造",
            },
            today=today,
        )
        return c
    _consent(session, c, passed=True)
    if stage == "reserve":
        return c
    base = (
        today - timedelta(days=rng.randint(420, 700))
        if stage in ("completed", "accepted")
        else today - timedelta(days=rng.randint(120, 300))
    )
    steps = [("survey", 0), ("plan", 20), ("approval", 45), ("tender", 70), ("permit", 85)]
    for kind, offset in steps:
        milestones.add(
            session,
            c,
            {
                "kind": kind,
                "reached_on": base + timedelta(days=offset),
                "document_no": f"青发改投资〔{(base.year)}〕{rng.randint(10, 99)}号" if kind == "approval" else None,
            },
            today=today,
        )
    _funding(session, rng, c, total, stage)
    if stage == "planned":
        return c
    start = base + timedelta(days=rng.randint(90, 110))
    milestones.add(session, c, {"kind": "start", "reached_on": start}, today=today)
    _progress(session, rng, c, made_items, start, today, stage)
    _patrols(session, rng, c, start, today)
    if stage == "started":
        communities.update(session, c.id, {"progress_percent": rng.randint(10, 90)})
        return c
    done = start + timedelta(days=rng.randint(120, 200))
    milestones.add(session, c, {"kind": "completion", "reached_on": done}, today=today)
    communities.update(session, c.id, {"progress_percent": 100})
    if stage == "accepted":
        acc = done + timedelta(days=rng.randint(15, 40))
        milestones.add(session, c, {"kind": "acceptance", "reached_on": acc}, today=today)
        milestones.add(
            session, c, {"kind": "filing", "reached_on": acc + timedelta(days=rng.randint(3, 14))}, today=today
        )
        milestones.add(session, c, {"kind": "takeover", "reached_on": acc + timedelta(days=30)}, today=today)
        communities.update(
            session,
            c.id,
            {
                "owners_committee": "owners",
                "owners_committee_date": acc + timedelta(days=40),
                "maintenance_fund_collected": Decimal(households * 800),
                "property_fee": Decimal("0.60"),
                "satisfaction_percent": Decimal(rng.randint(85, 99)),
            },
        )
        _management_check(session, rng, c, min(acc + timedelta(days=90), today))
    return c


def _stage_for(rng: random.Random, plan_year: int | None, today: date, n: int) -> str:
    if n == 5:
        return "withdrawn"
    if plan_year is None:
        return "reserve"
    if plan_year < today.year:
        return rng.choice(["completed", "accepted", "accepted"])
    return rng.choice(["planned", "started", "started", "completed"])


def _consent(session: Session, c: Community, *, passed: bool) -> None:
    owners = c.households or 100
    part = owners * 9 // 10 if passed else owners // 2
    yes = part * 9 // 10 if passed else part // 3
    area = c.floor_area or Decimal(owners * 70)
    area_part = (area * part / owners).quantize(Decimal("0.01"))
    area_yes = (area * yes / owners).quantize(Decimal("0.01"))
    communities.update(
        session,
        c.id,
        {
            "consent_owners_total": owners,
            "consent_owners_participating": part,
            "consent_owners_for": yes,
            "consent_owners_against": part - yes,
            "consent_area_total": area,
            "consent_area_participating": area_part,
            "consent_area_for": area_yes,
            "consent_area_against": area_part - area_yes,
        },
    )


def _funding(session: Session, rng: random.Random, c: Community, total: Decimal, stage: str) -> None:
    lines, left = {}, total
    progress = {
        "planned": Decimal("0.3"),
        "started": Decimal("0.7"),
        "completed": Decimal("0.95"),
        "accepted": Decimal(1),
    }[stage]
    for i, (code, share) in enumerate(SHARES):
        approved = left if i == len(SHARES) - 1 else (total * share).quantize(Decimal(1))
        left -= approved
        arrived = (approved * progress).quantize(Decimal("0.01"))
        paid = (arrived * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal("0.01"))
        lines[code] = {"approved": approved, "annual_plan": approved, "arrived": arrived, "paid": paid}
    funding.set_lines(session, c, lines)


def _progress(
    session: Session, rng: random.Random, c: Community, made_items: list, start: date, today: date, stage: str
) -> None:
    finished = stage in ("completed", "accepted")
    share = Decimal(1) if finished else Decimal(rng.randint(20, 80)) / 100
    for item in made_items:
        qty = item.planned_quantity if finished else (item.planned_quantity * share).quantize(Decimal(1))
        changes = {"started_on": start, "completed_quantity": qty, "status": "completed" if finished else "started"}
        if finished:
            changes["completed_on"] = min(start + timedelta(days=120), today)
        items.update(session, item.id, changes)
    months = max(1, min(6, (today - start).days // 30))
    target = (c.total_investment * share * Decimal("0.95")).quantize(Decimal("0.01"))
    per = (target / months).quantize(Decimal("0.01"))
    for m in range(months):
        amount = per if m < months - 1 else target - per * (months - 1)
        when = min(start + timedelta(days=30 * m + 25), today)
        funding.add_investment(session, c, {"entry_date": when, "amount": amount, "source_id": "city_county"})


def _patrols(session: Session, rng: random.Random, c: Community, start: date, today: date) -> None:
    tmpl = catalogues.template(session, "patrol_default")
    for k in range(rng.randint(1, 2)):
        day = min(start + timedelta(days=20 + 35 * k), today)
        fail_at = set(rng.sample(range(len(tmpl.items)), rng.choice([0, 1, 2])))
        results = [
            {"template_item_id": it.id, "area": it.area, "text": it.text, "result": "fail" if i in fail_at else "pass"}
            for i, it in enumerate(tmpl.items)
        ]
        rects = [
            {
                "problem": f"{tmpl.items[i].text}不符合要求",
                "requirement": "立即整改并报监理复查",
                "deadline": day + timedelta(days=rng.choice([7, 10, 15])),
            }
            for i in sorted(fail_at)
        ]
        insp = inspections.record(
            session,
            c,
            {
                "kind": "patrol",
                "inspected_on": day,
                "inspectors": "县住建局 周工、乡镇 王敏",
                "findings": "；".join(r["problem"] for r in rects) or "未发现问题",
            },
            results,
            rects,
            template="patrol_default",
            today=today,
        )
        for rect in session.query(inspections.Rectification).filter_by(inspection_id=insp.id):
            fate = rng.random()
            if fate < 0.45 and rect.deadline < today:
                inspections.reply(session, rect.id, "已按要求整改完毕", min(rect.deadline, today))
                inspections.reinspect(
                    session,
                    rect.id,
                    {
                        "inspected_on": min(rect.deadline + timedelta(days=2), today),
                        "inspector": "周工",
                        "passed": True,
                        "note": "现场复查合格（演示数据无照片）",
                    },
                    today=today,
                )
            elif fate < 0.7:
                inspections.reply(session, rect.id, "正在整改", min(day + timedelta(days=3), today))


def _management_check(session: Session, rng: random.Random, c: Community, day: date) -> None:
    tmpl = catalogues.template(session, "management_default")
    results = [
        {
            "template_item_id": it.id,
            "area": it.area,
            "text": it.text,
            "score": Decimal(it.max_score) - rng.randint(0, max(1, it.max_score // 4)),
        }
        for it in tmpl.items
    ]
    inspections.record(
        session,
        c,
        {"kind": "management", "inspected_on": day, "inspectors": "县住建局考评组"},
        results,
        template="management_default",
        today=max(day, date.today()),
    )
