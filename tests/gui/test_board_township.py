"""The rectification board says which township a notice belongs to, and its number carries the township's
short name (城关整改〔2025〕001号), so numbers of a county's townships no longer repeat."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QSettings, Qt

from oldcomm_desktop.core import catalogues, communities, inspections
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.inspections import InspectionsPage


def test_board_shows_township_and_prefixed_number(qtbot, sqlite_db, tmp_path) -> None:
    ctx = AppContext(sqlite_db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    day = date.today() - timedelta(days=1)
    with sqlite_db.transaction("测试员") as s:
        community = communities.create(s, {"name": "幸福里小区", "households": 120})
        tmpl = catalogues.template(s, "patrol_default")
        results = [
            {"template_item_id": it.id, "area": it.area, "text": it.text, "result": "fail" if i == 0 else "pass"}
            for i, it in enumerate(tmpl.items)
        ]
        rect = {"problem": "围挡破损", "requirement": "三日内修复", "deadline": day + timedelta(days=10)}
        inspections.record(
            s, community, {"kind": "patrol", "inspected_on": day}, results, [rect], template="patrol_default"
        )
    page = InspectionsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.board.set_state("open")
    model = page.board.table.model
    assert model.rowCount() == 1
    column = model.column_index("township")
    assert model.headerData(column, Qt.Orientation.Horizontal) == "乡镇"
    assert model.data(model.index(0, column)) == "城关街道"
    notice = model.data(model.index(0, model.column_index("notice_no")))
    assert notice == f"城关整改〔{day.year}〕001号"
