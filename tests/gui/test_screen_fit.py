"""Dialogs fit the screen they open on: the inspection form (1120×760 by itself) on a smaller screen."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from oldcomm_desktop.core import workspace
from oldcomm_desktop.gui import screen_fit
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.inspections import InspectionsPage
from oldcomm_desktop.storage.database import open_database


def test_the_inspection_dialog_fits_the_screen(qtbot, qapp, tmp_path) -> None:
    screen_fit.install(qapp)
    db = open_database(tmp_path / "t.sqlite3")
    with db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code="341122100000", name="新安镇", operator="测试员")
    ctx = AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    page = InspectionsPage(ctx)
    qtbot.addWidget(page)
    dialog = page.make_record_dialog()
    qtbot.addWidget(dialog)
    area = dialog.screen().availableGeometry()  # the offscreen screen: 800×800
    assert dialog.height() > area.height() - 32 or dialog.width() > area.width() - 32, "it asks for more"
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= area.width() and dialog.height() <= area.height()
    assert area.contains(dialog.geometry())
    dialog.close()
    db.close()
