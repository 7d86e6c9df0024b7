"""The inspection-results rule reads the table as the package leaves it (`bulk.Batch.live_after`): a checklist
line that becomes 不合格 needs a rectification of its inspection live once the package is written. A stored
rectification the same package deletes no longer counts (a damaged package was taken, leaving a 不合格 line with
no rectification at the receiver); one the package restores counts (its row names only `deleted_at`, not its
inspection, and the package was refused for good)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import inspections, records
from oldcomm_desktop.core.model import Community, InspectionResult, Rectification
from oldcomm_desktop.core.sync.package import PackageError

from .conftest import T1, Node, exchange

TODAY = date(2026, 11, 30)


def _passed_inspection(node: Node) -> tuple[str, str, str]:
    """A patrol whose lines all passed, with a rectification ordered anyway: (inspection, its first line, the
    rectification)."""
    cid = node.new_community("幸福里小区", households=100)
    with node.db.transaction("录入员") as s:
        sheet = inspections.sheet(s, inspections.templates(s, "patrol")[0]["id"])
        lines = [
            {"template_item_id": it["id"], "area": it["area"], "text": it["text"], "result": "pass"}
            for it in sheet["items"]
        ]
        insp = inspections.record(
            s, s.get_one(Community, cid), {"kind": "patrol", "inspected_on": date(2026, 11, 1)}, lines,
            [{"problem": "围挡破损", "deadline": date(2026, 11, 8)}], template=sheet["id"], today=TODAY,
        )  # fmt: skip
        line = s.scalar(select(InspectionResult.id).where(InspectionResult.inspection_id == insp.id).limit(1))
        rect = s.scalar(select(Rectification.id).where(Rectification.inspection_id == insp.id))
        return insp.id, str(line), str(rect)


def _write_around_the_rules(node: Node, line: str, rect: str, *, rect_live: bool) -> None:
    """The line turned 不合格 and the rectification deleted or restored, written past the single-edit rules (as a
    damaged or hand-made database would hold them): the township's next package carries both."""
    with node.db.transaction("录入员") as s:
        s.get_one(InspectionResult, line).result = "fail"
        r = s.get_one(Rectification, rect)
        (records.restore if rect_live else records.soft_delete)(s, r)


def _line_and_rect(node: Node, line: str, rect: str) -> tuple:
    with node.db.transaction("测试员") as s:
        return s.get_one(InspectionResult, line).result, s.get_one(Rectification, rect).deleted_at is None


def test_a_failed_line_arriving_with_its_rectification_deleted_is_refused(county: Node, world) -> None:
    t1 = world[T1]
    _iid, line, rect = _passed_inspection(t1)
    exchange(county, t1, 1)
    _write_around_the_rules(t1, line, rect, rect_live=False)
    with pytest.raises(PackageError, match="须下达整改"):
        county.import_(t1.export().path)
    assert _line_and_rect(county, line, rect) == ("pass", True)
    assert county.open_conflicts() == []


def test_a_failed_line_arriving_with_its_rectification_restored_is_taken(county: Node, world) -> None:
    t1 = world[T1]
    _iid, line, rect = _passed_inspection(t1)
    with t1.db.transaction("录入员") as s:
        records.soft_delete(s, s.get_one(Rectification, rect))
    exchange(county, t1, 1)
    assert _line_and_rect(county, line, rect) == ("pass", False)
    _write_around_the_rules(t1, line, rect, rect_live=True)
    county.import_(t1.export().path)
    assert _line_and_rect(county, line, rect) == ("fail", True)
