"""会议数字 (a tab of the 报表 page): the figures a county meeting quotes, per township.

It shows communities per status, 完成改造 (completed + accepted) with households, floor area
and money, and the national effect indicators — all from `overview.meeting_rows` and
`summary.effect_indicators`, the same sums the dashboard and `oldcomm summary` print. 复制 puts the tables
on the clipboard, tab-separated, to paste into a spreadsheet or a report.

The three tables are views over the kit's paged model (a SmallListSource over the rows the core returned),
the total row bold; a township's row offers 查看该乡镇的小区 (Enter, the context menu, the 编辑 menu), which
opens the 小区台账 filtered to it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import catalogues, overview, summary, workspace
from oldcomm_desktop.core.lifecycle import STATUS_LABELS, STATUSES
from oldcomm_desktop.core.money import format_quantity, format_yuan
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import EDIT_KEYS, RowActions, SmallListSource
from oldcomm_desktop.gui.paged_model import Column, PagedTableModel

NOTE = (
    "本页是当前台账的会议口径数字（不分期间）：“完成改造”为已完工与已验收之和，"
    "面积以万平方米、金额以所选单位显示。按期间、按县里格式生成的月报表见“月报表”页，汇报稿见“工作汇报”页。"
)


def _area_wan(m2: Decimal) -> str:
    return format_yuan(m2, unit="万元")  # the same rounding: /10,000, two decimals


class _FiguresModel(PagedTableModel):
    """The kit's paged model with headings that change with the money unit (总投资（万元）…)."""

    def __init__(self, source: SmallListSource, parent: QObject | None = None):
        super().__init__(source, parent)
        self.titles = [c.title for c in source.columns]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.titles[section] if 0 <= section < len(self.titles) else None
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return super().headerData(section, orientation, role)


class _TotalRowDelegate(QStyledItemDelegate):
    """The 合计 row in bold (asked while painting)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        super().initStyleOption(option, index)
        table = self.parent()
        if isinstance(table, FiguresTable) and table.bold_last and index.row() == table.model().rowCount() - 1:
            option.font.setBold(True)


class FiguresTable(QTableView):
    """A figures table: every row shown (no scrolling, the box grows), columns stretched, total row bold."""

    def __init__(self, ctx: AppContext, name: str, columns: int, *, bold_last: bool = True):
        super().__init__()
        self.setObjectName(name)
        self.bold_last = bold_last
        self.rows: list[dict[str, Any]] = []
        cols = [Column(f"c{i}", "", align="left" if i == 0 else "right", sortable=False) for i in range(columns)]
        self.source = SmallListSource(ctx, cols, lambda _s, _q: self.rows, session=False)
        self.figures_model = _FiguresModel(self.source, self)
        self.setModel(self.figures_model)
        self.setItemDelegate(_TotalRowDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

    def fill(self, headers: list[str], rows: list[list[str]], ids: list[str] | None = None) -> None:
        """Show `rows` under `headers`; `ids` name each row (a township's code, "" for the total)."""
        self.figures_model.titles = list(headers)
        self.rows = [
            {"id": (ids[r] if ids else "") or f"row{r}", "code": ids[r] if ids else "",
             **{f"c{c}": text for c, text in enumerate(values)}}
            for r, values in enumerate(rows)
        ]
        self.figures_model.refresh()
        self.figures_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(headers) - 1)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        height = self.horizontalHeader().sizeHint().height() + self.verticalHeader().defaultSectionSize() * len(rows)
        self.setFixedHeight(height + 2 * self.frameWidth() + 2)

    # what a QTableWidget answered (tests, copying)
    def rowCount(self) -> int:
        return self.figures_model.rowCount()

    def columnCount(self) -> int:
        return self.figures_model.columnCount()

    def cell(self, row: int, column: int) -> str:
        return str(self.figures_model.data(self.figures_model.index(row, column)) or "")

    def current_code(self) -> str:
        """The township code of the selected row ("" for none or the total row)."""
        index = self.currentIndex()
        if not index.isValid() or not self.selectionModel().isRowSelected(index.row()):
            return ""
        return str((self.figures_model.row_mapping(index.row()) or {}).get("code") or "")


def table_text(table: FiguresTable) -> str:
    """The table as tab-separated text with its header (for the clipboard)."""
    lines = ["\t".join(t.replace("\n", "") for t in table.figures_model.titles)]
    for r in range(table.rowCount()):
        lines.append("\t".join(table.cell(r, c) for c in range(table.columnCount())))
    return "\n".join(lines)


class MeetingFiguresPanel(QWidget):
    """The current ledger's meeting figures (no period): per status, scale and money, effect indicators."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._dirty = True
        self.rows: list[overview.MeetingRow] = []
        self.indicators: list[summary.IndicatorFigure] = []

        note = QLabel(NOTE)
        note.setObjectName("returns_note")
        note.setWordWrap(True)
        note.setStyleSheet(
            colours.style(
                "background: {notice_bg}; border: 1px solid {notice_border}; border-radius: 4px; padding: 6px;"
            )
        )
        self.year = QComboBox()
        self.year.setObjectName("year")
        self.year.currentIndexChanged.connect(lambda _i: self.refresh())
        copy = QPushButton("复制表格")
        copy.setObjectName("copy_tables")
        copy.setToolTip("把下面三张表（制表符分隔）复制到剪贴板，可直接粘贴到 Excel 或 WPS")
        copy.clicked.connect(self.copy_tables)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("改造年度："))
        controls.addWidget(self.year)
        controls.addStretch(1)
        controls.addWidget(copy)

        self.sentence = QLabel()
        self.sentence.setObjectName("meeting_sentence")
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sentence.setStyleSheet("font-size: 14px;")
        self.status_table = FiguresTable(ctx, "status_table", 3 + len(STATUSES))
        self.scale_table = FiguresTable(ctx, "scale_table", 8)
        self.indicator_table = FiguresTable(ctx, "indicator_table", 5, bold_last=False)
        # a township's row: its communities on the 小区台账 (the same action in both tables' menus)
        self.row_actions: list[RowActions] = []
        for table in (self.status_table, self.scale_table):
            acts = RowActions(table, self, table.current_code)
            acts.add("查看该乡镇的小区", f"{table.objectName()}_open_action",
                     lambda t=table: self.open_township(t.current_code()), shortcuts=EDIT_KEYS,
                     tip="到小区台账查看选中乡镇（街道）的小区（回车）")
            table.doubleClicked.connect(lambda _i, t=table: self.open_township(t.current_code()))
            self.row_actions.append(acts)
        self.status_box = self._box("各乡镇（街道）进度（小区个数）", self.status_table)
        self.scale_box = self._box("规模与投资", self.scale_table)
        self.indicator_box = self._box("成效指标", self.indicator_table)

        body = QWidget()
        v = QVBoxLayout(body)
        v.setContentsMargins(12, 8, 12, 12)
        v.setSpacing(8)
        v.addWidget(note)
        v.addLayout(controls)
        v.addWidget(self.sentence)
        v.addWidget(self.status_box)
        v.addWidget(self.scale_box)
        v.addWidget(self.indicator_box)
        v.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        ctx.data_changed.connect(self._data_changed)

    @staticmethod
    def _box(title: str, table: QTableView) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(table)
        return box

    # -- page-like protocol (the 报表 page forwards to it) --------------------------------------------
    def activate(self) -> None:
        if self._dirty:
            self._fill_years()
            self.refresh()

    def apply_filters(self, filters: dict) -> None:
        """{"year": 2025} (None for every year)."""
        self._fill_years()
        i = self.year.findData(filters.get("year"))
        self.year.setCurrentIndex(max(i, 0))

    def status_text(self) -> str:
        return f"金额单位：{self.ctx.money_unit}；面积单位：万平方米"

    def _data_changed(self, _table: str) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def _fill_years(self) -> None:
        current = self.year.currentData()
        years = self.ctx.read(overview.plan_years)
        blocked = self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem("全部年度（累计）", None)
        for y in years:
            self.year.addItem(f"{y} 年", y)
        self.year.setCurrentIndex(max(self.year.findData(current), 0))
        self.year.blockSignals(blocked)

    # -- figures ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        year = self.year.currentData()

        def read(s):
            return (
                overview.meeting_rows(s, year=year),
                summary.effect_indicators(s, year=year),
                catalogues.get_setting(s, "own_division_name") or "",
                workspace.mode(s) == workspace.COUNTY,
            )

        self.rows, self.indicators, where, county = self.ctx.read(read)
        self._dirty = False
        unit = self.ctx.money_unit
        money = lambda v: format_yuan(v, unit=unit)  # noqa: E731
        total = self.rows[-1]
        if county:
            total.name = "全县合计"
        scope = f" {year} 年度" if year else ""
        today = date.today()
        self.sentence.setText(
            f"截至 {today.year}年{today.month}月{today.day}日，{where}{scope}"
            f"台账在册小区 {total.all.communities:,} 个、"
            f"{total.all.households:,} 户、{_area_wan(total.all.floor_area_m2)} 万平方米；"
            f"其中完成改造 <b>{total.finished.communities:,}</b> 个小区、<b>{total.finished.households:,}</b> 户、"
            f"<b>{_area_wan(total.finished.floor_area_m2)}</b> 万平方米，"
            f"已开工在建 {total.counts.get('started', 0):,} 个；"
            f"累计完成投资 <b>{money(total.all.investment_completed_yuan)}</b> {unit}"
            f"（总投资 {money(total.all.investment_yuan)} {unit}）。"
        )
        status_headers = ["乡镇（街道）", "小区", *(STATUS_LABELS[s] for s in STATUSES), "完成改造\n（已完工+已验收）"]
        codes = [r.code for r in self.rows]
        self.status_table.fill(
            status_headers,
            [
                [
                    r.name,
                    f"{r.all.communities:,}",
                    *(f"{r.counts.get(s, 0):,}" for s in STATUSES),
                    f"{r.finished.communities:,}",
                ]
                for r in self.rows
            ],
            codes,
        )
        scale_headers = [
            "乡镇（街道）",
            "户数",
            "建筑面积\n（万平方米）",
            f"总投资\n（{unit}）",
            f"累计完成投资\n（{unit}）",
            "完成改造\n户数",
            "完成改造面积\n（万平方米）",
            f"完成改造小区\n总投资（{unit}）",
        ]
        self.scale_table.fill(
            scale_headers,
            [
                [
                    r.name,
                    f"{r.all.households:,}",
                    _area_wan(r.all.floor_area_m2),
                    money(r.all.investment_yuan),
                    money(r.all.investment_completed_yuan),
                    f"{r.finished.households:,}",
                    _area_wan(r.finished.floor_area_m2),
                    money(r.finished.investment_yuan),
                ]
                for r in self.rows
            ],
            codes,
        )
        self.indicator_table.fill(
            ["成效指标", "单位", "计划", "已完成", "完成率"],
            [
                [
                    i.name,
                    i.unit,
                    format_quantity(i.planned),
                    format_quantity(i.done),
                    f"{i.done / i.planned * 100:.1f}%" if i.planned else "—",
                ]
                for i in self.indicators
            ],
        )
        for c in (1,):
            self.indicator_table.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.status_box.setTitle("各乡镇（街道）进度（小区个数）" if county else "进度（小区个数）")

    def open_township(self, code: str) -> bool:
        """查看该乡镇的小区: the 小区台账 filtered to the township (not for the total row)."""
        if not code:
            return False
        self.ctx.navigate.emit("communities", {"township": code})
        return True

    def edit_actions(self) -> list[QAction]:
        table = self.focusWidget()
        for acts in self.row_actions:
            if acts.view is table:
                return acts.actions()
        return self.row_actions[0].actions()

    def copy_tables(self) -> str:
        text = "\n\n".join(
            [
                self.sentence.text().replace("<b>", "").replace("</b>", ""),
                table_text(self.status_table),
                table_text(self.scale_table),
                table_text(self.indicator_table),
            ]
        )
        QGuiApplication.clipboard().setText(text)
        return text

    def figures(self) -> dict[str, Any]:
        """The total row as numbers (for tests)."""
        t = self.rows[-1] if self.rows else None
        return {"communities": t.all.communities, "finished": t.finished.communities} if t else {}
