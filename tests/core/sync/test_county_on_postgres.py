"""The county side on a real PostgreSQL server: import, merge, conflict, export down, rollback, refusal."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.core import attachments, items
from oldcomm_desktop.core.model import Attachment, Community, RenovationItem
from oldcomm_desktop.core.sync import conflicts, history
from oldcomm_desktop.core.sync.package import PackageError

from .conftest import T1, Node, db_state

pytestmark = pytest.mark.postgres


def test_county_on_postgres_imports_merges_and_sends_down(pg_county: Node, world, tmp_path: Path) -> None:
    t1 = world[T1]
    cid = t1.new_community("幸福里小区", households=100, floor_area="8500.5")
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100)
    with t1.db.transaction("测试员") as s:
        iid = items.create(s, cid, {"item_type_id": "gas_pipe", "planned_quantity": "8500"}, confirm=True).id
        attachments.add(s, s.get(Community, cid), photo)
    first = pg_county.import_(t1.export().path)
    assert first.tables["community"].added == 1 and first.tables["renovation_item"].added == 1
    with pg_county.db.transaction("测试员") as s:
        assert s.get(Community, cid).floor_area == Decimal("8500.50")
        assert s.get(RenovationItem, iid).planned_quantity == Decimal("8500.00")
        stored = attachments.stored_path(s, s.query(Attachment).one().sha256)
    assert stored.read_bytes() == photo.read_bytes()

    # both sides change the same field: recorded on PostgreSQL, resolved, travels down
    pg_county.update_community(cid, households=130, buildings=9)
    t1.update_community(cid, households=140)
    report = pg_county.import_(t1.export().path)
    assert [c["field"] for c in report.conflicts] == ["households"]
    with pg_county.db.transaction("审核员") as s:
        [c] = conflicts.listing(s)
        conflicts.resolve(s, c["id"], "ours")
    t1.import_(pg_county.export(T1).path)
    with t1.db.transaction("测试员") as s:
        c = s.get(Community, cid)
        assert (c.households, c.buildings) == (130, 9)

    # a bad package is refused and PostgreSQL is unchanged
    data = t1.export(full=True).path.read_bytes()
    cut = tmp_path / "cut.ocpkg"
    cut.write_bytes(data[:-200])
    before = db_state(pg_county.db)
    with pytest.raises(PackageError):
        pg_county.import_(cut)
    assert db_state(pg_county.db) == before

    # rollback of the latest import on PostgreSQL
    t1.update_community(cid, notes="乡镇备注")
    latest = pg_county.import_(t1.export().path)
    with pg_county.db.transaction("测试员") as s:
        history.rollback(s, latest.import_id)
        assert s.get(Community, cid).notes is None


def test_returns_and_orders_travel_through_a_county_on_postgres(pg_county: Node, world) -> None:
    """The archived .xlsx (bytea on PostgreSQL) goes up and comes back byte for byte; an order goes down."""
    from datetime import date

    from sqlalchemy import select

    from oldcomm_desktop.core.model import ReturnArchive, ReturnSubmission
    from oldcomm_desktop.core.model.supervision import OrderTarget
    from oldcomm_desktop.core.returns import review
    from oldcomm_desktop.core.returns.periods import Period
    from oldcomm_desktop.core.supervision import orders

    t1, may = world[T1], Period(2026, 5)
    t1.new_community("幸福里小区", households=100, floor_area="8500.5", plan_year=2026)
    with t1.db.transaction("填报员") as s:
        sub_id = review.submit(s, "progress", may, operator="填报员").id
        sent = s.scalar(select(ReturnArchive)).content
    pg_county.import_(t1.export().path)
    with pg_county.db.transaction("县审核员") as s:
        assert bytes(s.scalar(select(ReturnArchive)).content) == sent
        review.approve(s, "progress", may, township=T1, operator="县审核员")
        order = orders.issue(
            s,
            {"problem": "进度滞后", "requirement": "限期整改", "deadline": date(2026, 6, 30)},
            [{"township_code": T1}],
            today=date(2026, 6, 1),
        )
        order_id = order.id
    t1.import_(pg_county.export(T1).path)
    with t1.db.transaction("测试员") as s:
        assert s.get(ReturnSubmission, sub_id).status == "approved"
        assert s.scalar(select(OrderTarget).where(OrderTarget.order_id == order_id)).state == "pending"


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_county_on_postgres_holds_an_item_under_a_deleted_community(pg_county: Node, world, keep: str) -> None:
    """Held records (所属记录已删除), both decisions and a rollback through the bulk path, on PostgreSQL."""
    from oldcomm_desktop.core import communities

    t1 = world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    pg_county.import_(t1.export().path)
    with pg_county.db.transaction("审核员") as s:
        communities.delete(s, cid)
    with t1.db.transaction("录入员") as s:
        iid = items.create(s, cid, {"item_type_id": "gas_pipe", "planned_quantity": "300"}, confirm=True).id
    other = t1.new_community("和平小区", households=80)
    report = pg_county.import_(t1.export().path)
    assert [(c["record_id"], c["field"]) for c in report.conflicts] == [(iid, "parent_deleted")]
    with pg_county.db.transaction("审核员") as s:
        assert s.get(Community, other) is not None and s.get(RenovationItem, iid) is None
        [c] = conflicts.listing(s)
        conflicts.resolve(s, c["id"], keep)
    with pg_county.db.transaction("测试员") as s:
        assert (s.get(Community, cid).deleted_at is None) == (keep == "theirs")
        assert (s.get(RenovationItem, iid).deleted_at is None) == (keep == "theirs")
    t1.import_(pg_county.export(T1).path)
    with t1.db.transaction("测试员") as s:
        assert (s.get(Community, cid).deleted_at is None) == (keep == "theirs")
        assert (s.get(RenovationItem, iid).deleted_at is None) == (keep == "theirs")
