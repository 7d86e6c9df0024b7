"""Dark mode switches live: when the application palette turns dark (Windows' dark mode switched while the
program runs), every open page's style sheets, coloured label texts and painted tiles take the dark colours
at once, and back again, without a restart (gui/colours.py: style, apply, the palette watcher)."""
# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here

from __future__ import annotations

import pytest
from community_fixtures import ctx  # noqa: F401
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from oldcomm_desktop.gui import colours


def _palette(window: str, text: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    palette.setColor(QPalette.ColorRole.Base, QColor(window))
    palette.setColor(QPalette.ColorRole.Text, QColor(text))
    return palette


LIGHT, DARK = ("#f0f0f0", "#000000"), ("#202020", "#ffffff")


@pytest.fixture
def app_palette(qtbot):
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    app.setPalette(_palette(*LIGHT))
    qtbot.waitUntil(lambda: not colours.is_dark())
    yield app
    app.setPalette(before)
    qtbot.wait(10)


def _switch(qtbot, app: QApplication, colours_of: tuple[str, str]) -> None:
    watcher = colours.watch()
    assert watcher is not None
    app.setPalette(_palette(*colours_of))
    dark = colours_of is DARK
    qtbot.waitUntil(lambda: watcher.dark is dark)


def test_a_label_and_its_spans_follow_a_palette_switch(qtbot, app_palette) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    label.setStyleSheet(colours.text_style("muted") + " font-size: 12px;")
    label.setText("共 3 条　" + colours.span("error", "不能删除"))
    assert colours.ROLES["muted"][0] in label.styleSheet()

    _switch(qtbot, app_palette, DARK)
    assert label.styleSheet() == f"color: {colours.ROLES['muted'][1]}; font-size: 12px;"
    assert f"color:{colours.ROLES['error'][1]}" in label.text() and "不能删除" in label.text()

    _switch(qtbot, app_palette, LIGHT)  # and back
    assert label.styleSheet() == f"color: {colours.ROLES['muted'][0]}; font-size: 12px;"
    assert f"color:{colours.ROLES['error'][0]}" in label.text()


def test_paper_stays_white_while_the_window_turns_dark(qtbot, app_palette) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    label.setStyleSheet(colours.style("background: {paper}; border: 1px solid {paper_border};"))
    _switch(qtbot, app_palette, DARK)
    assert "background: #ffffff" in label.styleSheet()


def test_open_pages_repaint_in_dark_colours(qtbot, ctx, app_palette) -> None:
    from oldcomm_desktop.gui.main_window import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    dashboard = win.go_to("dashboard")
    tile = next(iter(dashboard.tiles.values())) if hasattr(dashboard, "tiles") else None
    if tile is None:
        from oldcomm_desktop.gui.charts.tiles import FigureTile

        tile = dashboard.findChildren(FigureTile)[0]
    qtbot.waitUntil(lambda: tile.isVisible())

    def inside(widget) -> QColor:  # a pixel well inside the tile, away from its borders and text
        image = widget.grab().toImage()
        return image.pixelColor(QPoint(image.width() - 6, 3))

    assert inside(tile).name() == colours.ROLES["surface"][0]

    _switch(qtbot, app_palette, DARK)
    assert colours.ROLES["surface"][1] in tile.styleSheet()
    assert inside(tile).name() == colours.ROLES["surface"][1]  # repainted dark, no restart

    # a list page opened after the switch is dark too, and its notice strip follows a switch back
    page = win.go_to("communities")
    assert colours.ROLES["notice_bg"][1] in page.table.notice.styleSheet()
    _switch(qtbot, app_palette, LIGHT)
    assert colours.ROLES["notice_bg"][0] in page.table.notice.styleSheet()
    assert inside(tile).name() == colours.ROLES["surface"][0]


def test_overdue_rows_of_a_supervision_table_follow_the_switch(qtbot, app_palette) -> None:
    from oldcomm_desktop.gui.supervision.rows_table import RowsTable

    table = RowsTable([("name", "名称"), ("state", "状态")], alert=lambda r: r["state"] == "逾期")
    qtbot.addWidget(table)
    table.set_rows([{"id": "1", "name": "督办一", "state": "逾期"}, {"id": "2", "name": "督办二", "state": "办理中"}])
    assert table.item(0, 0).background().color().name() == colours.ROLES["alert_bg"][0]
    _switch(qtbot, app_palette, DARK)
    assert table.item(0, 0).background().color().name() == colours.ROLES["alert_bg"][1]
    assert table.item(0, 1).foreground().color().name() == colours.ROLES["alert"][1]
