"""Summary totals (by status, township, project, year) that agree with each other, project money shared by
floor area to the fen, and `integrity.check` catching what only raw SQL can do to a ledger."""

from __future__ import annotations

import uuid
from dataclasses import astuple
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from oldcomm_desktop.core import (
    communities,
    demo,
    divisions,
    funding,
    integrity,
    items,
    milestones,
    projects,
    summary,
    workspace,
)
from oldcomm_desktop.core.model import Community, InvestmentEntry, Project
from oldcomm_desktop.core.summary import apportion

COUNTY = "341122000000"
T1, T2 = "341122001000", "341122101000"  # 城关街道, 临河镇
D = date.today() - timedelta(days=200)  # milestones happen in the past


def _t(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


# ---------------------------------------------------------------- apportion


@pytest.mark.parametrize(
    ("amount", "weights", "shares"),
    [
        ("100.00", ["1", "1", "1"], ["33.34", "33.33", "33.33"]),
        ("0.05", ["1", "1"], ["0.03", "0.02"]),
        ("10.00", ["1", "3"], ["2.50", "7.50"]),
        ("1000000.01", ["1000.00", "2000.00", "3000.00"], ["166666.67", "333333.34", "500000.00"]),
        ("0.00", ["5", "7"], ["0.00", "0.00"]),
        ("0.01", ["1", "1", "1"], ["0.01", "0.00", "0.00"]),  # ties go to the earlier share
        ("7.00", ["2", "0", "5"], ["2.00", "0.00", "5.00"]),
    ],
)
def test_apportion_examples(amount: str, weights: list[str], shares: list[str]) -> None:
    assert apportion(Decimal(amount), _t(*weights)) == _t(*shares)


@pytest.mark.parametrize(
    ("amount", "weights"),
    [
        ("1234567.89", ["1234.56", "2345.67", "3456.78"]),
        ("6800000.00", ["33.33"] * 7),
        ("999.99", ["0.01", "99999.99"]),
        ("87000000.03", ["12.5", "7.25", "80.25", "0.01", "1000"]),
    ],
)
def test_apportion_adds_up_to_the_fen_and_stays_within_a_fen_of_the_exact_share(
    amount: str, weights: list[str]
) -> None:
    total, w = Decimal(amount), _t(*weights)
    shares = apportion(total, w)
    assert sum(shares) == total
    for share, weight in zip(shares, w, strict=True):
        assert share == share.quantize(Decimal("0.01"))
        assert abs(share - total * weight / sum(w)) < Decimal("0.01")


# ---------------------------------------------------------------- a small county ledger


@pytest.fixture
def county(empty_db):
    """County mode, two townships; a split-money project, an unsplit one (money on the project), and a loose
    community; statuses spread over the lifecycle; plan years spread over two years."""
    s = empty_db.session("测试员")
    workspace.initialise(s, mode=workspace.COUNTY, code=COUNTY, name="青禾县", operator="测试员")
    divisions.ensure(s, T1, "城关街道")
    divisions.ensure(s, T2, "临河镇")
    split = projects.create(s, {"name": "城关街道2025年改造项目", "township_code": T1, "plan_year": 2025})
    whole = projects.create(
        s,
        {
            "name": "临河镇2024年改造项目",
            "township_code": T2,
            "plan_year": 2024,
            "money_split": False,
            "total_investment": "1000000.01",
        },
    )
    c = {}

    def make(key: str, **data) -> Community:
        c[key] = communities.create(s, {"name": f"{key}小区", "year_built": 1990, **data})
        return c[key]

    make(
        "幸福里",
        township_code=T1,
        project_id=split.id,
        households=320,
        floor_area="24567.89",
        total_investment="680000.00",
    )
    make(
        "和平苑",
        township_code=T1,
        project_id=split.id,
        households=88,
        floor_area="7010.50",
        total_investment="120000.55",
    )
    make("建设新村", township_code=T2, project_id=whole.id, households=150, floor_area="1234.56")
    make("纺织厂宿舍", township_code=T2, project_id=whole.id, households=210, floor_area="2345.67", plan_year=2025)
    make("粮食局家属院", township_code=T2, project_id=whole.id, households=64, floor_area="3456.78")
    make("供电", township_code=T1, households=40, floor_area="2100.00", total_investment="50000.00")  # reserve
    # statuses: 幸福里 accepted, 和平苑 started, 建设新村 completed, 纺织厂宿舍 started, 粮食局家属院 planned
    for key, kinds in {
        "幸福里": ["start", "completion", "acceptance"],
        "和平苑": ["start"],
        "建设新村": ["start", "completion"],
        "纺织厂宿舍": ["start"],
    }.items():
        for n, kind in enumerate(kinds):
            milestones.add(s, c[key], {"kind": kind, "reached_on": D + timedelta(days=30 * n)})
    funding.add_investment(s, c["幸福里"], {"entry_date": D + timedelta(days=10), "amount": "600000.00"})
    funding.add_investment(s, c["和平苑"], {"entry_date": D + timedelta(days=10), "amount": "20000.33"})
    funding.add_investment(s, whole, {"entry_date": D + timedelta(days=10), "amount": "333333.33"})
    funding.add_investment(s, whole, {"entry_date": D + timedelta(days=40), "amount": "100000.00"})
    funding.set_lines(
        s,
        c["幸福里"],
        {
            "central_budget": {"approved": "400000.00", "arrived": "400000.00", "paid": "350000.00"},
            "city_county": {"approved": "280000.00", "arrived": "200000.00", "paid": "200000.00"},
        },
    )
    s.commit()
    yield s, c, {"split": split, "whole": whole}
    s.rollback()
    s.close()


def test_the_ledger_is_what_the_fixture_says(county) -> None:
    s, c, _ = county
    assert {k: v.status for k, v in c.items()} == {
        "幸福里": "accepted",
        "和平苑": "started",
        "建设新村": "completed",
        "纺织厂宿舍": "started",
        "粮食局家属院": "planned",
        "供电": "reserve",
    }
    assert [c[k].plan_year for k in ("幸福里", "建设新村", "纺织厂宿舍", "供电")] == [2025, 2024, 2025, None]


def test_totals_are_exact(county) -> None:
    s, c, p = county
    t = summary.totals(s).total
    assert t.communities == 6
    assert t.households == 320 + 88 + 150 + 210 + 64 + 40
    assert t.floor_area_m2 == Decimal("24567.89") + Decimal("7010.50") + Decimal("1234.56") + Decimal(
        "2345.67"
    ) + Decimal("3456.78") + Decimal("2100.00")
    # community money plus the unsplit project's money, each counted once
    assert t.investment_yuan == Decimal("680000.00") + Decimal("120000.55") + Decimal("50000.00") + Decimal(
        "1000000.01"
    )
    assert t.investment_completed_yuan == Decimal("600000.00") + Decimal("20000.33") + Decimal("433333.33")


@pytest.mark.parametrize("by", ["status", "township", "project", "year"])
def test_every_grouping_adds_up_to_the_same_totals(county, by: str) -> None:
    s, _, _ = county
    reference = astuple(summary.totals(s, by="status").total)
    result = summary.totals(s, by=by)
    assert astuple(result.total) == reference
    for i, _field in enumerate(reference):
        assert sum(astuple(g)[i] for g in result.groups.values()) == reference[i]


def test_groups_hold_the_right_shares_of_project_money(county) -> None:
    s, c, p = county
    areas = [c[k].floor_area for k in ("建设新村", "纺织厂宿舍", "粮食局家属院")]
    inv = dict(zip(("建设新村", "纺织厂宿舍", "粮食局家属院"), apportion(Decimal("1000000.01"), areas), strict=True))
    done = dict(zip(("建设新村", "纺织厂宿舍", "粮食局家属院"), apportion(Decimal("433333.33"), areas), strict=True))
    assert sum(inv.values()) == Decimal("1000000.01")
    # the largest area gets the largest share, in proportion
    assert inv["粮食局家属院"] > inv["纺织厂宿舍"] > inv["建设新村"]

    by_status = summary.totals(s, by="status").groups
    assert by_status["completed"].investment_yuan == inv["建设新村"]
    assert by_status["completed"].investment_completed_yuan == done["建设新村"]
    assert by_status["planned"].investment_yuan == inv["粮食局家属院"]
    assert by_status["started"].investment_yuan == Decimal("120000.55") + inv["纺织厂宿舍"]
    assert by_status["started"].investment_completed_yuan == Decimal("20000.33") + done["纺织厂宿舍"]
    assert by_status["accepted"].investment_yuan == Decimal("680000.00")
    assert by_status["reserve"].investment_yuan == Decimal("50000.00")
    assert by_status["withdrawn"].communities == 0

    by_project = summary.totals(s, by="project").groups
    assert by_project[p["whole"].id].investment_yuan == Decimal("1000000.01")
    assert by_project[p["whole"].id].investment_completed_yuan == Decimal("433333.33")
    assert by_project[p["split"].id].investment_yuan == Decimal("800000.55")
    assert by_project[None].communities == 1

    by_year = summary.totals(s, by="year").groups
    assert by_year[2024].investment_yuan == inv["建设新村"] + inv["粮食局家属院"]
    assert by_year[2025].investment_yuan == Decimal("800000.55") + inv["纺织厂宿舍"]
    assert by_year[None].investment_yuan == Decimal("50000.00")

    by_township = summary.totals(s, by="township").groups
    assert set(by_township) == {T1, T2}
    assert by_township[T2].investment_yuan == Decimal("1000000.01")
    assert by_township[T2].communities == 3 and by_township[T2].households == 424
    assert by_township[T1].investment_yuan == Decimal("850000.55")

    finished = summary.finished(summary.totals(s))
    assert finished.communities == 2  # completed + accepted
    assert finished.investment_yuan == Decimal("680000.00") + inv["建设新村"]


@pytest.mark.parametrize("by", ["status", "township", "project", "year"])
def test_filtered_totals_match_the_groups(county, by: str) -> None:
    """A year's (a township's) totals, whatever they are grouped by, are that year's (township's) group."""
    s, _, _ = county
    by_year = summary.totals(s, by="year").groups
    by_township = summary.totals(s, by="township").groups
    for year in (2024, 2025):
        assert astuple(summary.totals(s, by=by, year=year).total) == astuple(by_year[year])
    for code in (T1, T2):
        assert astuple(summary.totals(s, by=by, township=code).total) == astuple(by_township[code])
    both = summary.totals(s, by=by, year=2025, township=T2).total
    assert (both.communities, both.households) == (1, 210)  # 纺织厂宿舍 only


def test_deleted_community_leaves_every_grouping(county) -> None:
    s, c, _ = county
    communities.delete(s, c["纺织厂宿舍"].id)
    s.flush()
    totals = {by: astuple(summary.totals(s, by=by).total) for by in ("status", "township", "project", "year")}
    assert len(set(totals.values())) == 1
    t = summary.totals(s).total
    assert t.communities == 5
    # the unsplit project's money is now shared by the two communities left in it
    assert t.investment_yuan == Decimal("850000.55") + Decimal("1000000.01")


def test_areas_missing_share_equally(county) -> None:
    s, _, _ = county
    p = projects.create(
        s,
        {
            "name": "无面积项目",
            "township_code": T1,
            "plan_year": 2025,
            "money_split": False,
            "total_investment": "100.00",
        },
    )
    for n in range(3):
        communities.create(s, {"name": f"无面积{n}号楼", "township_code": T1, "project_id": p.id})
    g = summary.totals(s, by="project").groups[p.id]
    assert (g.communities, g.investment_yuan) == (3, Decimal("100.00"))
    assert astuple(summary.totals(s, by="status").total) == astuple(summary.totals(s, by="project").total)


def test_demo_county_groupings_agree(empty_db) -> None:
    with empty_db.transaction("演示操作员") as s:
        demo.build(s, communities_count=24, seed=7)
    with empty_db.transaction("测试员") as s:
        # move one project's money onto the project (as many counties keep it)
        pid = s.scalars(select(Project.id).order_by(Project.name)).first()
        members = s.scalars(select(Community).where(Community.project_id == pid)).all()
        whole = sum((m.total_investment for m in members), Decimal(0)) + Decimal("0.07")
        s.execute(
            text("UPDATE project SET money_split = :f, total_investment = :t WHERE id = :id"),
            {"f": False, "t": int(whole * 100), "id": pid},
        )
        s.execute(text("UPDATE community SET total_investment = NULL WHERE project_id = :id"), {"id": pid})
    with empty_db.transaction("测试员") as s:
        ref = summary.totals(s, by="status")
        n, hh, area, inv = s.execute(
            select(
                func.count(Community.id),
                func.sum(Community.households),
                func.sum(Community.floor_area),
                func.sum(Community.total_investment),
            ).where(Community.deleted_at.is_(None))
        ).one()
        assert (ref.total.communities, ref.total.households) == (n, hh) == (24, hh)
        assert ref.total.floor_area_m2 == area
        assert ref.total.investment_yuan == inv + whole
        done = s.scalar(select(func.sum(InvestmentEntry.amount)).where(InvestmentEntry.deleted_at.is_(None)))
        assert ref.total.investment_completed_yuan == done
        for by in ("township", "project", "year"):
            result = summary.totals(s, by=by)
            assert astuple(result.total) == astuple(ref.total), by
            assert sum(g.investment_yuan for g in result.groups.values()) == ref.total.investment_yuan
            assert sum(g.communities for g in result.groups.values()) == 24


# ---------------------------------------------------------------- integrity.check


def _errors(s) -> list[integrity.Finding]:
    return [f for f in integrity.check(s) if f.severity == "error"]


def test_clean_ledger_has_no_errors(county) -> None:
    s, _, _ = county
    assert _errors(s) == []


def test_demo_ledger_has_no_errors(empty_db) -> None:
    with empty_db.transaction("演示操作员") as s:
        demo.build(s, communities_count=15, seed=2)
    with empty_db.transaction("测试员") as s:
        assert integrity.check(s) == []


def test_check_finds_a_tampered_status(county) -> None:
    s, c, _ = county
    s.execute(text("UPDATE community SET status = 'accepted' WHERE id = :id"), {"id": c["和平苑"].id})
    s.execute(text("UPDATE community SET status = 'reserve' WHERE id = :id"), {"id": c["粮食局家属院"].id})
    found = _errors(s)
    assert len(found) == 2
    by_name = {f.record: f for f in found}
    assert "记录的状态“已验收”与节点推出的状态“已开工”不一致" in by_name["小区“和平苑小区”"].message
    assert "节点推出的状态“计划”" in by_name["小区“粮食局家属院小区”"].message
    assert str(found[0]).startswith("[错误] 小区“")


def test_check_finds_a_live_item_under_a_deleted_community(county) -> None:
    """What a sync or an old release could leave behind; no edit allows it."""
    s, c, _ = county
    items.create(s, c["和平苑"].id, {"item_type_id": "water_pipe", "planned_quantity": "10"}, confirm=True)
    s.execute(text("UPDATE community SET deleted_at = '2026-01-01 00:00:00' WHERE id = :id"), {"id": c["和平苑"].id})
    s.execute(
        text("UPDATE milestone SET deleted_at = '2026-01-01 00:00:00' WHERE community_id = :id"), {"id": c["和平苑"].id}
    )
    s.execute(
        text("UPDATE funding_line SET deleted_at = '2026-01-01 00:00:00' WHERE community_id = :id"),
        {"id": c["和平苑"].id},
    )
    s.execute(
        text("UPDATE investment_entry SET deleted_at = '2026-01-01 00:00:00' WHERE community_id = :id"),
        {"id": c["和平苑"].id},
    )
    found = [f for f in _errors(s) if f.record == "小区“和平苑小区”"]
    assert [f.message for f in found] == ["已删除，但其中还有 1 条改造内容未删除；请在回收站恢复它，或删除这些改造内容"]


def test_check_finds_arrived_above_approved_and_paid_above_arrived(county) -> None:
    s, c, _ = county
    s.execute(
        text("UPDATE funding_line SET arrived = approved + 1 WHERE community_id = :id AND approved = 28000000"),
        {"id": c["幸福里"].id},
    )
    (f,) = _errors(s)
    assert f.record == "小区“幸福里小区”"
    assert f.message == "到位资金 280000.01 元超过批复资金 280000.00 元"
    s.execute(
        text("UPDATE funding_line SET paid = arrived + 100 WHERE community_id = :id AND approved = 40000000"),
        {"id": c["幸福里"].id},
    )
    messages = sorted(f.message for f in _errors(s))
    assert messages == [
        "到位资金 280000.01 元超过批复资金 280000.00 元",
        "拨付资金 400001.00 元超过到位资金 400000.00 元",
    ]


def _raw_entry(s, amount_fen: int, *, community_id: str | None = None, project_id: str | None = None) -> None:
    now = datetime(2025, 5, 1, 9, 0)
    s.execute(
        text(
            "INSERT INTO investment_entry (id, community_id, project_id, entry_date, amount, created_at, updated_at,"
            " version) VALUES (:id, :cid, :pid, :d, :a, :now, :now, 1)"
        ),
        {
            "id": str(uuid.uuid4()),
            "cid": community_id,
            "pid": project_id,
            "d": date(2025, 5, 1),
            "a": amount_fen,
            "now": now,
        },
    )


def test_check_finds_completed_above_total_investment(county) -> None:
    s, c, _ = county
    _raw_entry(s, 8_000_001, community_id=c["幸福里"].id)  # 600000.00 + 80000.01 > 680000.00
    (f,) = _errors(s)
    assert f.record == "小区“幸福里小区”"
    assert f.message == "累计完成投资 680000.01 元超过总投资 680000.00 元"
    # exactly the total is fine
    s.execute(text("UPDATE investment_entry SET amount = 8000000 WHERE amount = 8000001"))
    assert _errors(s) == []


def test_check_finds_parts_not_adding_up_to_the_total(county) -> None:
    s, c, _ = county
    s.execute(text("UPDATE community SET total_investment = 68000100 WHERE id = :id"), {"id": c["幸福里"].id})
    (f,) = _errors(s)
    assert "各来源批复资金合计 680000.00 元与总投资 680001.00 元不一致" in f.message


def test_check_finds_completion_before_start(county) -> None:
    s, c, _ = county
    s.execute(
        text("UPDATE milestone SET reached_on = :d WHERE community_id = :id AND kind = 'completion'"),
        {"d": D - timedelta(days=1), "id": c["建设新村"].id},
    )
    (f,) = _errors(s)
    assert "完工日期" in f.message and "早于开工日期" in f.message


def test_check_finds_money_faults_on_a_project(county) -> None:
    s, _, p = county
    funding.set_lines(s, p["whole"], {"central_budget": {"approved": "1000000.01", "arrived": "500000.00"}})
    assert _errors(s) == []
    s.execute(text("UPDATE funding_line SET arrived = approved + 1 WHERE project_id = :id"), {"id": p["whole"].id})
    _raw_entry(s, 100_000_000, project_id=p["whole"].id)  # 433333.33 + 1000000.00 > 1000000.01
    found = [f for f in _errors(s) if "临河镇2024年改造项目" in f.record]
    assert any("到位资金 1000000.02 元超过批复资金 1000000.01 元" in f.message for f in found), found
    assert any("累计完成投资 1433333.33 元超过总投资 1000000.01 元" in f.message for f in found), found
