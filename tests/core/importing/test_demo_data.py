"""The demo, written through the bulk path: consistent with itself and every rule (issue 15's demo items)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from oldcomm_desktop.core import demo, integrity
from oldcomm_desktop.core.model import AuditEntry, Community, Milestone, Project, Rectification
from oldcomm_desktop.storage.database import Database

NUMERALS = "一二三四五六七八九十"


def test_demo_is_consistent(empty_db: Database) -> None:
    today = date(2026, 6, 15)
    with empty_db.transaction("演示操作员") as s:
        demo.build(s, communities_count=120, today=today)
    with empty_db.transaction("测试员") as s:
        assert s.query(Community).count() == 120
        for p in s.scalars(select(Project)):
            m = re.search(r"[（(]第(.+)批[）)]", p.name)
            assert m and p.batch == f"第{m.group(1)}批", p.name  # the name and the batch say the same
            if p.plan_year:
                assert f"{p.plan_year}年" in p.name
        plans = s.execute(
            select(Community.plan_year, Milestone.reached_on)
            .join(Milestone, Milestone.community_id == Community.id)
            .where(Milestone.kind == "plan")
        ).all()
        assert plans and all(on.year == year for year, on in plans)  # plan milestones fall in the plan year
        rects = list(s.scalars(select(Rectification)))
        overdue = [r for r in rects if not r.closed and r.current_deadline < today]
        assert rects and len(overdue) <= 0.25 * len(rects)
        assert {c.status for c in s.scalars(select(Community))} >= {"planned", "started", "accepted"}
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "import")).field == "demo"
        assert integrity.check(s) == []
