"""A realistic demo county, written through the bulk write path (so it obeys every rule a clerk's edit does).

Several townships and projects; communities at every stage with items, money in every measure,
milestones, patrols with rectifications (most closed, a few overdue), management checks, and a community
withdrawn after a failed consent vote. Batch names agree with batch numbers, plan years with the milestone
dates. Rows are made a few hundred projects at a time and written by `core/importing/bulk.py` in the
caller's one transaction, inside one `bulk.one_run` (the work that grows with the database — index builds,
the items list's landmarks, full-text rows, categories — done once at the end, not per chunk), so 200,000
communities take minutes rather than hours. A new file is filled with a rollback journal instead of the
write-ahead log (`storage.database.filling_new_file`: no page written twice) and is in WAL mode again after.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, communities, divisions, workspace
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model.base import new_ids

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


CHUNK_PROJECTS = 300  # projects whose rows are made and written together (bounded memory at any size)
NUMERALS = "一二三四五六七八九十"


def build(
    session: Session,
    *,
    communities_count: int = 40,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Fill a new database (county mode) with the demo county. Deterministic for a seed and a day."""
    rng = random.Random(seed)
    today = today or date.today()
    if not workspace.is_initialised(session):
        from oldcomm_desktop.storage import database

        database.filling_new_file(session)  # a new file: filled with a rollback journal, WAL again after
        workspace.initialise(session, mode=workspace.COUNTY, code=COUNTY[0], name=COUNTY[1], operator="演示操作员")
    for code, name, villages in TOWNSHIPS:
        divisions.ensure(session, code, name)
        for i, v in enumerate(villages, start=1):
            divisions.ensure(session, code[:9] + f"{i:03d}", v, urban_rural_class="111")
    maker = _Maker(session, rng, today)
    made = project_no = 0
    batches: dict[tuple[str, int | None], int] = defaultdict(int)
    totals: dict[str, dict[str, int]] = {}
    with bulk.one_run(session):  # indexes, landmarks, full-text rows and categories once at the end
        while made < communities_count:
            rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for _ in range(CHUNK_PROJECTS):
                if made >= communities_count:
                    break
                code, tname, villages = TOWNSHIPS[project_no % len(TOWNSHIPS)]
                project_no += 1
                year = rng.choice([today.year - 2, today.year - 1, today.year, today.year, today.year + 1])
                plan_year = year if year <= today.year else None
                batches[(code, plan_year)] += 1
                number = batches[(code, plan_year)]
                numeral = NUMERALS[number - 1] if number <= len(NUMERALS) else str(number)
                project = {
                    "id": maker.new_id(),
                    "name": f"{tname}{year}年老旧小区改造项目（第{numeral}批）",
                    "township_code": code,
                    "plan_year": plan_year,
                    "batch": f"第{numeral}批",
                    "start_kind": "new" if year == today.year else "continued",
                    "builder": f"{tname}办事处",
                    "contractor": rng.choice(CONTRACTORS),
                    "supervisor": rng.choice(SUPERVISORS),
                    "designer": "青禾县规划设计院",
                }
                rows["project"].append(project)
                for _ in range(rng.randint(2, 4)):
                    if made >= communities_count:
                        break
                    maker.community(rows, project, villages, made)
                    made += 1
            plan = bulk.prepare(session, rows, confirm=True, today=today)
            if plan.rejected:
                raise bulk.BulkRejected(plan.rejected)
            bulk.apply(session, plan, source="演示数据", kind="demo", event=False)
            for table, counts in plan.counts().items():
                for action, count in counts.items():
                    totals.setdefault(table, {}).setdefault(action, 0)
                    totals[table][action] += count
            if progress is not None:
                progress(made, communities_count)
        bulk.record_event(session, source="演示数据", kind="demo", counts=totals)
        session.flush()
    from oldcomm_desktop.core.supervision import demo as supervision_demo  # schedules, orders, checks, requests

    supervision_demo.build(session, seed=seed, today=today)


class _Maker:
    """Makes one community's rows (and its children's) with consistent dates, money and states."""

    def __init__(self, session: Session, rng: random.Random, today: date):
        self.rng, self.today = rng, today
        self.patrol = [(it.id, it.area, it.text) for it in catalogues.template(session, "patrol_default").items]
        mgmt = catalogues.template(session, "management_default")
        self.mgmt_id = mgmt.id
        self.mgmt = [(it.id, it.area, it.text, it.max_score or 0) for it in mgmt.items]
        self.patrol_id = catalogues.template(session, "patrol_default").id
        self._ids: list[str] = []

    def new_id(self) -> str:
        """The next record id, taken from ids made a few hundred at a time (`base.new_ids`: the same kind of
        time-ordered ids as one `new_id` call each, for a third of the cost): ~7 per community here."""
        if not self._ids:
            self._ids = new_ids(512)
            self._ids.reverse()
        return self._ids.pop()

    def community(
        self, rows: dict[str, list[dict[str, Any]]], project: dict[str, Any], villages: list[str], n: int
    ) -> None:
        rng, today = self.rng, self.today
        code = project["township_code"]
        households = rng.randint(40, 600)
        base_name = NAMES[n % len(NAMES)]
        name = base_name + ("小区" if not base_name.endswith(("区", "苑", "村", "院", "舍", "街")) else "")
        if n >= len(NAMES):
            name = f"{name}{n // len(NAMES) + 1}期"
        area = Decimal(households * rng.randint(62, 95)) + Decimal(rng.randint(0, 99)) / 100
        chosen = rng.sample(ITEM_PLAN, rng.randint(4, 8))
        quantities = [(type_code, Decimal(rng.randint(lo, hi)), price) for type_code, lo, hi, price in chosen]
        total = sum((q * price for _, q, price in quantities), Decimal(0))
        cid = self.new_id()
        stage = _stage_for(rng, project["plan_year"], today, n)
        c = {
            "id": cid,
            "name": name,
            "township_code": code,
            "project_id": project["id"],
            "village_code": code[:9] + f"{rng.randint(1, len(villages)):03d}",
            "address": f"{villages[0][:2]}路{rng.randint(1, 300)}号",
            "year_built": rng.randint(1982, 2000),
            "buildings": max(1, households // rng.randint(24, 60)),
            "households": households,
            "floor_area": area,
            "management_mode": rng.choice(list(communities.MANAGEMENT_MODES)),
            "contact_person": rng.choice(["王", "李", "张", "刘", "陈", "杨"])
            + rng.choice(["丽", "强", "敏", "军", "芳"]),
            "contact_phone": f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
            "livelihood_project": rng.random() < 0.3,
            "in_statistics": rng.random() < 0.7,
            "total_investment": total,
            **_consent(households, area, passed=stage != "withdrawn"),
        }
        rows["community"].append(c)
        made_items = []
        for type_code, qty, price in quantities:
            item = {
                "id": self.new_id(),
                "community_id": cid,
                "item_type_id": type_code,
                "planned_quantity": qty,
                "investment": qty * price,
            }
            rows["renovation_item"].append(item)
            made_items.append(item)
        ms = rows["milestone"]
        if stage == "withdrawn":
            ms.append({"community_id": cid, "kind": "survey", "reached_on": today - timedelta(days=200)})
            ms.append(
                {
                    "community_id": cid,
                    "kind": "withdrawal",
                    "reached_on": today - timedelta(days=150),
                    "reason": "意愿征询未达到三分之二，居民不同意改造",
                }
            )
            return
        if stage == "reserve":
            return
        year = project["plan_year"]
        # the plan milestone falls in the plan year; later steps follow it, none after today
        plan_day = min(date(year, 1, 10) + timedelta(days=rng.randint(0, 80)), today)
        dates = {"survey": plan_day - timedelta(days=20), "plan": plan_day}
        for kind, offset in (("approval", 25), ("tender", 50), ("permit", 65)):
            dates[kind] = plan_day + timedelta(days=offset)
        start = plan_day + timedelta(days=rng.randint(90, 110))
        done = start + timedelta(days=rng.randint(120, 200))
        acc = done + timedelta(days=rng.randint(15, 40))
        wanted = {"planned": 0, "started": 1, "completed": 2, "accepted": 3}[stage]
        reached = 0 if start > today else 1 if done > today else 2 if acc + timedelta(days=30) > today else 3
        stage = ("planned", "started", "completed", "accepted")[min(wanted, reached)]
        for kind, on in dates.items():
            if on <= today:
                ms.append(
                    {
                        "community_id": cid,
                        "kind": kind,
                        "reached_on": on,
                        "document_no": f"青发改投资〔{on.year}〕{rng.randint(10, 99)}号"
                        if kind == "approval"
                        else None,
                    }
                )
        self._funding(rows, cid, total, stage)
        if stage == "planned":
            return
        ms.append({"community_id": cid, "kind": "start", "reached_on": start})
        self._progress(rows, c, made_items, start, stage)
        self._patrols(rows, cid, start, project["contractor"])
        if stage == "started":
            c["progress_percent"] = rng.randint(10, 90)
            return
        ms.append({"community_id": cid, "kind": "completion", "reached_on": done})
        c["progress_percent"] = 100
        if stage == "accepted":
            ms.append({"community_id": cid, "kind": "acceptance", "reached_on": acc})
            ms.append({"community_id": cid, "kind": "filing", "reached_on": acc + timedelta(days=rng.randint(3, 14))})
            ms.append({"community_id": cid, "kind": "takeover", "reached_on": acc + timedelta(days=30)})
            c.update(
                {
                    "owners_committee": "owners",
                    "owners_committee_date": acc + timedelta(days=40),
                    "maintenance_fund_collected": Decimal(households * 800),
                    "property_fee": Decimal("0.60"),
                    "satisfaction_percent": Decimal(rng.randint(85, 99)),
                }
            )
            self._management_check(rows, cid, min(acc + timedelta(days=90), today))

    def _funding(self, rows: dict[str, list[dict[str, Any]]], cid: str, total: Decimal, stage: str) -> None:
        left = total
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
            paid = (arrived * Decimal(self.rng.randint(70, 100)) / 100).quantize(Decimal("0.01"))
            rows["funding_line"].append(
                {
                    "community_id": cid,
                    "source_id": code,
                    "approved": approved,
                    "annual_plan": approved,
                    "arrived": arrived,
                    "paid": paid,
                }
            )

    def _progress(
        self,
        rows: dict[str, list[dict[str, Any]]],
        c: dict[str, Any],
        made_items: list[dict[str, Any]],
        start: date,
        stage: str,
    ) -> None:
        rng, today = self.rng, self.today
        finished = stage in ("completed", "accepted")
        share = Decimal(1) if finished else Decimal(rng.randint(20, 80)) / 100
        for item in made_items:
            qty = item["planned_quantity"] if finished else (item["planned_quantity"] * share).quantize(Decimal(1))
            item.update(
                {"started_on": start, "completed_quantity": qty, "status": "completed" if finished else "started"}
            )
            if finished:
                item["completed_on"] = min(start + timedelta(days=120), today)
        months = max(1, min(4, (today - start).days // 60))  # entered every two months
        target = (c["total_investment"] * share * Decimal("0.95")).quantize(Decimal("0.01"))
        per = (target / months).quantize(Decimal("0.01"))
        for m in range(months):
            amount = per if m < months - 1 else target - per * (months - 1)
            when = min(start + timedelta(days=60 * m + 25), today)
            rows["investment_entry"].append(
                {"community_id": c["id"], "entry_date": when, "amount": amount, "source_id": "city_county"}
            )

    def _patrols(self, rows: dict[str, list[dict[str, Any]]], cid: str, start: date, contractor: str) -> None:
        rng, today = self.rng, self.today
        for k in range(rng.choice([0, 1, 1, 2])):  # patrols pick sites: not every site every round
            day = min(start + timedelta(days=20 + 35 * k), today)
            fail_at = set(rng.sample(range(len(self.patrol)), rng.choice([0, 0, 1, 2])))
            iid = self.new_id()
            problems = [f"{self.patrol[i][2]}不符合要求" for i in sorted(fail_at)]
            rows["inspection"].append(
                {
                    "id": iid,
                    "community_id": cid,
                    "kind": "patrol",
                    "inspected_on": day,
                    "template_id": self.patrol_id,
                    "inspectors": "县住建局 周工、乡镇 王敏",
                    "findings": "；".join(problems) or "未发现问题",
                }
            )
            for n, (item_id, area, text) in enumerate(self.patrol, start=1):
                rows["inspection_result"].append(
                    {
                        "inspection_id": iid,
                        "template_item_id": item_id,
                        "area": area,
                        "text": text,
                        "result": "fail" if n - 1 in fail_at else "pass",
                        "sort_order": n,
                    }
                )
            for problem in problems:
                deadline = day + timedelta(days=rng.choice([7, 10, 15]))
                rid = self.new_id()
                rect = {
                    "id": rid,
                    "inspection_id": iid,
                    "problem": problem,
                    "requirement": "立即整改并报监理复查",
                    "deadline": deadline,
                    "addressed_to": contractor,
                }
                rows["rectification"].append(rect)
                fate = rng.random()
                # most notices are closed in time; a few are answered but not yet re-inspected; few overdue
                if deadline < today and fate < 0.85:
                    replied = min(deadline - timedelta(days=rng.randint(0, 3)), today)
                    rect.update({"reply": "已按要求整改完毕", "replied_on": max(replied, day)})
                    rows["reinspection"].append(
                        {
                            "rectification_id": rid,
                            "inspector": "周工",
                            "passed": True,
                            "inspected_on": min(deadline + timedelta(days=2), today),
                            "note": "现场复查合格（演示数据无照片）",
                        }
                    )
                elif fate < 0.95:
                    rect.update({"reply": "正在整改", "replied_on": min(day + timedelta(days=3), today)})

    def _management_check(self, rows: dict[str, list[dict[str, Any]]], cid: str, day: date) -> None:
        iid = self.new_id()
        rows["inspection"].append(
            {
                "id": iid,
                "community_id": cid,
                "kind": "management",
                "inspected_on": day,
                "template_id": self.mgmt_id,
                "inspectors": "县住建局考评组",
            }
        )
        for n, (item_id, area, text, top) in enumerate(self.mgmt, start=1):
            score = Decimal(top) - self.rng.randint(0, max(1, top // 4))
            rows["inspection_result"].append(
                {
                    "inspection_id": iid,
                    "template_item_id": item_id,
                    "area": area,
                    "text": text,
                    "score": score,
                    "max_score": top,
                    "sort_order": n,
                }
            )


def _stage_for(rng: random.Random, plan_year: int | None, today: date, n: int) -> str:
    if n % 997 == 5:
        return "withdrawn"
    if plan_year is None:
        return "reserve"
    if plan_year < today.year:
        return rng.choice(["completed", "accepted", "accepted"])
    return rng.choice(["planned", "started", "started", "completed"])


def _consent(owners: int, area: Decimal, *, passed: bool) -> dict[str, Any]:
    part = owners * 9 // 10 if passed else owners // 2
    yes = part * 9 // 10 if passed else part // 3
    area_part = (area * part / owners).quantize(Decimal("0.01"))
    area_yes = (area * yes / owners).quantize(Decimal("0.01"))
    return {
        "consent_owners_total": owners,
        "consent_owners_participating": part,
        "consent_owners_for": yes,
        "consent_owners_against": part - yes,
        "consent_area_total": area,
        "consent_area_participating": area_part,
        "consent_area_for": area_yes,
        "consent_area_against": area_part - area_yes,
    }
