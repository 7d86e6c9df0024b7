"""数据交换 → 数据包: keys, export, import with preview, conflicts, history with rollback, the county's view."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

from pathlib import Path

import pytest
from overview_pages_fixtures import ctx, show  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from oldcomm_desktop.core import communities, workspace
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.core.sync import history, importer, keys
from oldcomm_desktop.core.sync.exporter import export
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import JobCancelled, Progress
from oldcomm_desktop.gui.packages.dialogs import ConflictsDialog, HistoryDialog, PreviewDialog
from oldcomm_desktop.gui.packages.section import _reporter
from oldcomm_desktop.gui.pages.exchange import ExchangePage
from oldcomm_desktop.storage.database import Database, open_database

TOWNSHIP = "341122102000"  # 柳林镇 of the demo county


@pytest.fixture
def township(tmp_path: Path, ctx: AppContext):
    """柳林镇's own database, its key and the county's registered on both sides."""
    db = open_database(tmp_path / "liulin.sqlite3")
    with db.transaction("乡镇") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP, name="柳林镇")
        keys.export_public_key(s, tmp_path / "t.pub")
    county_key = tmp_path / "c.pub"
    ctx.write(lambda s: keys.export_public_key(s, county_key))
    with db.transaction("测试员") as s:
        keys.trust(s, county_key, "341122000000")
    yield db
    db.close()


def township_package(db: Database, out: Path, **community) -> Path:
    out.mkdir(exist_ok=True)
    with db.transaction("乡镇") as s:
        if community:
            communities.create(s, {"township_code": TOWNSHIP, **community}, confirm=True)
        return export(s, out).path


@pytest.fixture
def page(qtbot, ctx: AppContext) -> ExchangePage:
    return show(qtbot, ExchangePage(ctx))


def test_the_county_sees_its_townships_and_registers_a_key(page, township, tmp_path: Path) -> None:
    section = page.packages
    rows = {r["code"]: r for r in section.townships.rows}
    assert rows[TOWNSHIP]["trusted"] is False and "未登记公钥" in rows[TOWNSHIP]["missing"]
    assert section.townships.table.rowCount() == len(rows) >= 5
    assert section.trust_key(tmp_path / "t.pub", TOWNSHIP)
    with township.transaction("测试员") as s:
        shown = keys.own_key(s).shown
    assert shown in section.last_message
    row = next(r for r in section.townships.rows if r["code"] == TOWNSHIP)
    assert row["trusted"] and row["fingerprint"] == shown
    assert section.recipient.findData(TOWNSHIP) >= 0
    assert "本机公钥指纹" in section.key_label.text()
    page.grab().save("/tmp/i12_exchange_county.png")


def test_an_untrusted_township_is_told_so(page, township, tmp_path: Path) -> None:
    path = township_package(township, tmp_path / "out", name="柳林新村", households=40)
    assert page.packages.import_file(path, confirm=lambda r: True) is None
    assert "尚未被本县登记" in page.packages.result.text()


def test_import_previews_then_applies_and_can_be_rolled_back(page, ctx, township, tmp_path: Path, qtbot) -> None:
    section = page.packages
    section.trust_key(tmp_path / "t.pub", TOWNSHIP)
    path = township_package(township, tmp_path / "out", name="柳林新村", households=40)
    seen = []

    def confirm(report: importer.ImportReport) -> bool:
        dialog = PreviewDialog(report)
        qtbot.addWidget(dialog)
        seen.append((dialog.counts.item(0, 0).text(), dialog.counts.item(0, 1).text()))
        assert ctx.read(lambda s: s.query(Community).filter_by(name="柳林新村").count()) == 0  # a preview only
        return True

    report = section.import_file(path, confirm=confirm)
    assert seen == [("小区", "1")]
    assert report is not None and report.total("added") == 1
    assert "已导入" in section.result.text()
    assert ctx.read(lambda s: s.query(Community).filter_by(name="柳林新村").count()) == 1

    history = HistoryDialog(ctx, confirm=lambda text: True)
    qtbot.addWidget(history)
    assert history.table.rowCount() == 1 and history.table.item(0, 2).text() == "1"
    assert history.rollback_selected()
    assert ctx.read(lambda s: s.query(Community).filter_by(name="柳林新村").count()) == 0
    assert history.table.item(0, 7).text() == "已回滚"


def test_conflicts_are_listed_and_decided(page, ctx, township, tmp_path: Path, qtbot) -> None:
    section = page.packages
    section.trust_key(tmp_path / "t.pub", TOWNSHIP)
    first = township_package(township, tmp_path / "out", name="柳林新村", households=40)
    section.import_file(first, confirm=lambda r: True)
    cid = ctx.read(lambda s: s.query(Community.id).filter_by(name="柳林新村").scalar())
    ctx.write(lambda s: communities.update(s, cid, {"households": 45}, confirm=True))
    with township.transaction("测试员") as s:
        communities.update(s, cid, {"households": 48}, confirm=True)
    second = township_package(township, tmp_path / "out")
    report = section.import_file(second, confirm=lambda r: True)
    assert len(report.conflicts) == 1 and "1 处冲突" in section.result.text()
    assert section.conflicts_button.text() == "冲突（1）…"
    dialog = ConflictsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.table.item(0, 1).text() == "户数"
    assert (dialog.table.item(0, 2).text(), dialog.table.item(0, 5).text()) == ("45", "48")
    said = dialog.findChild(QLabel, "conflict_choices").text()  # what each button does, before the click
    assert said.splitlines() == [
        "本方的值：45",
        "对方（柳林镇）的值：48",
        "保留本方：户数仍为“45”，对方也改为它",
        "采用对方：户数改为“48”",
        "改为：输入另一个值，两边都改为它",
    ]
    assert dialog.theirs_button.toolTip() == "采用对方：户数改为“48”"
    dialog.resize(900, 300)
    dialog.grab().save("/tmp/i12_conflicts.png")
    qtbot.mouseClick(dialog.theirs_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 0 and "已处理" in dialog.message.text()
    assert dialog.findChild(QLabel, "conflict_choices").text() == "" and not dialog.edit_button.isEnabled()
    assert ctx.read(lambda s: s.get(Community, cid).households) == 48
    section.refresh()
    assert section.conflicts_button.text() == "冲突（0）…"


def test_export_to_a_township_writes_a_package(page, township, tmp_path: Path) -> None:
    section = page.packages
    section.recipient.setCurrentIndex(section.recipient.findData(TOWNSHIP))
    section.full.setChecked(True)
    result = section.export_to(tmp_path)
    assert result is not None and result.path.is_file() and result.recipient == TOWNSHIP
    assert result.path.name in section.result.text()
    assert result.catalogue > 0


def test_a_cancelled_import_leaves_the_database_as_it_was(page, ctx, township, tmp_path: Path) -> None:
    page.packages.trust_key(tmp_path / "t.pub", TOWNSHIP)
    path = township_package(township, tmp_path / "out", name="柳林新村", households=40)
    progress = Progress()
    progress.cancel()
    with pytest.raises(JobCancelled):
        importer.import_package(ctx.db, path, progress=_reporter(progress))
    assert ctx.read(lambda s: s.query(Community).filter_by(name="柳林新村").count()) == 0
    assert ctx.read(history.history) == []


def test_an_item_under_a_deleted_community_is_decided_on_the_page(page, ctx, township, tmp_path: Path, qtbot) -> None:
    """The township adds an item to a community the county deleted meanwhile: the rest of the package applies,
    the item waits in the conflict list (所属记录已删除) until a clerk restores the community with it."""
    from oldcomm_desktop.core import items
    from oldcomm_desktop.core.model import RenovationItem

    section = page.packages
    section.trust_key(tmp_path / "t.pub", TOWNSHIP)
    first = township_package(township, tmp_path / "out", name="柳林新村", households=40)
    section.import_file(first, confirm=lambda r: True)
    cid = ctx.read(lambda s: s.query(Community.id).filter_by(name="柳林新村").scalar())
    ctx.write(lambda s: communities.delete(s, cid))
    with township.transaction("乡镇") as s:
        iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "300"}, confirm=True).id
    second = township_package(township, tmp_path / "out", name="柳林二村", households=30)
    report = section.import_file(second, confirm=lambda r: True)
    assert report is not None and report.tables["community"].added == 1  # the rest applied
    assert ctx.read(lambda s: s.query(Community).filter_by(name="柳林二村").count()) == 1
    dialog = ConflictsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "所属记录已删除"
    assert "柳林新村" in dialog.table.item(0, 0).text()
    assert dialog.table.item(0, 2).text().startswith("所属记录已删除（")
    assert dialog.table.item(0, 5).text().startswith("对方新增或修改了这条记录")
    assert not dialog.edit_button.isEnabled() and dialog.theirs_button.isEnabled()
    said = dialog.findChild(QLabel, "conflict_choices").text()
    assert "采用对方：从回收站恢复所属记录" in said and "改为" not in said
    dialog.resize(1000, 300)
    dialog.grab().save("/tmp/h12c_held_conflict.png")
    qtbot.mouseClick(dialog.theirs_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 0 and "已处理" in dialog.message.text()
    assert ctx.read(lambda s: s.get(Community, cid).deleted_at) is None
    assert ctx.read(lambda s: s.get(RenovationItem, iid).deleted_at) is None


def test_ctrl_z_of_the_deletion_releases_the_held_item_at_once(
    ctx, township, tmp_path: Path, qtbot, monkeypatch
) -> None:
    """The county deleted a community on 小区台账 before the township's item under it arrived: the item is held;
    Ctrl+Z in the main window brings the community back and the item is written in the same step
    (sync/restored.py), its conflict closed as released, without waiting for the next export or import."""
    from community_fixtures import select_by_name
    from PySide6.QtWidgets import QMessageBox

    from oldcomm_desktop.core import items
    from oldcomm_desktop.core.model import RenovationItem
    from oldcomm_desktop.core.sync import conflicts, deleted_parents
    from oldcomm_desktop.gui.main_window import MainWindow

    ctx.write(lambda s: keys.trust(s, tmp_path / "t.pub", TOWNSHIP))
    first = township_package(township, tmp_path / "out", name="柳林新村", households=40)
    importer.import_package(ctx.db, first, operator="县经办人")
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    page = win.go_to("communities")
    page.table.search.setText("柳林新村")
    qtbot.waitUntil(lambda: page.table.model.rowCount() == 1)
    cid = select_by_name(qtbot, page, "柳林新村")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert page.delete_current()
    with township.transaction("乡镇") as s:
        iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "300"}, confirm=True).id
    report = importer.import_package(ctx.db, township_package(township, tmp_path / "out"), operator="县经办人")
    assert [c["record_id"] for c in report.conflicts] == [iid]
    assert ctx.read(lambda s: s.get(RenovationItem, iid)) is None
    qtbot.waitUntil(lambda: win.windowHandle().isExposed())
    win.windowHandle().requestActivate()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(page.table.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ctx.read(lambda s: s.get(Community, cid).deleted_at) is None
    assert ctx.read(lambda s: s.get(RenovationItem, iid).deleted_at) is None
    [c] = ctx.read(lambda s: conflicts.listing(s, status=None))
    assert (c["status"], c["resolved_by"]) == (deleted_parents.RELEASED, deleted_parents.RELEASED_HERE)
    assert ctx.read(lambda s: conflicts.open_count(s)) == 0


def test_a_new_key_for_a_registered_township_is_replaced_only_when_the_clerk_says_so(
    page, township, tmp_path: Path
) -> None:
    """The township's PC was set up again: its new key file. Refused first, replaced on the clerk's yes."""
    section = page.packages
    assert section.trust_key(tmp_path / "t.pub", TOWNSHIP)
    again = open_database(tmp_path / "liulin-new.sqlite3")
    try:
        with again.transaction("乡镇") as s:
            workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP, name="柳林镇")
            keys.export_public_key(s, tmp_path / "t-new.pub")
            new = keys.own_key(s).shown
    finally:
        again.close()
    asked: list[str] = []
    assert not section.trust_key(tmp_path / "t-new.pub", TOWNSHIP, replace=lambda q: asked.append(q) or False)
    assert "已登记过另一个公钥" in asked[0] and new in asked[0] and "没有登记" in section.last_message
    assert section.trust_key(tmp_path / "t-new.pub", TOWNSHIP, replace=lambda q: True)
    assert "已替换" in section.last_message and new in section.last_message
    row = next(r for r in section.townships.rows if r["code"] == TOWNSHIP)
    assert row["fingerprint"] == new


def test_the_result_names_a_rectification_the_package_reopened(page, monkeypatch) -> None:
    """The page says what the core found (rectification_news): the reopened one, with its new deadline."""
    section = page.packages
    report = importer.ImportReport(
        package_id="p1",
        file_name="341122000000-to-341122102000.ocpkg",
        sender_code="341122000000",
        sender_name="测试县",
        created_at="2026-12-01T08:00:00",
        dry_run=False,
    )
    report.reopened = [{"record_id": "r1", "name": "整改“围挡破损”", "deadline": "2026-11-30", "failed": True}]
    monkeypatch.setattr(section, "_run_import", lambda path, dry_run: report)
    assert section.import_file(Path(report.file_name), confirm=lambda r: True) is report
    assert (
        "；有 1 条已销号的整改因对方的复查未通过而重新打开：整改“围挡破损”（新的整改期限 2026-11-30）。"
        in section.result.text()
    )
