"""Bulk prepare's shortcuts for a batch whose rows all name the same keys give what the row-by-row code gives.

A sync package's rows (and the demo's) all have one layout: the keys beside the fields are sorted out once per
batch (`bulk._layout`), and a column holding one type of value (and empty cells) is parsed once per distinct
value with the value alone as the memo key. A batch with one odd row takes the general path; the other rows'
outcomes must not differ between the two.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.storage.database import Database


def _rows() -> list[dict[str, Any]]:
    return [
        {"id": new_id(), "name": "幸福里小区", "households": 120, "floor_area": Decimal("1.0"), "project_id": ""},
        {"id": new_id(), "name": "和平苑", "households": 120, "floor_area": Decimal("1.00"), "project_id": ""},
        {"id": new_id(), "name": "建设新村", "households": None, "floor_area": None, "project_id": ""},
        {"id": new_id(), "name": "", "households": 80, "floor_area": Decimal("-5"), "project_id": ""},
        {"id": new_id(), "name": "东风里", "households": 80, "floor_area": Decimal("8500.5"), "colour": "red"},
    ]


def _outcomes(plan: bulk.Plan, ids: list[str]) -> list[tuple[Any, ...]]:
    by_id = {o.id: o for o in plan.outcomes["community"]}
    rows = {r["id"]: r for r in plan.rows["community"]}
    out = []
    for i in ids:
        o = by_id[i]
        row = rows.get(i, {})
        out.append(
            (
                o.action,
                [(p.field, p.message) for p in o.problems],
                {k: row.get(k) for k in ("name", "households", "floor_area", "project_id")},
            )
        )
    return out


def test_one_layout_and_the_general_path_agree(db: Database) -> None:
    rows = _rows()
    same = [{k: v for k, v in r.items() if k != "colour"} | {"project_id": r.get("project_id", "")} for r in rows]
    assert all(r.keys() == same[0].keys() for r in same)
    odd = {"id": new_id(), "name": "另一种", "notes": "多一列"}  # another layout: the batch takes the general path
    ids = [r["id"] for r in same]
    with db.transaction("测试员") as s:
        one_layout = bulk.prepare(s, {"community": same})
        general = bulk.prepare(s, {"community": [*same, odd]})
        s.rollback()
    assert _outcomes(one_layout, ids) == _outcomes(general, ids)
    got = _outcomes(one_layout, ids)
    # equal amounts parse alike (1.0 and 1.00 are both 1.00); an empty reference is no reference
    assert got[0][2]["floor_area"] == got[1][2]["floor_area"] == Decimal("1.00")
    assert got[0][2]["project_id"] is None
    assert got[3][0] == bulk.REJECT and {f for f, _m in got[3][1]} >= {"name", "floor_area"}


def test_an_unknown_key_in_every_row_is_each_rows_problem(db: Database) -> None:
    rows = [{"id": new_id(), "name": f"小区{i}", "colour": "red"} for i in range(3)]
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, {"community": rows})
        s.rollback()
    assert len(plan.rejected) == 3
    assert all(o.problems[0].field == "colour" and "不是可以写入的字段" in o.problems[0].message for o in plan.rejected)


def test_equal_cells_of_different_types_still_parse_apart_in_one_layout(db: Database) -> None:
    """1 and True are equal in Python: a column holding both is not memoised on the value alone."""
    rows = [{"id": new_id(), "name": f"小区{i}", "buildings": b} for i, b in enumerate([1, True, 1])]
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, {"community": rows})
        s.rollback()
    actions = [o.action for o in plan.outcomes["community"]]
    assert actions == [bulk.CREATE, bulk.REJECT, bulk.CREATE]
    assert plan.outcomes["community"][1].problems[0].field == "buildings"


def test_a_batch_of_a_few_layouts_parses_as_the_cell_by_cell_path(db: Database, monkeypatch: Any) -> None:
    """Rows of a few layouts (the demo's milestones with or without a document number) are parsed group by
    group; every row's values and problems are those of the cell-by-cell path (`_LAYOUT_GROUPS = 0`)."""
    rows = [
        *_rows(),
        {"id": new_id(), "name": "东园小区", "households": "1,930户", "year_built": "1995年"},
        {"id": new_id(), "name": "建设里", "households": 1930, "year_built": 1995},
        {"id": new_id(), "name": "坏数据", "households": "很多", "year_built": 1995},
        {"id": new_id(), "name": "文昌苑", "buildings": True},
    ]
    from oldcomm_desktop.core.importing.bulk_tables import SPECS

    grouped = bulk._parse_columns(SPECS["community"], rows)
    monkeypatch.setattr(bulk, "_LAYOUT_GROUPS", 0)
    by_cell = bulk._parse_columns(SPECS["community"], rows)
    assert repr(grouped) == repr(by_cell)
    assert any(problems for _parsed, problems in grouped)
    ids = [r["id"] for r in rows]
    with db.transaction("测试员") as s:
        cell_plan = bulk.prepare(s, {"community": rows})
        monkeypatch.setattr(bulk, "_LAYOUT_GROUPS", 16)
        group_plan = bulk.prepare(s, {"community": rows})
        s.rollback()
    assert _outcomes(group_plan, ids) == _outcomes(cell_plan, ids)


def _plain_row_dicts(names: list[str], columns: list[list[Any]], _one: Any, _n: int) -> list[dict[str, Any]]:
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def test_rows_made_from_a_first_row_of_the_one_value_columns_are_the_plain_dicts(monkeypatch: Any) -> None:
    """A column holding one value for every row is set once in a first row and each row is a copy of it with
    its own values put in (`bulk._row_dicts`): the same values in the same order as a dict built from every
    column, one dict per row, and a value that failed taken out of each row with its problem noted."""
    from oldcomm_desktop.core.importing.bulk_tables import SPECS

    spec = SPECS["community"]
    batches = [
        [  # one-value columns (a number, an empty one, a failing one) beside varying ones and a mixed-type one
            {
                "id": new_id(),
                "name": f"幸福里{i}号小区",
                "households": 120,
                "floor_area": None,
                "year_built": "很多",
                "plan_year": 2025 if i % 2 else "2025",
                "total_investment": Decimal(1000 + i),
            }
            for i in range(6)
        ],
        [{"id": new_id(), "name": "同名小区", "households": 80, "notes": None} for _ in range(4)],  # all one value
        [{"id": new_id(), "name": f"小区{i}", "households": i} for i in range(3)],  # none of one value
    ]
    for rows in batches:
        fast = bulk._parse_columns(spec, rows)
        with monkeypatch.context() as m:
            m.setattr(bulk, "_row_dicts", _plain_row_dicts)
            plain = bulk._parse_columns(spec, rows)
        assert repr(fast) == repr(plain)
        assert [list(parsed) for parsed, _ in fast] == [list(parsed) for parsed, _ in plain]
        assert len({id(parsed) for parsed, _ in fast}) == len(rows)
    failing = bulk._parse_columns(spec, batches[0])
    assert all("year_built" not in parsed and problems[0].field == "year_built" for parsed, problems in failing)


def test_amounts_that_mostly_differ_parse_and_bind_as_through_the_memo(monkeypatch: Any) -> None:
    """A column of amounts that mostly differ (areas, investments) is parsed and bound value by value instead of
    through a dict of its distinct values (`bulk._mostly_distinct`: a Decimal's hash costs more than its parse):
    the same parsed values, problems and bound numbers as through the dict, with empty cells among the amounts,
    a failing amount among them, and equal amounts written differently (1.0 and 1.00)."""
    from sqlalchemy.dialects import sqlite

    from oldcomm_desktop.core.importing.bulk_tables import SPECS
    from oldcomm_desktop.core.model import Community

    spec = SPECS["community"]
    amounts = [Decimal(f"{1000 + i}.{i % 10}") for i in range(600)]
    amounts[7] = Decimal("-5")  # a negative area: that row's problem
    amounts[8], amounts[9] = Decimal("1.0"), Decimal("1.00")
    batches = [
        [{"id": new_id(), "name": f"小区{i}", "floor_area": a} for i, a in enumerate(amounts)],
        [{"id": new_id(), "name": f"小区{i}", "floor_area": None if i % 3 else a} for i, a in enumerate(amounts)],
    ]
    assert bulk._mostly_distinct([r["floor_area"] for r in batches[0]])
    assert not bulk._mostly_distinct([Decimal("1.5")] * 300 + amounts[:200])
    for rows in batches:
        direct = bulk._parse_columns(spec, rows)
        with monkeypatch.context() as m:
            m.setattr(bulk, "_mostly_distinct", lambda column: False)
            memo = bulk._parse_columns(spec, rows)
        assert repr(direct) == repr(memo)
    problems = [p for _parsed, found in bulk._parse_columns(spec, batches[0]) for p in found]
    assert [p.field for p in problems] == ["floor_area"]
    proc = Community.__table__.c.floor_area.type._cached_bind_processor(sqlite.dialect())
    column = [a for a in amounts if a > 0]
    with monkeypatch.context() as m:
        m.setattr(bulk, "_mostly_distinct", lambda column: False)
        through_dict = bulk._bound(proc, column)
    assert bulk._bound(proc, column) == through_dict == [int(a * 100) for a in column]
