"""设置 › 改造内容目录: Chinese names only (no internal codes); a county adds, renames and retires entries."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from oldcomm_desktop.core import workspace
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.settings import SettingsPage
from oldcomm_desktop.storage.database import open_database


def _page(qtbot, tmp_path, mode: str, code: str) -> SettingsPage:
    db = open_database(tmp_path / "t.sqlite3")
    with db.transaction("测试员") as s:
        workspace.initialise(
            s, mode=mode, code=code, name="来安县" if mode == workspace.COUNTY else "新安镇", operator="测试员"
        )
    page = SettingsPage(AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(page)
    page.show()
    page.activate()
    return page


def _names(page) -> list[str]:
    return [page.item_types.item(r, 1).text() for r in range(page.item_types.rowCount())]


def test_no_internal_codes_and_a_county_edits(qtbot, tmp_path, monkeypatch) -> None:
    page = _page(qtbot, tmp_path, workspace.COUNTY, "341122000000")
    headers = [page.item_types.horizontalHeaderItem(c).text() for c in range(page.item_types.columnCount())]
    assert "代码" not in headers
    cells = [page.item_types.item(r, c).text() for r in range(page.item_types.rowCount()) for c in range(len(headers))]
    assert not any(t.isascii() and "_" in t for t in cells)  # no water_pipe
    assert page.sources.columnCount() == 1
    answers = iter(["智能门禁", "套"])
    monkeypatch.setattr(page, "ask_choice", lambda *_a: "提升类")
    monkeypatch.setattr(page, "ask_text", lambda *_a, **_k: next(answers))
    assert page.add_item_type() and "智能门禁" in _names(page)
    page.item_types.setCurrentCell(_names(page).index("智能门禁"), 1)
    monkeypatch.setattr(page, "ask_text", lambda *_a, **_k: "智能门禁系统")
    assert page.rename_item_type() and "智能门禁系统" in _names(page)
    page.item_types.setCurrentCell(_names(page).index("智能门禁系统"), 1)
    assert page.retire_item_type() and "智能门禁系统" not in _names(page)
    assert "已停用" in page.catalogue_message.text()


def test_a_township_reads_only(qtbot, tmp_path) -> None:
    page = _page(qtbot, tmp_path, workspace.TOWNSHIP, "341122100000")
    assert not any(b.isEnabled() for b in page.catalogue_buttons.values())


def test_a_township_sets_the_short_name_of_its_notice_numbers(qtbot, tmp_path) -> None:
    from oldcomm_desktop.core import notice_numbers

    page = _page(qtbot, tmp_path, workspace.TOWNSHIP, "341122100000")
    assert page.notice_short.text() == "新安"  # 新安镇 without 镇
    page.notice_short.setText("新安镇")
    assert page.save_notice_short_name()
    assert "新安镇整改〔" in page.notice_example.text()
    number = page.ctx.read(lambda s: notice_numbers.next_number(s, "341122100000", 2025))
    assert number == "新安镇整改〔2025〕001号"
