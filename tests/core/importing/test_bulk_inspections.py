"""Inspections through the bulk write path (the demo's supervision checks and patrols) keep the single edit's
rules: a management line without a score is refused with `inspections.record`'s own words, a score above
the line's maximum too; a valid check gets its total and grade as `record` gives them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oldcomm_desktop.core import catalogues, communities, inspections
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import Inspection
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.storage.database import Database

TODAY = date(2026, 6, 30)


def _check_rows(session, cid: str, score_of) -> dict:
    tmpl = catalogues.template(session, "management_default")
    iid = new_id()
    rows = {
        "inspection": [
            {
                "id": iid,
                "community_id": cid,
                "kind": "management",
                "inspected_on": date(2026, 6, 3),
                "template_id": tmpl.id,
            }
        ],
        "inspection_result": [
            {
                "inspection_id": iid,
                "template_item_id": it.id,
                "area": it.area,
                "text": it.text,
                "score": score_of(n, it),
                "max_score": it.max_score,
                "sort_order": n,
            }
            for n, it in enumerate(tmpl.items, start=1)
        ],
    }
    return rows


@pytest.fixture
def community_id(county_db: Database) -> str:
    with county_db.transaction("测试员") as s:
        return communities.create(s, {"name": "幸福里", "township_code": "341122001000"}).id


def test_a_management_line_without_a_score_is_refused_as_record_refuses_it(
    county_db: Database, community_id: str
) -> None:
    with county_db.transaction("测试员") as s:
        rows = _check_rows(s, community_id, lambda n, it: None if n == 2 else Decimal(it.max_score or 0))
        plan = bulk.prepare(s, rows, today=TODAY)
        text = rows["inspection_result"][1]["text"]
        assert [(o.index, [p.message for p in o.problems]) for o in plan.rejected] == [(1, [f"“{text}”没有得分"])]
        with pytest.raises(ValidationError) as single:
            target = communities.get(s, community_id)
            lines = [
                {k: v for k, v in r.items() if k not in ("inspection_id", "sort_order", "max_score")}
                for r in rows["inspection_result"]
            ]
            inspections.record(
                s, target, {"kind": "management", "inspected_on": date(2026, 6, 3)}, lines,
                template="management_default", today=TODAY,
            )  # fmt: skip
        assert [p.message for p in single.value.problems] == [f"第 2 项“{text}”没有得分"]


def test_a_scored_check_is_written_with_its_total_and_grade(county_db: Database, community_id: str) -> None:
    with county_db.transaction("测试员") as s:
        rows = _check_rows(s, community_id, lambda n, it: Decimal(it.max_score or 0) - (1 if n == 1 else 0))
        bulk.write(s, rows, source="演示数据", kind="demo", today=TODAY)
    with county_db.transaction("测试员") as s:
        check = s.get_one(Inspection, rows["inspection"][0]["id"])
        expected = sum((r["score"] for r in rows["inspection_result"]), Decimal(0))
        assert check.total_score == expected and check.township_code == "341122001000"
        tmpl = catalogues.template(s, "management_default")
        assert check.grade == catalogues.grade_for(tmpl.grade_bands, float(expected))
