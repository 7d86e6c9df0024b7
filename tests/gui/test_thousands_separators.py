"""Every figure the window shows has thousands separators (161,584 项, 200,000 个): the texts of every page,
its table's visible cells, the detail panes, the status bar and the edit dialogs are scanned for a number of
five or more digits written without them. Codes are not figures: division codes, phone numbers, document
and notice numbers, dates and times are left alone."""

from __future__ import annotations

import re

from overview_pages_fixtures import ctx, wait_loaded  # noqa: F401 - fixtures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLabel, QLineEdit, QWidget

from oldcomm_desktop.gui.main_window import PAGES, MainWindow

# a run of 5+ digits that is not part of a longer token of digits, separators, letters or a decimal part
BARE = re.compile(r"(?<![\d,.:/\-A-Za-z〔])[1-9]\d{4,}(?![\d,:/\-A-Za-z〕])")
# codes a clerk reads as codes: 12-digit division codes, 11-digit mobile numbers
CODE = re.compile(r"^(\d{12}|1\d{10})$")


def bare_figures(text: str) -> list[str]:
    return [m.group() for m in BARE.finditer(text or "") if not CODE.match(m.group())]


def _texts(widget: QWidget) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for w in [widget, *widget.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        name = f"{type(w).__name__}#{w.objectName()}"
        if isinstance(w, QLabel):
            out.append((name, re.sub(r"<[^>]+>", " ", w.text())))
        elif isinstance(w, (QAbstractButton,)):
            out.append((name, w.text()))
        elif isinstance(w, QLineEdit):
            out.append((name, w.text()))
        elif isinstance(w, QComboBox):
            out.append((name, w.currentText()))
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            from PySide6.QtCore import QModelIndex

            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:  # a list's model hides it: one column
                columns = 1
            for r in range(min(model.rowCount(QModelIndex()), 30)):
                for c in range(columns):
                    out.append(
                        (f"{name}[{r},{c}]", str(model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole) or ""))
                    )
    return out


def test_the_bare_figure_pattern() -> None:
    assert bare_figures("共 161584 项") == ["161584"]
    assert bare_figures("共 161,584 项；200000 个") == ["200000"]
    assert bare_figures("3,000.00 万元 12345.67") == ["12345"]
    for code in ("341122001000", "13912345678", "2025-06-30 09:15", "城关整改〔2025〕00012号", "1,234,567.89"):
        assert bare_figures(code) == [], code


def test_no_page_shows_a_figure_without_separators(qtbot, ctx) -> None:  # noqa: F811
    ctx.set_money_unit("元")  # the largest figures: amounts to the fen
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    found: list[str] = []
    for entry in PAGES:
        page = window.go_to(entry.key)
        wait_loaded(qtbot, page)
        table = getattr(page, "table", None)
        view = getattr(table, "view", None)
        if view is not None and view.model() is not None and view.model().rowCount():
            view.selectRow(0)  # the detail pane of the first record
        qtbot.wait(50)
        window.update_status()
        for where, text in _texts(window):
            found += [f"{entry.key} {where}: {f} in {text!r}" for f in bare_figures(text)]
    assert found == []


def test_edit_dialogs_show_figures_with_separators(qtbot, ctx) -> None:  # noqa: F811
    ctx.set_money_unit("元")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    found: list[str] = []
    scanned = 0
    for key in ("projects", "communities", "items"):
        page = window.go_to(key)
        wait_loaded(qtbot, page)
        page.table.view.selectRow(0)
        qtbot.wait(50)
        dialog = page.edit_current()
        assert dialog is not None, key
        qtbot.waitUntil(dialog.isVisible)
        for tab in range(getattr(dialog.form, "count", lambda: 0)()):  # every tab of a sectioned form
            dialog.form.setCurrentIndex(tab)
            texts = _texts(dialog)
            scanned += len(texts)
            found += [f"{key} dialog {w}: {f} in {t!r}" for w, t in texts for f in bare_figures(t)]
        texts = _texts(dialog)
        scanned += len(texts)
        found += [f"{key} dialog {w}: {f} in {t!r}" for w, t in texts for f in bare_figures(t)]
        dialog.reject()
    assert scanned > 30 and found == []
