"""Nothing is added under, or changed in, a record in the recycle bin: every service that writes under a parent
refuses a deleted community, project, inspection, rectification or order (or a deleted grandparent: a live
community of a project in the bin) with one Chinese message naming what to restore, and changes nothing.
Restoring from the recycle bin makes the same write work again.

Some states here (a live item under a deleted community, a live community under a deleted project) no edit
makes; a sync package can leave them (core/sync/deleted_parents.py), so the tests tombstone the parent alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import (
    attachments,
    communities,
    divisions,
    funding,
    inspections,
    items,
    milestones,
    projects,
    records,
    recycle_bin,
    responsibility,
    workspace,
)
from oldcomm_desktop.core.errors import InRecycleBin, NotFound, ValidationError
from oldcomm_desktop.core.model import (
    Attachment,
    Base,
    Community,
    Inspection,
    Milestone,
    Project,
    Rectification,
    RenovationItem,
)
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.model.supervision import OrderTarget, SupervisionOrder
from oldcomm_desktop.core.supervision import orders, requests

DAY = date(2025, 6, 10)
TODAY = date(2025, 6, 20)
BIN = "已删除（在回收站中），不能{doing}；请先从回收站恢复。"
FIVE_BUILDER = {"builder": {"unit_name": "青禾县住房和城乡建设局", "leader": "王建国"}}


@pytest.fixture(autouse=True)
def _private_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A server database keeps attachments in the user's data folder: keep that inside tmp."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def db_state(db) -> dict[str, list[tuple]]:
    """Every row of every table, read on a new connection."""
    with db.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(t.select())), key=repr) for t in Base.metadata.sorted_tables
        }


def refused(db, call, message: str) -> InRecycleBin:
    """Run `call(session)`, expect InRecycleBin with exactly `message`, commit anyway: nothing may have changed."""
    before = db_state(db)
    with db.session("测试员") as s:
        with pytest.raises(InRecycleBin) as info:
            call(s)
        s.commit()
    assert str(info.value) == message
    assert db_state(db) == before
    return info.value


def in_bin(name: str, doing: str) -> str:
    return name + BIN.format(doing=doing)


@pytest.fixture
def ledger(db) -> dict[str, str]:
    """A project with one community (an item, a patrol with a rectification) and a project of its own."""
    with db.transaction("测试员") as s:
        project = projects.create(s, {"name": "城关片区改造项目", "plan_year": 2025})
        c = communities.create(s, {"name": "幸福里小区", "project_id": project.id, "households": 100})
        item = items.create(s, c.id, {"item_type_id": "road"})
        rect = {"problem": "施工围挡破损", "deadline": DAY.replace(day=17)}
        insp = inspections.record(s, c, {"kind": "patrol", "inspected_on": DAY}, (), [rect], today=TODAY)
        lone = projects.create(s, {"name": "东门片区改造项目", "plan_year": 2025})
        return {
            "project": project.id,
            "community": c.id,
            "item": item.id,
            "inspection": insp.id,
            "rect": s.scalars(select(Rectification.id).where(Rectification.inspection_id == insp.id)).one(),
            "lone": lone.id,
        }


def delete_community(db, ledger) -> None:
    with db.transaction("测试员") as s:
        communities.delete(s, ledger["community"])


def restore(db, kind: str, record_id: str) -> None:
    with db.transaction("测试员") as s:
        recycle_bin.restore(s, kind, record_id)


def tombstone(db, cls, record_id: str) -> None:
    """Only this record into the bin, what sits under it left live (as a sync package can leave it)."""
    with db.transaction("测试员") as s:
        s.get(cls, record_id).deleted_at = utcnow()


def milestone_on(s, target_id: str, kind: str = "plan") -> Milestone:
    target = s.get(Community, target_id) or s.get(Project, target_id)
    return milestones.add(s, target, {"kind": kind, "reached_on": DAY, "document_no": "城建〔2025〕1号"})


# ------------------------------------------------------------------------------------------------ the error


def test_the_refusal_is_both_not_found_and_a_validation_error(db, ledger) -> None:
    """Callers that caught NotFound (no live record) or ValidationError (a form's message) keep working."""
    delete_community(db, ledger)
    err = refused(db, lambda s: milestone_on(s, ledger["community"]), in_bin("小区“幸福里小区”", "添加进度节点"))
    assert isinstance(err, NotFound) and isinstance(err, ValidationError)
    assert (err.table, err.record_id) == ("community", ledger["community"])
    assert [p.message for p in err.problems] == [str(err)]


# ------------------------------------------------------------------------------------------------ milestones


def test_a_milestone_under_a_deleted_community_is_refused_until_it_is_restored(db, ledger) -> None:
    delete_community(db, ledger)
    refused(db, lambda s: milestone_on(s, ledger["community"]), in_bin("小区“幸福里小区”", "添加进度节点"))
    restore(db, "community", ledger["community"])
    with db.transaction("测试员") as s:
        milestone_on(s, ledger["community"])
        assert s.get(Community, ledger["community"]).status == "planned"


def test_a_milestone_on_a_deleted_project_is_refused(db, ledger) -> None:
    with db.transaction("测试员") as s:
        projects.delete(s, ledger["lone"])
    refused(db, lambda s: milestone_on(s, ledger["lone"]), in_bin("项目“东门片区改造项目”", "添加进度节点"))
    restore(db, "project", ledger["lone"])
    with db.transaction("测试员") as s:
        milestone_on(s, ledger["lone"])


def test_a_milestone_on_a_live_community_of_a_deleted_project_names_the_project(db, ledger) -> None:
    tombstone(db, Project, ledger["project"])
    refused(db, lambda s: milestone_on(s, ledger["community"]), in_bin("项目“城关片区改造项目”", "添加进度节点"))


def test_the_outermost_record_in_the_bin_is_named(db, ledger) -> None:
    """Community and project both in the bin: the project is what to restore first."""
    delete_community(db, ledger)
    tombstone(db, Project, ledger["project"])
    refused(db, lambda s: milestone_on(s, ledger["community"]), in_bin("项目“城关片区改造项目”", "添加进度节点"))


# ------------------------------------------------------------------------------------------------ money


def test_funding_lines_under_a_deleted_community_are_refused_until_it_is_restored(db, ledger) -> None:
    lines = {"central_budget": {"approved": "100000"}}
    delete_community(db, ledger)
    refused(
        db,
        lambda s: funding.set_lines(s, s.get(Community, ledger["community"]), lines),
        in_bin("小区“幸福里小区”", "修改资金"),
    )
    restore(db, "community", ledger["community"])
    with db.transaction("测试员") as s:
        assert len(funding.set_lines(s, s.get(Community, ledger["community"]), lines)) == 1


def test_funding_lines_on_a_deleted_project_are_refused(db, ledger) -> None:
    with db.transaction("测试员") as s:
        projects.delete(s, ledger["lone"])
    refused(
        db,
        lambda s: funding.set_lines(s, s.get(Project, ledger["lone"]), {"central_budget": {"approved": "1"}}),
        in_bin("项目“东门片区改造项目”", "修改资金"),
    )


def test_completed_investment_under_a_deleted_community_is_refused_until_it_is_restored(db, ledger) -> None:
    entry = {"entry_date": DAY, "amount": "5000"}
    delete_community(db, ledger)
    refused(
        db,
        lambda s: funding.add_investment(s, s.get(Community, ledger["community"]), entry),
        in_bin("小区“幸福里小区”", "登记完成投资"),
    )
    restore(db, "community", ledger["community"])
    with db.transaction("测试员") as s:
        funding.add_investment(s, s.get(Community, ledger["community"]), entry)


# ------------------------------------------------------------------------------------------------ items


def test_an_item_under_a_deleted_community_is_refused_naming_it(db, ledger) -> None:
    delete_community(db, ledger)
    refused(
        db,
        lambda s: items.create(s, ledger["community"], {"item_type_id": "road"}),
        in_bin("小区“幸福里小区”", "添加改造内容"),
    )
    restore(db, "community", ledger["community"])
    with db.transaction("测试员") as s:
        items.create(s, ledger["community"], {"item_type_id": "road"})


def test_a_live_item_of_a_deleted_community_is_not_changed(db, ledger) -> None:
    tombstone(db, Community, ledger["community"])
    refused(
        db,
        lambda s: items.update(s, ledger["item"], {"planned_quantity": "5"}),
        in_bin("小区“幸福里小区”", "修改改造内容"),
    )


def test_a_deleted_item_is_named_when_changed(db, ledger) -> None:
    with db.transaction("测试员") as s:
        items.delete(s, ledger["item"])
    err = refused(
        db,
        lambda s: items.update(s, ledger["item"], {"planned_quantity": "5"}),
        in_bin("改造内容“道路硬化/沥青铺设”（小区“幸福里小区”）", "修改改造内容"),
    )
    assert err.record_id == ledger["item"]


# ------------------------------------------------------------------------------------------------ inspections


def test_an_inspection_of_a_deleted_community_is_refused_until_it_is_restored(db, ledger) -> None:
    delete_community(db, ledger)

    def call(s):
        inspections.record(s, s.get(Community, ledger["community"]), {"kind": "patrol", "inspected_on": DAY})

    refused(db, call, in_bin("小区“幸福里小区”", "记录检查"))
    restore(db, "community", ledger["community"])
    with db.transaction("测试员") as s:
        call(s)


def test_a_rectification_of_a_deleted_inspection_takes_no_reply_nor_reinspection(db, ledger) -> None:
    with db.transaction("测试员") as s:
        insp = s.get(Inspection, ledger["inspection"])
        name = f"检查“质量安全巡查 {insp.inspected_on}”（小区“幸福里小区”）"
    tombstone(db, Inspection, ledger["inspection"])  # its rectification left live
    refused(
        db, lambda s: inspections.reply(s, ledger["rect"], "已修复", DAY.replace(day=12)), in_bin(name, "登记整改回复")
    )
    again = {"inspected_on": DAY.replace(day=15), "passed": True, "note": "现场已修复"}
    refused(db, lambda s: inspections.reinspect(s, ledger["rect"], again, today=TODAY), in_bin(name, "复查"))
    refused(db, lambda s: inspections.undo_reply(s, ledger["rect"], None, None), in_bin(name, "修改整改回复"))


def test_a_reply_under_a_deleted_community_names_the_community(db, ledger) -> None:
    tombstone(db, Community, ledger["community"])
    refused(
        db,
        lambda s: inspections.reply(s, ledger["rect"], "已修复", DAY.replace(day=12)),
        in_bin("小区“幸福里小区”", "登记整改回复"),
    )


def test_redoing_an_inspection_after_its_community_went_to_the_bin_is_refused(db, ledger) -> None:
    """The window's redo restores the inspection directly (not through the bin): it asks about the parent too."""
    with db.transaction("测试员") as s:
        inspections.delete(s, ledger["inspection"])  # undo of recording it
    delete_community(db, ledger)
    refused(db, lambda s: inspections.restore(s, ledger["inspection"]), in_bin("小区“幸福里小区”", "恢复检查记录"))
    restore(db, "community", ledger["community"])
    with db.transaction("测试员") as s:
        inspections.restore(s, ledger["inspection"])
        assert s.get(Rectification, ledger["rect"]).deleted_at is None


def test_a_photo_for_a_deleted_inspection_is_refused_before_anything_is_copied(db, ledger, tmp_path) -> None:
    photo = tmp_path / "围挡.jpg"
    photo.write_bytes(b"\xff\xd8not really a jpeg")
    with db.transaction("测试员") as s:
        inspections.delete(s, ledger["inspection"])
        on = s.get(Inspection, ledger["inspection"]).inspected_on
        name = f"检查“质量安全巡查 {on}”（小区“幸福里小区”）"
        folder = attachments.folder(s)
    refused(db, lambda s: attachments.add(s, s.get(Inspection, ledger["inspection"]), photo), in_bin(name, "添加附件"))
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    with db.transaction("测试员") as s:
        inspections.restore(s, ledger["inspection"])
        attachments.add(s, s.get(Inspection, ledger["inspection"]), photo)
    with db.session("测试员") as s:
        assert s.query(Attachment).count() == 1


# ------------------------------------------------------------------------------------------------ parties


def test_responsible_parties_of_a_deleted_project_are_refused(db, ledger) -> None:
    with db.transaction("测试员") as s:
        projects.delete(s, ledger["lone"])
    refused(
        db,
        lambda s: responsibility.set_parties(s, ledger["lone"], FIVE_BUILDER),
        in_bin("项目“东门片区改造项目”", "设置五方责任主体"),
    )
    restore(db, "project", ledger["lone"])
    with db.transaction("测试员") as s:
        responsibility.set_parties(s, ledger["lone"], FIVE_BUILDER)


# ------------------------------------------------------------------------------------------------ supervision


def test_a_request_of_a_deleted_community_is_not_answered_until_it_is_restored(db, ledger) -> None:
    """A resident's request outlives its community's deletion (it stays live), but is not answered under it."""
    with db.transaction("测试员") as s:
        raised = {"community_id": ledger["community"], "topic": "停车难", "channel": "visit", "raised_on": DAY}
        rid = requests.add(s, raised, today=TODAY).id
    delete_community(db, ledger)
    refused(
        db,
        lambda s: requests.reply(s, rid, "已施划车位", DAY.replace(day=12), today=TODAY),
        in_bin("小区“幸福里小区”", "答复居民诉求"),
    )
    restore(db, "community", ledger["community"])
    with db.transaction("测试员") as s:
        requests.reply(s, rid, "已施划车位", DAY.replace(day=12), "satisfied", today=TODAY)
    tombstone(db, Community, ledger["community"])
    refused(db, lambda s: requests.rate(s, rid, "basically"), in_bin("小区“幸福里小区”", "登记满意度"))


@pytest.fixture
def county_db(empty_db):
    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code="341122000000", name="青禾县", operator="测试员")
        divisions.ensure(s, "341122001000", "城关街道")
    return empty_db


def test_an_order_in_the_bin_takes_no_step(county_db) -> None:
    """Orders have no delete of their own; a package can bring one deleted while a target here stays live."""
    with county_db.transaction("测试员") as s:
        data = {"problem": "施工围挡破损", "requirement": "三日内修复", "issued_on": DAY, "deadline": TODAY}
        order = orders.issue(s, data, [{"township_code": "341122001000"}], today=TODAY)
        oid, tid = order.id, order.targets[0].id
    tombstone(county_db, SupervisionOrder, oid)
    refused(
        county_db,
        lambda s: orders.answer(s, tid, "已修复", DAY.replace(day=12), today=TODAY),
        in_bin("督办“施工围挡破损”", "答复督办"),
    )
    with county_db.transaction("测试员") as s:
        s.get(SupervisionOrder, oid).deleted_at = None
        assert orders.answer(s, tid, "已修复", DAY.replace(day=12), today=TODAY).state == "done"
        assert s.get(OrderTarget, tid).answered_at_county


# ------------------------------------------------------------------------------------------------ the helper


def test_deleting_under_a_deleted_parent_still_works(db, ledger) -> None:
    """Removing what a package left live under a deleted parent is how `oldcomm check` says to mend it."""
    tombstone(db, Community, ledger["community"])
    with db.transaction("测试员") as s:
        items.delete(s, ledger["item"])
        assert s.get(RenovationItem, ledger["item"]).deleted_at is not None


def test_a_live_record_passes_the_check(db, ledger) -> None:
    with db.session("测试员") as s:
        assert records.binned_ancestor(s, s.get(Rectification, ledger["rect"])) is None
        records.refuse_if_binned(s, s.get(RenovationItem, ledger["item"]), "修改改造内容")
