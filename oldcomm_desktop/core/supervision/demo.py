"""The demo county's supervision: schedules, scored checks over several months, orders in every state,
residents' requests and hand-scored assessment points, so every 督办考核 page shows something real.

Runs after the ledger demo (`core.demo.build`) on the same session. The inspections (monthly scored checks
and weekly patrols, with their checklist lines) are bulk rows written by the one bulk write path
(`core/importing/bulk.py`: the inspection services' own field specs and rules, one audit event), and so are
the schedules, the orders with their targets and each target's steps (replayed by the orders' own state
machine), the residents' requests with their replies and the hand-given assessment points: the rules are the
services' own, one definition run by a clerk's single edit and by the bulk path. Deterministic for a
seed and a day; touches at most a few dozen communities, so a large demo ledger costs no more here than a
small one.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import Community, Project
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.core.supervision import requests, schedules
from oldcomm_desktop.core.supervision.periods import month_end, next_month

MONTHS_OF_CHECKS = 5
TOPICS = [
    ("停车难", "晚上车辆乱停，消防通道被占"),
    ("楼道灯不亮", "3号楼二单元楼道灯坏了一个月"),
    ("施工噪音", "早上六点就开始施工"),
    ("雨水管堵塞", "下雨后楼前积水"),
    ("加装电梯", "老人上下楼困难，希望加装电梯"),
    ("物业服务", "垃圾清运不及时"),
]
ORDER_PROBLEMS = [
    ("施工现场围挡破损，扬尘控制措施不到位", "立即修复围挡，落实洒水降尘措施，三日内报送整改情况"),
    ("开工进度滞后于年度计划", "倒排工期，加快推进，每周报送进度"),
    ("部分小区资金到位率偏低", "协调落实配套资金，月底前到位"),
    ("长效管理检查得分偏低", "对照评比表逐项整改，建立日常保洁制度"),
    ("居民反映施工噪音扰民", "合理安排施工时间，做好居民解释工作"),
    ("竣工验收资料不全", "补齐验收资料，按时办理备案"),
]


def build(session: Session, *, seed: int = 1, today: date | None = None) -> None:
    """Add the supervision demo to a county demo database."""
    rng = random.Random(seed * 7919)
    today = today or date.today()
    live = (
        select(Community)
        .where(Community.deleted_at.is_(None))
        .order_by(Community.township_code, Community.name, Community.id)
    )
    all_communities = list(session.scalars(live.limit(400)))
    if not all_communities:
        return
    managed = [c for c in all_communities if c.status in ("accepted", "completed")][:24]
    building = [c for c in all_communities if c.status == "started"][:10]
    first_month = today.replace(day=1)
    for _ in range(MONTHS_OF_CHECKS):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    _schedules(session, rng, managed, building, first_month, today)
    _checks(session, rng, managed, first_month, today)
    _patrols(session, rng, today)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    _orders(session, rng, today, rows)
    _requests(rng, all_communities[:60], today, rows)
    for d in divisions.townships(session):
        points = str(Decimal(str(rng.choice([3, 4, 4.5, 5]))))
        score = {"year": today.year, "township_code": d.code, "indicator": "mechanism", "points": points}
        rows["assessment_manual_score"].append({**score, "note": "演示评分"})
    _write(session, rows, today)


def _schedules(session: Session, rng: random.Random, managed: list, building: list, start: date, today: date) -> None:
    mgmt = schedules.default_template(session, "management")
    rows: list[dict[str, Any]] = []
    for d in divisions.townships(session):
        rows.append(
            {
                "township_code": d.code,
                "kind": "management",
                "frequency": "monthly",
                "starts_on": start,
                "inspector": "县住建局考评组",
                "template_id": mgmt,
                "notes": "每月对辖区改造后小区抽查评比",
            }
        )
    for c in managed[:12]:
        rows.append(
            {
                "community_id": c.id,
                "kind": "management",
                "frequency": "monthly",
                "starts_on": start,
                "inspector": rng.choice(["周工", "李工", "陈工"]),
                "template_id": mgmt,
                "township_code": None,
                "notes": None,
            }
        )
    patrol = schedules.default_template(session, "patrol")
    for c in building:
        rows.append(
            {
                "community_id": c.id,
                "kind": "patrol",
                "frequency": "weekly",
                "starts_on": max(start, today - timedelta(days=60)),
                "inspector": "质安站 王工",
                "template_id": patrol,
                "township_code": None,
                "notes": None,
            }
        )
    _write(session, {"inspection_schedule": rows}, today)


def _checks(session: Session, rng: random.Random, managed: list, start: date, today: date) -> None:
    """Monthly scored checks on the managed communities; a few months skipped, so some are missed."""
    tmpl = catalogues.template(session, "management_default")
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    month = start
    while month <= today:
        for c in managed:
            if rng.random() < 0.2:
                continue  # this month's check did not happen
            day = min(month + timedelta(days=rng.randint(3, 25)), month_end(month), today)
            if day < month:
                continue
            level = rng.choice([0, 1, 1, 2, 2, 3, 5])  # most good, a few poor
            iid = new_id()
            rows["inspection"].append(
                {
                    "id": iid,
                    "community_id": c.id,
                    "kind": "management",
                    "inspected_on": day,
                    "inspectors": "县住建局考评组",
                    "template_id": tmpl.id,
                }
            )
            for n, it in enumerate(tmpl.items, start=1):
                top = it.max_score or 0  # management sheets give every item a max_score
                rows["inspection_result"].append(
                    {
                        "inspection_id": iid,
                        "template_item_id": it.id,
                        "area": it.area,
                        "text": it.text,
                        "score": Decimal(top) - min(top, rng.randint(0, 1 + level * top // 8)),
                        "max_score": it.max_score,
                        "sort_order": n,
                    }
                )
        month = next_month(month)
    _write(session, rows, today)


def _patrols(session: Session, rng: random.Random, today: date) -> None:
    """Most weeks of the weekly patrol schedules get their patrol (all items passed); a few are missed."""
    tmpl = catalogues.template(session, "patrol_default")
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for occ in schedules.occurrences(session, today=today):
        if occ.kind != "patrol" or occ.state == "done" or not occ.community_id or rng.random() < 0.15:
            continue
        last = min(occ.window.end, today)
        day = occ.window.start + timedelta(days=rng.randint(0, (last - occ.window.start).days))
        iid = new_id()
        rows["inspection"].append(
            {
                "id": iid,
                "community_id": occ.community_id,
                "kind": "patrol",
                "inspected_on": day,
                "inspectors": "质安站 王工",
                "template_id": tmpl.id,
            }
        )
        for n, it in enumerate(tmpl.items, start=1):
            rows["inspection_result"].append(
                {
                    "inspection_id": iid,
                    "template_item_id": it.id,
                    "area": it.area,
                    "text": it.text,
                    "result": "pass",
                    "max_score": it.max_score,
                    "sort_order": n,
                }
            )
    _write(session, rows, today)


def _write(session: Session, rows: dict[str, list[dict[str, Any]]], today: date) -> None:
    """The bulk write path: every row checked by its service's own rules, all written or none."""
    if rows:
        bulk.write(session, rows, source="演示数据（督办考核）", kind="demo", today=today)


def _orders(session: Session, rng: random.Random, today: date, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Six orders whose targets end in every state: 待处理 (one overdue), 处理中, 已处理, sent back, 已确认;
    each target's steps are rows of its history, replayed by the orders' own state machine in the bulk path."""
    townships = [d.code for d in divisions.townships(session)]
    if not townships:
        return
    plans = [  # (days ago issued, days to deadline, steps per target)
        (50, 10, ["answer", "confirm"]),
        (40, 15, ["start", "answer", "send_back"]),
        (30, 10, ["start"]),
        (20, 15, ["answer"]),
        (12, 7, []),
        (3, 14, []),
    ]
    texts = {
        "start": "已部署落实",
        "answer": "已按要求整改完毕，附整改前后照片",
        "confirm": None,
        "send_back": "整改不彻底，请补充说明并附照片",
    }
    for n, (ago, days, steps) in enumerate(plans):
        issued = today - timedelta(days=ago)
        problem, requirement = ORDER_PROBLEMS[n % len(ORDER_PROBLEMS)]
        chosen = rng.sample(townships, k=min(len(townships), 1 + n % 2))
        oid = new_id()
        rows["supervision_order"].append(
            {
                "id": oid,
                "order_type": "hint" if n == 4 else "order",
                "problem": problem,
                "requirement": requirement,
                "issued_on": issued,
                "deadline": issued + timedelta(days=days),
                "department": "县住建局城建股",
                "contact": "张科长 0558-1234567",
            }
        )
        for code in sorted(chosen):
            project = session.scalar(
                select(Project.id).where(Project.township_code == code, Project.deleted_at.is_(None)).limit(1)
            )
            tid = new_id()
            rows["order_target"].append(
                {"id": tid, "order_id": oid, "township_code": code, "project_id": project if n % 3 == 0 else None}
            )
            rows["order_event"].append({"target_id": tid, "action": "issue", "on": issued, "text": None})
            day = issued
            for step in steps:
                day = min(day + timedelta(days=rng.randint(1, 4)), today)
                rows["order_event"].append({"target_id": tid, "action": step, "on": day, "text": texts[step]})


def _requests(rng: random.Random, communities: list, today: date, rows: dict[str, list[dict[str, Any]]]) -> None:
    for i, c in enumerate(communities[::3]):
        for k in range(rng.randint(1, 3)):
            topic, content = TOPICS[(i + k) % len(TOPICS)]
            raised = today - timedelta(days=rng.randint(1, 80))
            row: dict[str, Any] = {
                "community_id": c.id,
                "topic": topic,
                "content": content,
                "channel": rng.choice(list(requests.CHANNELS)),
                "raised_by": rng.choice(["居民代表 王阿姨", "业委会 刘主任", "12345 热线转办", "楼长 张师傅"]),
                "raised_on": raised,
                "reply": None,
                "replied_on": None,
                "satisfaction": None,
            }
            if rng.random() < 0.7:
                row["reply"] = "已现场核实并安排处理"
                row["replied_on"] = min(raised + timedelta(days=rng.randint(2, 20)), today)
                row["satisfaction"] = rng.choice(["satisfied", "satisfied", "basically", "unsatisfied", None])
            rows["resident_request"].append(row)
