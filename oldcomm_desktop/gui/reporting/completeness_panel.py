"""报送情况 (county mode): which townships have submitted each return for the period — on time or late,
approved or sent back — and the county return aggregated from the townships' approved numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.returns import KINDS, review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.reporting.common import fill, kind_combo, period_combo, table

STATUS_ROLES = {"approved": "ok", "submitted": "accent", "sent_back": "error", "missing": "muted"}


class CompletenessPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
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
        self.table = table("completeness", ["乡镇（街道）", "代码", "状态", "按时", "轮次", "上报时间", "截止日期"])
        self.summary = QLabel()
        self.summary.setObjectName("completeness_summary")
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.rows: list[review.Completeness] = []

    def refresh(self) -> None:
        kind, period = self.kind.currentData(), Period.parse(self.period.currentData())
        self.rows = self.ctx.read(lambda s: review.completeness(s, kind, period))
        fill(
            self.table,
            [
                [
                    r.name,
                    r.township,
                    review.STATUS_LABELS.get(r.status, "未上报（已逾期）" if r.overdue else "未上报"),
                    "" if r.on_time is None else ("按时" if r.on_time else "逾期"),
                    str(r.rounds),
                    f"{r.submitted_at:%Y-%m-%d %H:%M}" if r.submitted_at else "",
                    str(r.due_on),
                ]
                for r in self.rows
            ],
        )
        for i, r in enumerate(self.rows):
            self.table.item(i, 2).setForeground(colours.qcolor(STATUS_ROLES.get(r.status, "caution")))
        done = sum(r.status == "approved" for r in self.rows)
        sent = sum(r.status != "missing" for r in self.rows)
        late = sum(bool(r.overdue) or r.on_time is False for r in self.rows)
        self.summary.setText(
            f"{KINDS[kind]} {period.label}：{len(self.rows)} 个乡镇（街道），已上报 {sent} 个，审核通过 {done} 个，"
            f"逾期 {late} 个（截至 {date.today()}）"
        )

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
