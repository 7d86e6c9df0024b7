"""排名通报 tab: a month's long-term-management ranking per township (last month's grade beside it) and the
praise and criticism lists made from it, exported as .xlsx or .docx."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.supervision import bulletins, exports
from oldcomm_desktop.core.supervision.scoring.rankings import ranking
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import is_county, township_choices
from oldcomm_desktop.gui.supervision.common import combo
from oldcomm_desktop.gui.supervision.export import ask_and_write
from oldcomm_desktop.gui.supervision.rows_table import RowsTable

COLUMNS = [
    ("township", "乡镇（街道）"),
    ("rank", "排名"),
    ("community", "小区"),
    ("score", "得分"),
    ("grade", "等次"),
    ("previous_grade", "上期等次"),
    ("inspected_on", "检查日期"),
]
LIST_COLUMNS = [("township", "乡镇（街道）"), ("subject", "小区"), ("score", "得分"), ("grade", "等次")]


def recent_periods(months: int = 18) -> list[tuple[str, str]]:
    day = inspections.today().replace(day=1)
    out = []
    for _ in range(months):
        out.append((f"{day:%Y-%m}", f"{day.year}年{day.month}月"))
        day = (day - timedelta(days=1)).replace(day=1)
    return out


class RankingTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.period = combo(recent_periods(), everything=None, name="ranking_period")
        self.township = combo(township_choices(ctx), everything="全部乡镇", name="ranking_township")
        self.township.setVisible(is_county(ctx))
        self.export_button = QPushButton("导出通报…")
        self.export_button.setObjectName("export_bulletin")
        self.export_button.clicked.connect(self.export)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("评比月份："))
        bar.addWidget(self.period)
        bar.addWidget(self.township)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        self.table = RowsTable(COLUMNS, alert=lambda r: r["grade"] == r.get("bottom"), id_key="community_id")
        self.table.setObjectName("ranking_table")
        self.praise = RowsTable(LIST_COLUMNS, id_key="subject")
        self.praise.setObjectName("praise_table")
        self.criticism = RowsTable([*LIST_COLUMNS, ("deadline", "整改期限")], id_key="subject")
        self.criticism.setObjectName("criticism_table")
        lists = QWidget()
        lists_layout = QHBoxLayout(lists)
        lists_layout.setContentsMargins(0, 0, 0, 0)
        for title, table in (("通报表扬", self.praise), ("通报批评（限期整改）", self.criticism)):
            box = QVBoxLayout()
            box.addWidget(QLabel(f"<b>{title}</b>"))
            box.addWidget(table)
            lists_layout.addLayout(box)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lists)
        split.setSizes([380, 220])
        self.summary = QLabel()
        self.summary.setObjectName("ranking_summary")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        self.township.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def set_period(self, period: str) -> None:
        i = self.period.findData(period)
        if i < 0:
            self.period.addItem(f"{period[:4]}年{int(period[5:])}月", period)
            i = self.period.count() - 1
        self.period.setCurrentIndex(i)

    def _bulletin(self) -> bulletins.Bulletin:
        return self.ctx.read(
            lambda s: bulletins.from_ranking(s, self.period.currentData(), self.township.currentData())
        )

    def refresh(self) -> None:
        period, township = self.period.currentData(), self.township.currentData()
        rows = self.ctx.read(lambda s: ranking(s, period, township))
        shown = []
        for r in rows:
            d = r.as_json()
            d["score"], d["previous_grade"] = r.score, r.previous_grade or "—"
            d["inspected_on"] = r.inspected_on
            d["bottom"] = r.bands[-1][0] if r.bands else None
            shown.append(d)
        self.table.set_rows(shown)
        b = self._bulletin()
        self.praise.set_rows([vars(e) for e in b.praise])
        self.criticism.set_rows([vars(e) for e in b.criticism])
        self.summary.setText(
            f"{self.period.currentText()}：参评小区 {len(rows)} 个，表扬 {len(b.praise)} 个，批评 {len(b.criticism)} 个"
            if rows
            else f"{self.period.currentText()}没有评分的长效管理检查。"
        )
        self.export_button.setEnabled(bool(rows))

    def export(self) -> None:
        b = self._bulletin()
        ask_and_write(self, "导出通报", f"{b.title}.xlsx", lambda p: exports.write_bulletin(b, p))
