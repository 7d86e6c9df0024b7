"""A township database chooses each community's 社区/村 from the national list (registered on first use),
or adds one missing from it by hand, shown as such."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from oldcomm_desktop.core import communities, divisions, national_divisions, workspace
from oldcomm_desktop.gui.community.community_dialog import ADD_VILLAGE, CommunityDialog
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.storage.database import open_database

XINAN = "341122100000"  # 来安县 新安镇, in the national list


def _ctx(tmp_path) -> AppContext:
    db = open_database(tmp_path / "t.sqlite3")
    with db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=XINAN, name="新安镇", operator="测试员")
    return AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


def test_village_from_the_national_list(qtbot, tmp_path) -> None:
    ctx = _ctx(tmp_path)
    dialog = CommunityDialog(ctx, defaults={"township_code": XINAN})
    qtbot.addWidget(dialog)
    box = dialog.form.widgets["village_code"]
    listed = national_divisions.children(XINAN)
    assert [box.itemData(i) for i in range(1, len(listed) + 1)] == [v.code for v in listed]
    assert box.itemData(box.count() - 1) == ADD_VILLAGE
    box.setCurrentIndex(1)
    dialog.form.widgets["name"].setText("新安花园")
    dialog.try_save()
    with ctx.db.session() as s:
        community = communities.get(s, dialog.saved_id)
        assert community.village_code == listed[0].code
        assert divisions.name_of(s, listed[0].code) == listed[0].name  # registered on first use
    ctx.db.close()


def test_village_added_by_hand_is_marked(qtbot, tmp_path, monkeypatch) -> None:
    ctx = _ctx(tmp_path)
    dialog = CommunityDialog(ctx, defaults={"township_code": XINAN})
    qtbot.addWidget(dialog)
    monkeypatch.setattr(dialog, "ask_village_name", lambda: ("新城社区", True))
    box = dialog.form.widgets["village_code"]
    box.activated.emit(box.count() - 1)
    assert box.currentData() == "341122100599"
    assert box.currentText() == "新城社区（手工添加）"
    ctx.db.close()
