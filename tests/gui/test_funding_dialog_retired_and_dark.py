"""The funding grid: a retired source (停用) shows as such and takes no new money, while a line already
recorded on it stays editable; its locked cells (sums, retired) follow a live dark/light switch, as the
community's status pills do (colours_changed hooks called by colours.apply)."""
# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here

from __future__ import annotations

import pytest
from community_fixtures import ctx  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from sqlalchemy import select, update

from oldcomm_desktop.core import funding
from oldcomm_desktop.core.model import Community, FundingSource
from oldcomm_desktop.gui import colours


def _palette(window: str, text: str) -> QPalette:
    palette = QPalette()
    for role, value in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, window),
        (QPalette.ColorRole.Text, text),
    ):
        palette.setColor(role, QColor(value))
    return palette


@pytest.fixture
def app(qtbot):
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    app.setPalette(_palette("#f0f0f0", "#000000"))
    qtbot.waitUntil(lambda: not colours.is_dark())
    yield app
    app.setPalette(before)
    qtbot.wait(10)


def test_retired_rows_and_locked_cells_follow_a_dark_switch(qtbot, ctx, app) -> None:
    from oldcomm_desktop.gui.community.funding_dialog import FundingDialog
    from oldcomm_desktop.gui.community.timeline import StatusStrip

    cid = ctx.read(lambda s: s.scalars(select(Community.id).where(Community.deleted_at.is_(None))).first())
    recorded = next(iter(ctx.read(lambda s: funding.lines_of(s, cid))))
    with ctx.db.transaction("测试员") as s:  # the county retired two sources and its package said so
        s.execute(update(FundingSource).where(FundingSource.code.in_([recorded, "bank_loans"])).values(active=False))
    dialog = FundingDialog(ctx, cid)
    qtbot.addWidget(dialog)
    strip = StatusStrip()
    qtbot.addWidget(strip)
    strip.set_status("started")
    light_pill = strip.labels["accepted"].styleSheet()
    loans, kept = dialog.row_of("bank_loans"), dialog.row_of(recorded)
    assert dialog.table.item(loans, 0).text().endswith("（已停用）")
    assert not dialog.table.item(loans, 1).flags() & Qt.ItemFlag.ItemIsEditable
    assert dialog.table.item(kept, 0).text().endswith("（已停用）")
    assert dialog.table.item(kept, 1).flags() & Qt.ItemFlag.ItemIsEditable  # its line keeps working
    sums = next(r for r, row in enumerate(dialog.rows) if not row.leaf)
    light = colours.ROLES["locked"][0]
    assert dialog.table.item(loans, 1).background().color().name() == light
    assert dialog.table.item(sums, 2).background().color().name() == light

    watcher = colours.watch()
    assert watcher is not None
    app.setPalette(_palette("#202020", "#ffffff"))
    qtbot.waitUntil(lambda: watcher.dark is True)
    dark = colours.ROLES["locked"][1]
    assert dialog.table.item(loans, 1).background().color().name() == dark
    assert dialog.table.item(sums, 2).background().color().name() == dark
    assert strip.labels["accepted"].styleSheet() != light_pill
    assert colours.colour("step_future_bg") in strip.labels["accepted"].styleSheet()


def test_every_module_that_colours_items_itself_re_colours_on_a_switch() -> None:
    """A brush set on an item (or a style made from colours.colour, which colours.apply cannot find) stays
    in the old palette unless its module re-makes it: such a module has a colours_changed hook (or paints in
    a delegate). The ledger import, package and history dialogs set no brush: the palette serves them."""
    import re
    from pathlib import Path

    gui = Path(colours.__file__).parent
    fixed = re.compile(
        r"setBackground\(|setForeground\(|setTabTextColor\(|colours\.colour\b|ForegroundRole|BackgroundRole"
    )
    repaint = re.compile(r"def colours_changed|def paint\(|def initStyleOption")
    missing = [
        str(p.relative_to(gui))
        for p in sorted(gui.rglob("*.py"))
        if fixed.search(text := p.read_text(encoding="utf-8")) and not repaint.search(text)
    ]
    assert missing == []
    for name in ("ledger_import/ledger_dialog.py", "packages/dialogs.py", "dialogs/history_dialog.py"):
        assert not fixed.search((gui / name).read_text(encoding="utf-8")), name
