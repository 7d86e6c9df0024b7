"""Small shared pieces of the 报表 page: the period chooser and the report tables on the list-page kit.

A report's rows are few (townships, rounds, findings of one check) and already read by the core call the
panel makes (`review.completeness`, `review.history`, `checks.run` …): `report_table` puts them on a
RecordTable through a SmallListSource, so they search, sort (pinyin), keep their columns and follow the
selected record like every other list, and row actions fill the context menu and the 编辑 menu.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox

from oldcomm_desktop.core.returns import KINDS
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import SmallListSource, query_rows
from oldcomm_desktop.gui.paged_model import Column, PageQuery
from oldcomm_desktop.gui.record_table import RecordTable


def kind_combo() -> QComboBox:
    box = QComboBox()
    box.setObjectName("kind")
    for code, name in KINDS.items():
        box.addItem(name, code)
    return box


def period_combo(today: date | None = None, months: int = 24) -> QComboBox:
    """The last `months` months, newest first (the current month is selected)."""
    box = QComboBox()
    box.setObjectName("period")
    p = Period.of(today or date.today())
    for _ in range(months):
        box.addItem(f"{p.year}年{p.month}月（{p.label}）", p.key)
        p = Period(p.year - 1, 12) if p.month == 1 else Period(p.year, p.month - 1)
    return box


def report_table(
    ctx: AppContext,
    name: str,
    columns: Sequence[Column],
    rows: Callable[[], list[dict[str, Any]]],
    *,
    search_keys: Sequence[str] = ("name",),
    search_hint: str = "搜索",
    widths: Sequence[int] = (),
    searchable: bool = True,
) -> RecordTable:
    """A RecordTable over rows the panel holds (`rows()` is read again on every refresh); each row needs an
    "id". `widths`: first-use column widths (the clerk's own are remembered per table name); a table of a
    handful of rows (a return's rounds) is not `searchable`: no search box taking a line of a small screen."""
    from oldcomm_desktop.gui import settings_keys as keys

    def read(_session: Any, query: PageQuery) -> list[dict[str, Any]]:
        return query_rows(rows(), query, search_keys)

    table = RecordTable(ctx, SmallListSource(ctx, columns, read, session=False), f"report_{name}",
                        search_hint=search_hint)
    table.setObjectName(name)
    if not searchable:
        table.search.hide()
    if ctx.settings.value(keys.table_state(f"report_{name}")) is None:
        header = table.view.horizontalHeader()
        for col, column in enumerate(columns):
            fm = table.view.fontMetrics()
            width = widths[col] if col < len(widths) else 0
            header.resizeSection(col, max(width, fm.horizontalAdvance(column.title) + 28))
    return table


def cell_texts(table: RecordTable, column: str) -> list[str]:
    """What a column shows, top to bottom (tests, and copying a report's column)."""
    model = table.model
    c = model.column_index(column)
    return [str(model.data(model.index(r, c)) or "") for r in range(model.rowCount())]
