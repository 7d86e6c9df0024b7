"""Checks before submission: each rule fires with the row and field at fault; warnings keep explanations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from oldcomm_desktop.core import catalogues, funding
from oldcomm_desktop.core.model import Community, FundingLine
from oldcomm_desktop.core.returns import checks
from oldcomm_desktop.core.returns.periods import Period

from .conftest import T1


def _by_rule(result: checks.CheckResult) -> dict[str, checks.Finding]:
    return {f.rule: f for f in result.findings}


def test_rules_name_the_row_and_field_and_explanations_are_kept(ledger) -> None:
    db, ids = ledger
    with db.transaction() as s:
        assert checks.run(s, "progress", Period(2026, 11), township=T1).findings == []
    with db.transaction("测试员") as s:  # what a careless import could leave behind
        b = s.get(Community, ids["和平苑"])
        b.households = 0
        a = s.get(Community, ids["幸福里小区"])
        a.floor_area = Decimal("100000.00")  # 833 m² per household
        line = s.query(FundingLine).filter(FundingLine.community_id == a.id, FundingLine.arrived == 300000).one()
        line.paid = Decimal("400000.00")
        funding.add_investment(s, b, {"entry_date": date(2026, 8, 1), "amount": "10"})
        funding.add_investment(s, b, {"entry_date": date(2026, 9, 1), "amount": "500"})
        catalogues.set_setting(s, "returns_area_per_household_m2", [20, 300])
    with db.transaction() as s:
        sep = checks.run(s, "progress", Period(2026, 9), township=T1)
    found = _by_rule(sep)
    hh = found["households_positive"]
    assert (hh.level, hh.row, hh.name, hh.field) == ("error", 1, "和平苑", "households")
    assert found["paid_over_arrived"].row == 2 and "市县及以下资金" in found["paid_over_arrived"].label
    jump = found["month_jump"]
    assert jump.level == "warning" and "50.0 倍" in jump.message
    area = found["area_per_household"]
    assert area.row == 2 and "833.3" in area.message
    assert not sep.can_submit and len(sep.errors) == 2

    with db.transaction("测试员") as s:
        checks.note(
            s, "progress", Period(2026, 9), area.key, area.field, rule=area.rule, explanation="含商业面积，已核实"
        )
        checks.note(s, "progress", Period(2026, 9), area.key, "total_investment", comment="待财政复核", follow_up=True)
    with db.transaction() as s:
        again = _by_rule(checks.run(s, "progress", Period(2026, 9), township=T1))
        notes = checks.notes(s, "progress", Period(2026, 9))
    assert again["area_per_household"].explanation == "含商业面积，已核实"
    assert any(n.follow_up and n.comment == "待财政复核" for n in notes)


def test_settings_move_the_outlier_ranges(ledger) -> None:
    db, _ = ledger
    with db.transaction("测试员") as s:
        catalogues.set_setting(s, "returns_investment_per_m2_yuan", [130, 3000])
    with db.transaction() as s:
        result = checks.run(s, "progress", Period(2026, 11))
    flagged = {f.name for f in result.findings if f.rule == "investment_per_m2"}
    assert flagged == {"幸福里小区", "和平苑"}  # 123.4 and 102.3 元/m²; 临河新村 150
