"""The shortcuts of many plans in one run give exactly what the plain path gives.

- `_parse_columns(known=…)`: a value a run's earlier plan parsed is not parsed again (numbers, text and
  choices by column and value type); a failing value is parsed again each time (its row keeps its problem);
- `by_values_read` stops looking rows up in its memo when they hardly ever repeat what the rule reads, and
  runs the rule itself: every row still gets the rule's own answer;
- `_Values`: a row read as attributes (missing key: AttributeError, as before).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from oldcomm_desktop.core.errors import FieldProblem
from oldcomm_desktop.core.importing import bulk, bulk_tables
from oldcomm_desktop.core.importing.bulk_tables import SPECS, _Values, by_values_read


def _community(i: int, **over: Any) -> dict[str, Any]:
    row = {
        "name": f"幸福里{i % 7}号院",
        "households": i % 50 + 1,
        "floor_area": Decimal(i % 30) + Decimal("0.25"),
        "total_investment": Decimal(1000 + i % 13),
        "management_mode": "professional",
        "address": f"人民路{i % 5}号",
        "year_built": 1990 + i % 9,
    }
    row.update(over)
    return row


def test_values_parsed_by_an_earlier_plan_of_a_run_parse_as_the_plain_path() -> None:
    spec = SPECS["community"]
    first = [_community(i) for i in range(40)] + [_community(99, households="很多", floor_area=Decimal("-1"))]
    second = [_community(i + 3) for i in range(60)] + [
        _community(99, households="很多", floor_area=Decimal("-1")),  # failed in the first plan: fails again
        _community(5, households=Decimal("7"), floor_area=7),  # the same numbers as other types
        _community(6, management_mode="专业物业", name="  幸福里1号院 "),
    ]
    known: dict[Any, Any] = {}
    assert repr(bulk._parse_columns(spec, first, known=known)) == repr(bulk._parse_columns(spec, first))
    kept = [values for values in known.values() if type(values) is dict]
    assert kept and not any(type(v) is bulk._Failed for values in kept for v in values.values())
    with_run = bulk._parse_columns(spec, second, known=known)
    assert repr(with_run) == repr(bulk._parse_columns(spec, second))
    problems = with_run[60][1]
    assert {p.field for p in problems} == {"households", "floor_area"}
    assert ("households", str) not in known  # a column of mixed types is parsed by (type, value) as before
    assert known[("name", str)]["  幸福里1号院 "] == "幸福里1号院"
    assert ("year_built", int) in known  # an int field; dates are never kept (the latest date moves)


def test_a_run_memo_is_emptied_when_it_grows_past_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "_KNOWN_MAX", 10)
    spec = SPECS["community"]
    known: dict[Any, Any] = {}
    for start in range(0, 60, 20):
        rows = [_community(i, households=start + i + 1) for i in range(20)]
        assert repr(bulk._parse_columns(spec, rows, known=known)) == repr(bulk._parse_columns(spec, rows))
        assert len(known[("households", int)]) <= 20


def test_a_column_whose_values_do_not_come_again_is_no_longer_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "_KNOWN_TRIAL", 50)
    spec = SPECS["community"]
    known: dict[Any, Any] = {}
    for start in range(0, 200, 40):
        rows = [_community(i, name=f"小区{start + i}") for i in range(40)]  # names never repeat, addresses do
        assert repr(bulk._parse_columns(spec, rows, known=known)) == repr(bulk._parse_columns(spec, rows))
    assert known[("name", str)] is None  # dropped: parsed plan by plan
    assert known[("address", str)] and len(known[("address", str)]) == 5  # kept: found again and again


class _Batch:
    def __init__(self) -> None:
        self.cache: dict[Any, Any] = {}


def test_a_rule_whose_rows_never_repeat_is_run_directly_with_the_same_answers() -> None:
    calls = {"n": 0}

    def rule(values: Any, limit: int) -> list[FieldProblem]:
        calls["n"] += 1
        if values.households > limit:
            return [FieldProblem("households", "户数", f"{values.households} 户超过 {limit}")]
        return []

    batch = _Batch()
    rows = [{"households": i, "name": f"小区{i}"} for i in range(1_000)]
    answers = [by_values_read(batch, rule, row, 700) for row in rows]  # type: ignore[arg-type]
    assert answers == [rule(_Values(row), 700) for row in rows]
    assert calls["n"] == 2_000  # every row ran the rule once (no repeats), then the plain calls above
    tally = batch.cache[("read-sets-tally", rule, (700,))]
    assert tally == [bulk_tables._MEMO_TRIAL, 0]  # judged after the trial, then left alone
    # rows that do repeat keep their memo: the rule runs once per distinct value read
    calls["n"] = 0
    repeating = _Batch()
    answers = [by_values_read(repeating, rule, {"households": i % 3 + 699}, 700) for i in range(1_000)]  # type: ignore[arg-type]
    assert calls["n"] == 3 and sum(1 for a in answers if a) == 333


def test_the_community_rules_give_each_row_its_message_past_the_trial(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """600 communities, every tenth with more owners for than taking part: the rule runs directly for most of
    them (no two rows alike), and every row's outcome and messages are those of the memo kept throughout."""
    rows = []
    for i in range(600):
        row = _community(i, name=f"小区{i}", households=100 + i)
        if i % 10 == 0:
            row.update({"consent_owners_total": 100 + i, "consent_owners_participating": 10, "consent_owners_for": 20})
        rows.append(row)

    def outcomes() -> list[tuple[str, list[str]]]:
        with db.transaction("测试员") as s:
            plan = bulk.prepare(s, {"community": rows}, today=date(2026, 6, 1), confirm=True)
            s.rollback()
        return [(o.action, [f"{p.field}:{p.message}" for p in o.problems]) for o in plan.outcomes["community"]]

    direct = outcomes()
    monkeypatch.setattr(bulk_tables, "_MEMO_TRIAL", 10**9)  # the memo throughout, as before
    assert outcomes() == direct
    assert [i for i, (action, _p) in enumerate(direct) if action == bulk.REJECT] == list(range(0, 600, 10))
    assert all(problems for action, problems in direct if action == bulk.REJECT)


def test_values_reads_a_row_as_attributes() -> None:
    row = {"status": None, "households": 3}
    v = _Values(row)
    assert (v.status, v.households, getattr(v, "missing", "x"), hasattr(v, "missing")) == (None, 3, "x", False)
    with pytest.raises(AttributeError):
        _ = v.missing
    assert _Values(_Frozen(row)).households == 3  # a mapping that is not a dict is read too


class _Frozen(dict):  # a dict subclass stands in for any mapping the rules may get
    pass
