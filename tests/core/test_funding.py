"""Money by funding source: the source tree sums (parents are the sums of their children), the per-source
checks (arrived ≤ approved, paid ≤ arrived), parts adding up to the total, leaf-only entry, 其他 with a
note, and completed investment by month, year and since the start, never above the total."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oldcomm_desktop.core import catalogues, communities, funding, projects
from oldcomm_desktop.core.errors import NotFound, ValidationError
from oldcomm_desktop.core.model import Base, Community, FundingLine, Project

ZERO = Decimal("0.00")


def db_state(db) -> dict[str, list[tuple]]:
    """Every row of every table, read on a new connection."""
    with db.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(t.select())), key=repr) for t in Base.metadata.sorted_tables
        }


def refused(db, call, exc_type=ValidationError):
    """Run `call(session)`, expect `exc_type`, commit the session anyway: nothing may have changed."""
    before = db_state(db)
    with db.session("测试员") as s:
        with pytest.raises(exc_type) as info:
            call(s)
        s.commit()
    assert db_state(db) == before
    return info.value


def labels(exc: ValidationError) -> list[str]:
    return [p.label for p in exc.problems]


# The seed meeting's example community: 680万元, made up of these sources (yuan).
EXAMPLE_LINES = {
    "central_budget": {"approved": "3000000", "annual_plan": "3000000", "arrived": "2500000", "paid": "2000000"},
    "treasury_bonds": {"approved": "500000", "arrived": "500000", "paid": "500000"},
    "provincial": {"approved": "1000000", "arrived": "1000000", "paid": "800000"},
    "city_county": {"approved": "1200000", "arrived": "600000"},
    "utility_units": {"approved": "400000", "arrived": "400000", "paid": "400000"},
    "residents": {"approved": "300000.50", "arrived": "300000.50", "paid": "0.50"},
    "other": {"approved": "399999.50", "arrived": "100000", "source_note": "企业捐资"},
}


@pytest.fixture
def example(db) -> str:
    with db.transaction("测试员") as s:
        return communities.create(s, {"name": "示范小区", "households": 480, "total_investment": "6,800,000"}).id


def set_lines(db, target_id: str, lines: dict) -> None:
    with db.transaction("测试员") as s:
        target = s.get(Community, target_id) or s.get(Project, target_id)
        funding.set_lines(s, target, lines)


def set_refused(db, target_id: str, lines: dict) -> ValidationError:
    def call(s):
        funding.set_lines(s, s.get(Community, target_id) or s.get(Project, target_id), lines)

    return refused(db, call)


def nodes_by_code(db, target_id: str | None = None) -> dict[str, funding.SourceNode]:
    with db.session("测试员") as s:
        target = (s.get(Community, target_id) or s.get(Project, target_id)) if target_id else None
        roots = funding.tree(s, target)
    out: dict[str, funding.SourceNode] = {}

    def walk(node: funding.SourceNode) -> None:
        out[node.source.code] = node
        for child in node.children:
            walk(child)

    for r in roots:
        walk(r)
    return out


def assert_parents_are_sums(nodes: dict[str, funding.SourceNode]) -> None:
    for node in nodes.values():
        if node.children:
            for measure in funding.MEASURES:
                assert node.amounts[measure] == sum((c.amounts[measure] for c in node.children), ZERO), (
                    node.source.code,
                    measure,
                )


# ---------------------------------------------------------------- the tree


def test_the_example_funding_table_and_its_tree(db, example: str) -> None:
    set_lines(db, example, EXAMPLE_LINES)
    nodes = nodes_by_code(db, example)
    assert_parents_are_sums(nodes)
    a = {code: n.amounts for code, n in nodes.items()}
    assert a["central"]["approved"] == Decimal("3500000.00")
    assert a["central"]["arrived"] == Decimal("3000000.00")
    assert a["state"]["approved"] == Decimal("5700000.00")  # 350 + 100 + 120 万元
    assert a["state"]["paid"] == Decimal("3300000.00")
    assert a["social"]["approved"] == Decimal("700000.50")
    assert a["social"]["paid"] == Decimal("400000.50")
    assert a["central"]["annual_plan"] == Decimal("3000000.00")
    roots = [n for n in nodes.values() if n.source.parent_id is None]
    assert [r.source.code for r in roots] == ["state", "social", "bank_loans", "other"]
    assert sum((r.amounts["approved"] for r in roots), ZERO) == Decimal("6800000.00")
    # every level's sums are exact: no float drift from the .50s
    assert sum((r.amounts["arrived"] for r in roots), ZERO) == Decimal("5400000.50")


def test_the_tree_without_a_target_sums_every_live_line(db, example: str) -> None:
    set_lines(db, example, EXAMPLE_LINES)
    with db.transaction("测试员") as s:
        other = communities.create(s, {"name": "第二小区", "total_investment": "0.30"})
        pid = projects.create(s, {"name": "片区项目", "total_investment": "100"}).id
    set_lines(db, other.id, {"central_budget": {"approved": "0.10"}, "provincial": {"approved": "0.20"}})
    set_lines(db, pid, {"special_bonds": {"approved": "100", "arrived": "60", "paid": "60"}})
    nodes = nodes_by_code(db)
    assert_parents_are_sums(nodes)
    assert nodes["central_budget"].amounts["approved"] == Decimal("3000000.10")
    assert nodes["state"].amounts["approved"] == Decimal("5700100.30")
    assert nodes["special_bonds"].amounts["paid"] == Decimal("60.00")
    assert nodes_by_code(db, pid)["state"].amounts["approved"] == Decimal("100.00")
    assert nodes_by_code(db, other.id)["state"].amounts["approved"] == Decimal("0.30")


def test_an_empty_target_has_a_tree_of_zeros(db, example: str) -> None:
    nodes = nodes_by_code(db, example)
    assert all(v == ZERO for n in nodes.values() for v in n.amounts.values())
    assert {"state", "central", "central_budget", "social", "residents", "bank_loans", "other"} <= set(nodes)


# ---------------------------------------------------------------- per-source checks


def test_arrived_and_paid_may_equal_their_limits(db) -> None:
    with db.transaction("测试员") as s:
        cid = communities.create(s, {"name": "甲"}).id  # no total investment: the parts are not checked
    set_lines(db, cid, {"provincial": {"approved": "100", "arrived": "100", "paid": "100"}})
    with db.session("测试员") as s:
        [line] = s.query(FundingLine).filter_by(community_id=cid).all()
        assert (line.approved, line.arrived, line.paid) == (Decimal("100.00"),) * 3


@pytest.mark.parametrize(
    ("line", "label", "fragment"),
    [
        ({"approved": "100", "arrived": "100.01"}, "到位资金", "省级资金：到位资金 100.01 元超过批复资金 100.00 元"),
        ({"approved": "100", "arrived": "50", "paid": "50.01"}, "拨付资金", "拨付资金 50.01 元超过到位资金 50.00 元"),
        ({"approved": "100", "paid": "10"}, "到位资金", "已填拨付资金，请先填写到位资金"),
        ({"approved": "-1"}, "批复（概算）资金", "省级资金：不能小于 0元"),
        ({"approved": "100.001"}, "批复（概算）资金", "省级资金：最多保留 2 位小数"),
        ({"arrived": "abc"}, "到位资金", "省级资金："),
        ({"annual_plan": "1e-3"}, "年度计划资金", "不能用科学计数法"),  # numbers are written plainly
        ({"annual_plan": "0.001"}, "年度计划资金", "最多保留 2 位小数"),
        ({"spent": "1"}, "spent", "不是可以修改的字段"),
    ],
)
def test_bad_source_lines_are_refused(db, line: dict, label: str, fragment: str) -> None:
    with db.transaction("测试员") as s:
        cid = communities.create(s, {"name": "甲"}).id
    set_lines(db, cid, {"provincial": {"approved": "100", "arrived": "20"}})
    err = set_refused(db, cid, {"provincial": line})
    assert labels(err) == [label]
    assert fragment in err.problems[0].message
    with db.session("测试员") as s:
        [kept] = s.query(FundingLine).filter_by(community_id=cid, deleted_at=None).all()
        assert (kept.approved, kept.arrived) == (Decimal("100.00"), Decimal("20.00"))


def test_every_bad_line_is_reported_at_once(db, example: str) -> None:
    lines = {
        **EXAMPLE_LINES,
        "provincial": {"approved": "1000000", "arrived": "1000001"},
        "residents": {"approved": "300000.50", "arrived": "1", "paid": "2"},
    }
    err = set_refused(db, example, lines)
    assert labels(err) == ["到位资金", "拨付资金"]
    assert err.problems[0].message.startswith("省级资金：")
    assert err.problems[1].message.startswith("居民出资：")


# ---------------------------------------------------------------- parts add up to the total


def test_the_parts_must_add_up_to_the_total_investment(db, example: str) -> None:
    short = {**EXAMPLE_LINES, "residents": {"approved": "300000.49", "arrived": "300000"}}
    err = set_refused(db, example, short)
    assert labels(err) == ["批复（概算）资金"]
    assert "合计 6799999.99 元，与总投资 6800000.00 元不一致" in err.problems[0].message
    over = {**EXAMPLE_LINES, "bank_loans": {"approved": "0.01"}}
    assert labels(set_refused(db, example, over)) == ["批复（概算）资金"]
    set_lines(db, example, EXAMPLE_LINES)


def test_money_parts_add_up_exactly(db) -> None:
    """0.1 + 0.2 is 0.3 here, as it must be for a return's rows to agree with its total."""
    with db.transaction("测试员") as s:
        cid = communities.create(s, {"name": "甲", "total_investment": "0.3"}).id
    set_lines(db, cid, {"central_budget": {"approved": 0.1}, "provincial": {"approved": 0.2}})
    assert nodes_by_code(db, cid)["state"].amounts["approved"] == Decimal("0.30")
    err = set_refused(db, cid, {"central_budget": {"approved": "0.1"}, "provincial": {"approved": "0.201"}})
    assert "最多保留 2 位小数" in err.problems[0].message


def test_replacing_the_table_moves_lines_to_the_bin(db, example: str) -> None:
    set_lines(db, example, EXAMPLE_LINES)
    set_lines(db, example, {"city_county": {"approved": "6800000", "arrived": "6800000", "paid": "6800000"}})
    with db.session("测试员") as s:
        live = s.query(FundingLine).filter_by(community_id=example, deleted_at=None).all()
        assert len(live) == 1
        assert s.query(FundingLine).filter(FundingLine.deleted_at.is_not(None)).count() == len(EXAMPLE_LINES) - 1
    nodes = nodes_by_code(db, example)
    assert nodes["state"].amounts["approved"] == Decimal("6800000.00")
    assert nodes["social"].amounts["approved"] == ZERO


# ---------------------------------------------------------------- leaf sources only; 其他 with a note


@pytest.mark.parametrize("parent", ["state", "central", "social", "国家预算资金"])
def test_money_goes_on_leaf_sources_only(db, parent: str) -> None:
    with db.transaction("测试员") as s:
        cid = communities.create(s, {"name": "甲"}).id
    err = set_refused(db, cid, {parent: {"approved": "100"}})
    assert [(p.field, p.label) for p in err.problems] == [("source_id", "资金来源")]
    assert "是汇总项，请填在它的下级来源上" in err.problems[0].message


def test_leaves_are_the_sources_without_children(db) -> None:
    with db.session("测试员") as s:
        leaves = {src.code for src in catalogues.funding_sources(s) if catalogues.is_leaf(s, src)}
    assert "state" not in leaves and "central" not in leaves and "social" not in leaves
    assert {"central_budget", "provincial", "residents", "bank_loans", "other"} <= leaves


def test_unknown_source_is_refused(db, example: str) -> None:
    err = set_refused(db, example, {"lottery": {"approved": "6800000"}})
    assert "资金来源“lottery”不在目录中" in str(err)


def test_other_needs_a_note_saying_what_it_is(db) -> None:
    with db.transaction("测试员") as s:
        cid = communities.create(s, {"name": "甲"}).id
    for note in (None, "", "   "):
        line = {"approved": "100"} | ({"source_note": note} if note is not None else {})
        err = set_refused(db, cid, {"other": line})
        assert [(p.field, p.label) for p in err.problems] == [("source_note", "资金来源说明")]
        assert "其他：请写明资金的具体来源" in err.problems[0].message
    set_lines(db, cid, {"other": {"approved": "100", "source_note": "企业捐资"}})
    with db.session("测试员") as s:
        [line] = s.query(FundingLine).filter_by(community_id=cid).all()
        assert line.source_note == "企业捐资"
    # a named source needs no note
    set_lines(db, cid, {"bank_loans": {"approved": "100"}})


# ---------------------------------------------------------------- completed investment


def add_entry(db, target_id: str, on: date, amount: str) -> None:
    with db.transaction("测试员") as s:
        target = s.get(Community, target_id) or s.get(Project, target_id)
        funding.add_investment(s, target, {"entry_date": on, "amount": amount})


def figures(db, target_id: str, as_of: date) -> tuple[Decimal, Decimal, Decimal]:
    with db.session("测试员") as s:
        target = s.get(Community, target_id) or s.get(Project, target_id)
        f = funding.completed_figures(s, target, as_of)
    return f.this_month, f.this_year, f.since_start


def test_completed_investment_by_month_year_and_since_start(db, example: str) -> None:
    add_entry(db, example, date(2021, 11, 20), "400000")
    add_entry(db, example, date(2022, 1, 15), "1000000")
    add_entry(db, example, date(2022, 3, 1), "2000000")
    add_entry(db, example, date(2022, 3, 31), "500000.10")
    add_entry(db, example, date(2022, 4, 1), "300000")
    assert figures(db, example, date(2022, 3, 31)) == (
        Decimal("2500000.10"),
        Decimal("3500000.10"),
        Decimal("3900000.10"),
    )
    assert figures(db, example, date(2022, 2, 28)) == (ZERO, Decimal("1000000.00"), Decimal("1400000.00"))
    assert figures(db, example, date(2021, 12, 31)) == (ZERO, Decimal("400000.00"), Decimal("400000.00"))
    assert figures(db, example, date(2022, 4, 30)) == (
        Decimal("300000.00"),
        Decimal("3800000.10"),
        Decimal("4200000.10"),
    )
    assert figures(db, example, date(2021, 1, 1)) == (ZERO, ZERO, ZERO)


def test_completed_may_reach_but_not_pass_the_total(db, example: str) -> None:
    add_entry(db, example, date(2022, 1, 15), "6000000")
    err = refused(
        db,
        lambda s: funding.add_investment(
            s, s.get(Community, example), {"entry_date": "2022-02-01", "amount": "800000.01"}
        ),
    )
    assert [(p.field, p.label) for p in err.problems] == [("amount", "完成投资")]
    assert "累计完成投资 6800000.01 元将超过总投资 6800000.00 元" in err.problems[0].message
    add_entry(db, example, date(2022, 2, 1), "800000")
    assert figures(db, example, date(2022, 2, 28))[2] == Decimal("6800000.00")


def test_a_correction_may_lower_but_not_go_below_zero(db, example: str) -> None:
    add_entry(db, example, date(2022, 1, 15), "1000")
    add_entry(db, example, date(2022, 1, 20), "-400")
    assert figures(db, example, date(2022, 1, 31)) == (Decimal("600.00"),) * 3
    err = refused(
        db,
        lambda s: funding.add_investment(
            s, s.get(Community, example), {"entry_date": "2022-01-21", "amount": "-600.01"}
        ),
    )
    assert labels(err) == ["完成投资"]
    assert "冲减后累计完成投资为负数" in err.problems[0].message


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ({"entry_date": "2022-01-01", "amount": "0"}, "完成投资"),
        ({"entry_date": "2022-01-01", "amount": "10.001"}, "完成投资"),
        ({"entry_date": "2022-01-01"}, "完成投资"),
        ({"amount": "10"}, "完成日期"),
        ({"entry_date": "2022-02-30", "amount": "10"}, "完成日期"),
        ({"entry_date": date(date.today().year + 1, 1, 1), "amount": "10"}, "完成日期"),
    ],
)
def test_bad_investment_entries_are_refused(db, example: str, data: dict, label: str) -> None:
    err = refused(db, lambda s: funding.add_investment(s, s.get(Community, example), data))
    assert labels(err) == [label]


def test_investment_with_its_source(db, example: str) -> None:
    with db.transaction("测试员") as s:
        entry = funding.add_investment(
            s, s.get(Community, example), {"entry_date": "2022-01-01", "amount": "10", "source_id": "provincial"}
        )
        provincial = catalogues.funding_source(s, "provincial")
        assert entry.source_id == provincial.id
    err = refused(
        db,
        lambda s: funding.add_investment(
            s, s.get(Community, example), {"entry_date": "2022-01-01", "amount": "10", "source_id": "lottery"}
        ),
    )
    assert "不在目录中" in str(err)


def test_project_level_money(db) -> None:
    with db.transaction("测试员") as s:
        pid = projects.create(s, {"name": "片区项目", "total_investment": "1000", "money_split": "否"}).id
    set_lines(db, pid, {"central_budget": {"approved": "600", "arrived": "600"}, "residents": {"approved": "400"}})
    assert nodes_by_code(db, pid)["state"].amounts["approved"] == Decimal("600.00")
    add_entry(db, pid, date(2022, 5, 5), "1000")
    err = refused(
        db, lambda s: funding.add_investment(s, s.get(Project, pid), {"entry_date": "2022-05-06", "amount": "0.01"})
    )
    assert labels(err) == ["完成投资"]
    assert figures(db, pid, date(2022, 5, 31)) == (Decimal("1000.00"),) * 3


def test_deleted_community_money_leaves_the_totals(db, example: str) -> None:
    set_lines(db, example, EXAMPLE_LINES)
    add_entry(db, example, date(2022, 1, 15), "1000")
    with db.transaction("测试员") as s:
        communities.delete(s, example)
    assert nodes_by_code(db)["state"].amounts["approved"] == ZERO
    with db.session("测试员") as s:
        assert funding.completed_to_date(s, s.get(Community, example)) == ZERO
    refused(db, lambda s: communities.update(s, example, {"total_investment": "1"}), NotFound)
    with db.transaction("测试员") as s:
        communities.restore(s, example)
    assert nodes_by_code(db)["state"].amounts["approved"] == Decimal("5700000.00")
    assert figures(db, example, date(2022, 1, 31))[2] == Decimal("1000.00")
