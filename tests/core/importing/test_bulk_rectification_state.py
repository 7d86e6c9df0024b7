"""A rectification written through the bulk path without its re-inspections (a sync package carries only the rows
that changed) keeps the state its stored re-inspections give it: a closed one is not reopened and made overdue."""

from __future__ import annotations

from sqlalchemy import select

from oldcomm_desktop.core import demo
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import Rectification, Reinspection
from oldcomm_desktop.storage.database import open_database


def test_a_closed_rectification_changed_alone_stays_closed(tmp_path) -> None:
    db = open_database(tmp_path / "d.sqlite3")
    try:
        with db.transaction("演示操作员") as s:
            demo.build(s, communities_count=30)
        with db.transaction("测试员") as s:
            rect = s.scalars(
                select(Rectification).where(
                    Rectification.closed.is_(True),
                    Rectification.id.in_(select(Reinspection.rectification_id)),
                )
            ).first()
            assert rect is not None, "the demo has a rectification closed by a re-inspection"
            rid, closed_on, fields = rect.id, rect.closed_on, (rect.problem, rect.deadline, rect.inspection_id)
        with db.transaction("测试员") as s:
            row = {"id": rid, "problem": fields[0] + "补充", "deadline": fields[1], "inspection_id": fields[2]}
            bulk.write(s, {"rectification": [row]}, source="测试")
        with db.transaction("测试员") as s:
            again = s.get(Rectification, rid)
            assert (again.closed, again.closed_on) == (True, closed_on) and again.problem.endswith("补充")
    finally:
        db.close()
