"""Optimistic locking: every save carries the version it started from; a stale one is refused, named, harmless.

Two clerks (two sessions) load the same record; the second save must fail with StaleRecord naming the first
clerk, and the database must hold the first clerk's change only. A race past the version check (the other
save lands between our check and our flush) is caught by the ORM's version counter and reported the same.
"""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import (
    communities,
    editable_settings,
    funding,
    inspections,
    items,
    milestones,
    projects,
    recycle_bin,
)
from oldcomm_desktop.core.errors import StaleRecord
from oldcomm_desktop.core.model import Community


def _community(db, name: str = "幸福里小区") -> tuple[str, int]:
    with db.transaction("张三") as s:
        c = communities.create(s, {"name": name, "households": 100, "year_built": 1995})
        return c.id, c.version


def test_second_clerk_saving_a_stale_version_is_refused_with_who_and_when(db) -> None:
    cid, v = _community(db)
    with db.transaction("张三") as s:
        communities.update(s, cid, {"households": 120}, expected_version=v)
    with pytest.raises(StaleRecord) as info, db.transaction("李四") as s:
        communities.update(s, cid, {"households": 90}, expected_version=v)
    exc = info.value
    assert exc.record_id == cid and exc.expected_version == v and exc.current_version and exc.current_version > v
    assert exc.changed_by == "张三" and exc.changed_at is not None
    text = str(exc)
    assert "张三" in text and f"第 {v} 版" in text and "没有保存" in text and "年" in text
    with db.session("测试员") as s:
        assert s.get(Community, cid).households == 120


def test_matching_version_saves_and_returns_the_next_version(db) -> None:
    cid, v = _community(db)
    with db.transaction("张三") as s:
        c = communities.update(s, cid, {"households": 120}, expected_version=v)
    with db.transaction("张三") as s:
        communities.update(s, cid, {"households": 130}, expected_version=c.version)


@pytest.mark.parametrize(
    "call",
    [
        lambda s, cid, v: communities.delete(s, cid, expected_version=v),
        lambda s, cid, v: communities.update(s, cid, {"name": "别的"}, expected_version=v),
    ],
)
def test_delete_and_update_check_the_version(db, call) -> None:
    cid, v = _community(db)
    with db.transaction("张三") as s:
        communities.update(s, cid, {"households": 120})
    with pytest.raises(StaleRecord), db.transaction("李四") as s:
        call(s, cid, v)


def test_every_kind_of_write_takes_expected_version(db) -> None:
    """Projects, items, milestones, investment, inspections, replies, settings: a wrong version is refused."""
    cid, _ = _community(db)
    with db.transaction("张三") as s:
        p = projects.create(s, {"name": "2026年项目", "plan_year": 2026})
        it = items.create(s, cid, {"item_type_id": "rain_sewage", "planned_quantity": 10})
        c = communities.get(s, cid)
        m = milestones.add(s, c, {"kind": "survey", "reached_on": "2026-01-05"})
        e = funding.add_investment(s, c, {"entry_date": "2026-01-10", "amount": "100"})
        insp = inspections.record(
            s,
            c,
            {"kind": "patrol", "inspected_on": "2026-01-10"},
            rectifications=[{"problem": "井盖破损", "deadline": "2026-02-01"}],
        )
        rect_id = inspections.detail(s, insp.id)["rectifications"][0]["id"]
        ids = {"p": p.id, "it": it.id, "m": m.id, "e": e.id, "i": insp.id, "r": rect_id}
    wrong = 99
    calls = [
        lambda s: projects.update(s, ids["p"], {"batch": "一"}, expected_version=wrong),
        lambda s: projects.delete(s, ids["p"], expected_version=wrong),
        lambda s: items.update(s, ids["it"], {"planned_quantity": 5}, expected_version=wrong),
        lambda s: items.delete(s, ids["it"], expected_version=wrong),
        lambda s: milestones.remove(s, ids["m"], expected_version=wrong),
        lambda s: funding.delete_investment(s, ids["e"], expected_version=wrong),
        lambda s: inspections.delete(s, ids["i"], expected_version=wrong),
        lambda s: inspections.reply(s, ids["r"], "已修复", "2026-01-20", expected_version=wrong),
        lambda s: inspections.reinspect(
            s, ids["r"], {"inspected_on": "2026-01-21", "passed": True, "note": "无照片"}, expected_version=wrong
        ),
        lambda s: funding.set_lines(s, communities.get(s, cid), {}, expected_version=wrong),
        lambda s: editable_settings.update(s, {"return_due_day": 6}, expected_version=wrong),
        lambda s: recycle_bin.restore(s, "item", ids["it"], expected_version=wrong),
    ]
    for call in calls:
        with pytest.raises(StaleRecord), db.transaction("李四") as s:
            call(s)


def test_funding_table_version_moves_with_every_save(db) -> None:
    cid, _ = _community(db)
    with db.transaction("张三") as s:
        v0 = funding.table_version_of(s, cid)
        funding.set_lines(s, communities.get(s, cid), {"provincial": {"approved": "100"}}, expected_version=v0)
    with db.transaction("张三") as s:
        v1 = funding.table_version_of(s, cid)
        assert v1 > v0
        funding.set_lines(s, communities.get(s, cid), {"provincial": {"approved": "200"}}, expected_version=v1)
    with pytest.raises(StaleRecord), db.transaction("李四") as s:
        funding.set_lines(s, communities.get(s, cid), {"provincial": {"approved": "300"}}, expected_version=v1)


def test_settings_version(db) -> None:
    with db.transaction("张三") as s:
        v = editable_settings.version(s)
        editable_settings.update(s, {"return_due_day": 6}, expected_version=v)
    with pytest.raises(StaleRecord), db.transaction("李四") as s:
        editable_settings.update(s, {"return_due_day": 7}, expected_version=v)


def test_a_race_past_the_check_is_a_stale_record_not_a_stale_data_error(db) -> None:
    """Clerk B loaded v1 into her session; clerk A commits; B's flush finds v1 gone: StaleRecord, not StaleDataError."""
    cid, v = _community(db)
    with pytest.raises(StaleRecord) as info, db.transaction("李四") as s_b:
        c_b = s_b.get(Community, cid)
        assert c_b.version == v
        with db.transaction("张三") as s_a:
            communities.update(s_a, cid, {"households": 120})
        c_b.households = 80  # B's session still believes it has version v
    assert info.value.record_id == cid and info.value.changed_by == "张三"
    with db.session("测试员") as s:
        assert s.get(Community, cid).households == 120


def test_listings_carry_the_version(db) -> None:
    from oldcomm_desktop.core import listings

    cid, v = _community(db)
    with db.session("测试员") as s:
        rows = listings.page(s, "communities", listings.ListQuery(), 0, 10)
    assert [r["version"] for r in rows if r["id"] == cid] == [v]


def test_saving_a_record_a_colleague_deleted_meanwhile_names_them(db) -> None:
    cid, v = _community(db)
    with db.transaction("张三") as s:
        communities.delete(s, cid)
    with pytest.raises(StaleRecord) as info, db.transaction("李四") as s:
        communities.update(s, cid, {"households": 90}, expected_version=v)
    assert info.value.changed_by == "张三"
