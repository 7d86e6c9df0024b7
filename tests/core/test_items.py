"""Renovation items (改造内容): quantities, dates, the over-plan confirmation, and what they add up to in
the national effect indicators — with the seed meeting's example community as the realistic case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oldcomm_desktop.core import catalogues, communities, items, listings, milestones, summary
from oldcomm_desktop.core.errors import ConfirmationNeeded, NotFound, ValidationError
from oldcomm_desktop.core.model import Base, Community, RenovationItem


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


# The seed meeting's example community (domain.md): 680万元; roads 8,500 m²; water, power and gas pipes
# 12,000 m in all; stairwells repainted and handrails replaced; 2 plazas; 30 fitness items; 50 parking spaces.
SEED_ITEMS = [
    ("road", "8500", "道路硬化"),
    ("water_pipe", "5000", "供水管网"),
    ("power_line", "4000", "供电线路"),
    ("gas_pipe", "3000", "燃气管道"),
    ("stairwell", "12", "楼道粉刷"),
    ("handrail", "12", "楼梯扶手更换"),
    ("plaza", "2", "休闲广场"),
    ("fitness", "30", "健身器材"),
    ("parking", "50", "新增停车位"),
]


def seed_example(db, *, done: bool = True, name: str = "示范小区") -> str:
    """The example community with every item planned and (when `done`) completed as planned."""
    with db.transaction("测试员") as s:
        c = communities.create(
            s,
            {
                "name": name,
                "year_built": 1992,
                "buildings": 12,
                "households": 480,
                "floor_area": "42000",
                "plan_year": 2021,
                "total_investment": "6800000",
            },
        )
        for code, qty, desc in SEED_ITEMS:
            data = {"item_type_id": code, "planned_quantity": qty, "description": desc}
            if done:
                data |= {
                    "completed_quantity": qty,
                    "status": "completed",
                    "started_on": date(2021, 4, 1),
                    "completed_on": date(2021, 10, 31),
                }
            items.create(s, c.id, data)
        return c.id


@pytest.fixture
def community(db) -> str:
    with db.transaction("测试员") as s:
        return communities.create(s, {"name": "幸福里小区", "households": 100, "plan_year": 2021}).id


def new_item(db, community_id: str, **data) -> str:
    with db.transaction("测试员") as s:
        return items.create(s, community_id, {"item_type_id": "road", "planned_quantity": "1000", **data}).id


def reread(db, item_id: str) -> RenovationItem:
    with db.session("测试员") as s:
        return s.get(RenovationItem, item_id)


def indicators(db, **kw) -> dict[str, tuple[Decimal, Decimal, str]]:
    with db.session("测试员") as s:
        return {f.code: (f.planned, f.done, f.unit) for f in summary.effect_indicators(s, **kw)}


# ---------------------------------------------------------------- good input


def test_item_by_code_name_or_id(db, community: str) -> None:
    with db.session("测试员") as s:
        road = catalogues.item_type(s, "road")
    for key in ("road", "道路硬化/沥青铺设", road.id):
        iid = new_item(db, community, item_type_id=key)
        assert reread(db, iid).item_type_id == road.id
    item = reread(db, iid)
    assert (item.status, item.planned_quantity, item.township_code) == ("planned", Decimal("1000.00"), "341122001000")


def test_an_item_with_every_field(db, community: str) -> None:
    iid = new_item(
        db,
        community,
        item_type_id="elevator",
        description="3 号楼加装电梯",
        planned_quantity="2",
        completed_quantity="２",
        investment="1,200,000.50",
        status="已完成",
        started_on="2021-04-01",
        completed_on="2021年9月30日",
        notes="业主出资 30%",
    )
    item = reread(db, iid)
    assert item.completed_quantity == Decimal("2.00")
    assert item.investment == Decimal("1200000.50")
    assert (item.status, item.started_on, item.completed_on) == ("completed", date(2021, 4, 1), date(2021, 9, 30))


def test_completion_on_the_start_day_is_fine(db, community: str) -> None:
    iid = new_item(db, community, status="completed", started_on="2021-05-01", completed_on="2021-05-01")
    assert reread(db, iid).completed_on == date(2021, 5, 1)


# ---------------------------------------------------------------- bad input


def test_completion_may_not_precede_the_start(db, community: str) -> None:
    err = refused(
        db,
        lambda s: items.create(
            s,
            community,
            {"item_type_id": "road", "status": "started", "started_on": "2021-05-02", "completed_on": "2021-05-01"},
        ),
    )
    assert labels(err) == ["完成日期"]
    assert "完成日期 2021-05-01 早于开工日期 2021-05-02" in err.problems[0].message
    iid = new_item(db, community, status="started", started_on="2021-05-02")
    err = refused(db, lambda s: items.update(s, iid, {"completed_on": "2021-04-30"}))
    assert labels(err) == ["完成日期"]
    assert reread(db, iid).completed_on is None


def test_a_completed_item_needs_its_completion_date(db, community: str) -> None:
    iid = new_item(db, community, status="started", started_on="2021-05-02")
    err = refused(db, lambda s: items.update(s, iid, {"status": "completed"}))
    assert labels(err) == ["完成日期"]
    assert reread(db, iid).status == "started"


def test_a_not_started_item_has_no_completed_quantity(db, community: str) -> None:
    err = refused(db, lambda s: items.create(s, community, {"item_type_id": "road", "completed_quantity": "10"}))
    assert labels(err) == ["状态"]


@pytest.mark.parametrize(
    ("changes", "label"),
    [
        ({"planned_quantity": "-1"}, "计划工程量"),
        ({"planned_quantity": "1.005"}, "计划工程量"),
        ({"completed_quantity": "abc"}, "完成工程量"),
        ({"investment": "-0.01"}, "投资额"),
        ({"investment": "100.001"}, "投资额"),
        ({"status": "返工"}, "状态"),
        ({"started_on": "2021-02-30"}, "开工日期"),
        ({"description": "长" * 301}, "具体内容"),
        ({"item_type_id": ""}, "改造内容类型"),
    ],
)
def test_bad_values_name_the_field_and_change_nothing(db, community: str, changes: dict, label: str) -> None:
    iid = new_item(db, community)
    err = refused(db, lambda s: items.update(s, iid, changes))
    assert labels(err) == [label]
    err = refused(db, lambda s: items.create(s, community, {"item_type_id": "road", **changes}))
    assert labels(err) == [label]


def test_item_type_is_required_and_must_be_in_the_catalogue(db, community: str) -> None:
    err = refused(db, lambda s: items.create(s, community, {"planned_quantity": "5"}))
    assert labels(err) == ["改造内容类型"]
    err = refused(db, lambda s: items.create(s, community, {"item_type_id": "moon_base"}))
    assert "不在目录中" in str(err)


def test_items_belong_to_a_live_community(db, community: str) -> None:
    refused(db, lambda s: items.create(s, "no-such-community", {"item_type_id": "road"}), NotFound)


# ---------------------------------------------------------------- over the plan: confirm


def test_completed_above_planned_asks_for_confirmation(db, community: str) -> None:
    iid = new_item(db, community, planned_quantity="1000", status="started", started_on="2021-04-01")
    err = refused(db, lambda s: items.update(s, iid, {"completed_quantity": "1000.01"}), ConfirmationNeeded)
    assert (err.problem.field, err.problem.label) == ("completed_quantity", "完成工程量")
    assert "超过计划" in err.problem.message
    assert reread(db, iid).completed_quantity is None
    # exactly the plan needs no confirmation
    with db.transaction("测试员") as s:
        items.update(s, iid, {"completed_quantity": "1000"})
    with db.transaction("测试员") as s:
        items.update(s, iid, {"completed_quantity": "1200"}, confirm=True)
    assert reread(db, iid).completed_quantity == Decimal("1200.00")


def test_over_plan_on_create_asks_too(db, community: str) -> None:
    data = {"item_type_id": "parking", "planned_quantity": "50", "completed_quantity": "55", "status": "started"}
    err = refused(db, lambda s: items.create(s, community, data), ConfirmationNeeded)
    assert err.problem.label == "完成工程量"
    with db.transaction("测试员") as s:
        iid = items.create(s, community, data, confirm=True).id
    assert reread(db, iid).completed_quantity == Decimal("55.00")


def test_confirmation_does_not_override_a_real_error(db, community: str) -> None:
    data = {
        "item_type_id": "parking",
        "planned_quantity": "50",
        "completed_quantity": "55",
        "status": "completed",
        "started_on": "2021-05-02",
        "completed_on": "2021-05-01",
    }
    err = refused(db, lambda s: items.create(s, community, data, confirm=True))
    assert labels(err) == ["完成日期"]


# ---------------------------------------------------------------- delete and restore


def test_delete_and_restore_an_item(db, community: str) -> None:
    iid = new_item(db, community)
    with db.transaction("测试员") as s:
        items.delete(s, iid)
    with db.session("测试员") as s:
        assert listings.count(s, "items") == 0
    refused(db, lambda s: items.update(s, iid, {"planned_quantity": "5"}), NotFound)
    with db.transaction("测试员") as s:
        items.restore(s, iid)
    with db.session("测试员") as s:
        assert [r["id"] for r in listings.page(s, "items")] == [iid]


def test_an_item_cannot_come_back_while_its_community_is_in_the_bin(db, community: str) -> None:
    iid = new_item(db, community)
    with db.transaction("测试员") as s:
        items.delete(s, iid)
    with db.transaction("测试员") as s:
        communities.delete(s, community)
    err = refused(db, lambda s: items.restore(s, iid))
    assert "在回收站中，请先恢复小区" in str(err)


# ---------------------------------------------------------------- the example community and the effect indicators


def test_the_seed_meetings_example_community(db) -> None:
    cid = seed_example(db)
    with db.session("测试员") as s:
        c = s.get(Community, cid)
        assert c.total_investment == Decimal("6800000.00")
        rows = listings.page(s, "items", listings.ListQuery(filters={"community": cid}))
        by_type = {r["item_type"]: r for r in rows}
        assert by_type["道路硬化/沥青铺设"]["planned_quantity"] == Decimal("8500.00")
        assert by_type["道路硬化/沥青铺设"]["unit"] == "平方米"
        assert by_type["休闲广场"]["completed_quantity"] == Decimal("2.00")
        assert by_type["健身器材"]["completed_quantity"] == Decimal("30.00")
        assert by_type["停车位"]["unit"] == "个"
        assert sum(r["planned_quantity"] for r in rows if r["unit"] == "米") == Decimal("12000.00")
        assert {r["category"] for r in rows} == {"基础类", "完善类"}
        assert listings.count(s, "items", listings.ListQuery(filters={"category": "basic"})) == 6


def test_effect_indicators_of_the_example_community(db) -> None:
    seed_example(db)
    figures = indicators(db)
    assert figures["pipes_km"] == (Decimal("12"), Decimal("12"), "公里")  # 12,000 m of pipes -> 12 km
    assert figures["parking"] == (Decimal("50"), Decimal("50"), "个")
    for code in ("elevators", "energy_m2", "ev_chargers", "ebike_chargers", "care_facilities", "leisure_m2"):
        assert figures[code][:2] == (Decimal(0), Decimal(0)), code
    assert list(figures) == [
        "pipes_km",
        "elevators",
        "energy_m2",
        "parking",
        "ev_chargers",
        "ebike_chargers",
        "care_facilities",
        "leisure_m2",
    ]


def test_effect_indicators_count_progress_not_just_plans(db) -> None:
    cid = seed_example(db, done=False)
    figures = indicators(db)
    assert figures["pipes_km"][:2] == (Decimal("12"), Decimal("0"))
    with db.transaction("测试员") as s:
        water = s.query(RenovationItem).filter_by(community_id=cid, description="供水管网").one()
        items.update(s, water.id, {"status": "started", "started_on": "2021-04-01", "completed_quantity": "2500"})
    assert indicators(db)["pipes_km"][:2] == (Decimal("12"), Decimal("2.5"))


def test_effect_indicators_leave_out_withdrawn_communities_and_deleted_items(db) -> None:
    a = seed_example(db, name="甲小区")
    b = seed_example(db, name="乙小区", done=False)
    assert indicators(db)["parking"][:2] == (Decimal("100"), Decimal("50"))
    with db.transaction("测试员") as s:
        milestones.add(
            s, s.get(Community, b), {"kind": "withdrawal", "reached_on": "2021-03-01", "reason": "资金未落实"}
        )
    assert indicators(db)["parking"][:2] == (Decimal("50"), Decimal("50"))
    with db.transaction("测试员") as s:
        parking = s.query(RenovationItem).filter_by(community_id=a, description="新增停车位").one()
        items.delete(s, parking.id)
    assert indicators(db)["parking"][:2] == (Decimal("0"), Decimal("0"))
    assert indicators(db)["pipes_km"][:2] == (Decimal("12"), Decimal("12"))
    with db.transaction("测试员") as s:
        communities.delete(s, a)
    assert indicators(db)["pipes_km"][:2] == (Decimal("0"), Decimal("0"))


def test_effect_indicators_by_year(db) -> None:
    seed_example(db)
    assert indicators(db, year=2021)["parking"][0] == Decimal("50")
    assert indicators(db, year=2020)["parking"][0] == Decimal("0")
    assert indicators(db, township="341122001000")["parking"][0] == Decimal("50")
