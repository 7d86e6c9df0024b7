"""报送情况 (county mode): which townships have submitted each return for the period — on time or late,
approved or sent back — and the county return aggregated from the townships' approved numbers.

The townships are a list on the kit (reporting.common.report_table): searchable, sorted by pinyin, the status
coloured by role while painting (so it follows dark mode); Enter or 查看该乡镇的报表 opens the township's return
on the 月报表 tab (`open_return`, set by the page)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.returns import KINDS, review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import EDIT_KEYS, RoleTextDelegate, RowActions
from oldcomm_desktop.gui.paged_model import Column
from oldcomm_desktop.gui.reporting.common import kind_combo, period_combo, report_table

STATUS_ROLES = {"approved": "ok", "submitted": "accent", "sent_back": "error", "missing": "muted"}


class CompletenessPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[review.Completeness] = []
        self.shown: list[dict[str, Any]] = []  # what the table lists (read before the first refresh too)
        self.kind = kind_combo()
        self.period = period_combo()
        self.kind.currentIndexChanged.connect(lambda _i: self.refresh())
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        county = QPushButton("导出全县汇总…")
        county.setObjectName("county_return")
        county.clicked.connect(self.ask_county)
        row = QHBoxLayout()
        for label, w in (("报表：", self.kind), ("期间：", self.period)):
            row.addWidget(QLabel(label))
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(county)
        columns = [
            Column("name", "乡镇（街道）"),
            Column("township", "代码"),
            Column("status_text", "状态"),
            Column("on_time", "按时"),
            Column("rounds", "轮次", align="right"),
            Column("submitted_at", "上报时间"),
            Column("due_on", "截止日期"),
        ]
        self.table = report_table(ctx, "completeness", columns, lambda: self.shown, search_keys=("name", "township"),
                                  search_hint="搜索：乡镇（街道）名称、代码或拼音首字母", widths=(160, 110, 130))
        self.delegate = RoleTextDelegate(2, lambda r: STATUS_ROLES.get(r.get("status"), "caution"), self.table.view)
        self.table.view.setItemDelegate(self.delegate)
        #: (kind, period key, township) -> show that return (the page points it at its 月报表 tab)
        self.open_return: Callable[[str, str, str], Any] | None = None
        self.row_actions = RowActions.for_table(self.table, self)
        self.row_actions.add("查看该乡镇的报表", "open_return_action", self.open_current, shortcuts=EDIT_KEYS,
                             tip="到“月报表”查看、审核选中乡镇（街道）本期的报表（回车）")
        self.table.activated.connect(lambda _id: self.open_current())
        self.summary = QLabel()
        self.summary.setObjectName("completeness_summary")
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        kind, period = self.kind.currentData(), Period.parse(self.period.currentData())
        self.rows = self.ctx.read(lambda s: review.completeness(s, kind, period))
        self.shown = [
            {
                "id": r.township,
                "name": r.name,
                "township": r.township,
                "status": r.status,
                "status_text": review.STATUS_LABELS.get(r.status, "未上报（已逾期）" if r.overdue else "未上报"),
                "on_time": "" if r.on_time is None else ("按时" if r.on_time else "逾期"),
                "rounds": r.rounds,
                "submitted_at": f"{r.submitted_at:%Y-%m-%d %H:%M}" if r.submitted_at else "",
                "due_on": str(r.due_on),
            }
            for r in self.rows
        ]
        self.table.refresh()
        if not self.table.current_id():
            self.table.select_first()  # Enter opens a return at once
        done = sum(r.status == "approved" for r in self.rows)
        sent = sum(r.status != "missing" for r in self.rows)
        late = sum(bool(r.overdue) or r.on_time is False for r in self.rows)
        self.summary.setText(
            f"{KINDS[kind]} {period.label}：{len(self.rows)} 个乡镇（街道），已上报 {sent} 个，审核通过 {done} 个，"
            f"逾期 {late} 个（截至 {date.today()}）"
        )

    def open_current(self) -> bool:
        row = self.table.current_row()
        if row is None or self.open_return is None:
            return False
        self.open_return(self.kind.currentData(), self.period.currentData(), str(row["township"]))
        return True

    def edit_actions(self) -> list:
        return self.row_actions.actions()

    def ask_county(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出全县汇总", "全县汇总.xlsx", "Excel 文件 (*.xlsx)")
        if path:
            self.county_to(Path(path))

    def county_to(self, out: Path) -> bool:
        kind, period = self.kind.currentData(), Period.parse(self.period.currentData())
        try:
            self.ctx.read(lambda s: review.county_return(s, kind, period, out))
        except (OldcommError, OSError) as exc:
            self.summary.setText(f"没有导出：{exc}")
            return False
        self.summary.setText(f"已导出全县汇总（各乡镇审核通过的数字）→ {out}")
        return True
