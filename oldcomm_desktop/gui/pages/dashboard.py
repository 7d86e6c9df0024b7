"""概览: the figures a clerk or the county office looks at first, each a way into the table behind it.

Headline tiles (communities, households, floor area, investment planned and completed, overdue
rectifications), communities per status, progress per township, money per funding source, items per
category and the national effect indicators. Every number comes from the core (`summary`, `overview`,
`funding`, `inspections`); clicking a tile or a bar sends the clerk to the filtered list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from oldcomm_desktop.core import first_steps, inspections, listings, overview, summary, workspace
from oldcomm_desktop.core.lifecycle import STATUS_LABELS, STATUSES
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.core.money import format_quantity, format_yuan
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.charts import BarChart, BarRow, FigureTile, Series
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import Job
from oldcomm_desktop.gui.pages.base import Page

log = logging.getLogger(__name__)

STATUS_COLORS = {code: colours.SERIES[code] for code in ("reserve", "planned", "started", "completed", "accepted",
                                                          "withdrawn")}
MEASURE_SERIES = [
    Series("approved", "批复（概算）", colours.SERIES["approved"]),
    Series("arrived", "到位", colours.SERIES["arrived"]),
    Series("paid", "拨付", colours.SERIES["paid"]),
]
WAN = Decimal(10000)
# counted like overdue rectifications, in a second row under that tile: (key, caption, tooltip, page, filters)
SUPERVISION_TILES = [
    ("missed_checks", "本年漏检", "检查计划中本年已过期而未检查的次数", "inspections", {"tab": "schedules"}),
    ("overdue_orders", "逾期督办", "超过办理期限仍未办理的督办", "supervision", {"tab": "orders", "state": "overdue"}),
    ("overdue_replies", "诉求逾期", "过了答复期限的居民诉求", "supervision", {"tab": "requests", "state": "overdue"}),
]


@dataclass
class DashboardData:
    summary: summary.Summary
    finished: summary.Totals
    townships: list[overview.TownshipStatusRow]
    funding: list[overview.MoneyNode]
    categories: list[overview.CategoryFigures]
    indicators: list[summary.IndicatorFigure]
    overdue: int
    overdue_communities: int
    county_mode: bool
    loaded_at: datetime
    steps: list = field(default_factory=list)  # core.first_steps.Step: the guide while a step is open
    supervision: overview.SupervisionCounts | None = None  # missed checks, overdue orders and replies
    returns_due: str = ""  # the returns' due day and overdue returns (gui/reporting/due.py)


def load(session: Session) -> DashboardData:
    """Everything the page shows, read in one session (plain values only)."""
    from oldcomm_desktop.gui.reporting.due import due_text

    result = summary.totals(session, by="status")
    return DashboardData(
        summary=result,
        finished=summary.finished(result),
        townships=overview.status_by_township(session),
        funding=overview.funding_tree(session),
        categories=overview.items_by_category(session),
        indicators=summary.effect_indicators(session),
        overdue=inspections.overdue_count(session),
        overdue_communities=listings.count(session, "communities", ListQuery(filters={"overdue": True})),
        county_mode=workspace.mode(session) == workspace.COUNTY,
        loaded_at=datetime.now(),
        steps=first_steps.progress(session),
        supervision=overview.supervision_counts(session),
        returns_due=due_text(session),
    )


def _num(value: float | Decimal | int) -> str:
    return f"{value:,.0f}" if not isinstance(value, Decimal) else format_quantity(value)


def _percent(part: Decimal, whole: Decimal) -> str:
    return f"{(part / whole * 100):.1f}%" if whole else "—"


class DashboardPage(Page):
    title = "概览"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.data: DashboardData | None = None
        self._dirty = True
        self._job: Job[DashboardData] | None = None
        self._again = False
        self._first_asked = False
        self._first_pending = False  # the first refresh is asked for, to start after the first paint

        heading = QLabel("<h2 style='margin:0'>概览</h2>")
        self.as_of = QLabel()
        self.as_of.setObjectName("as_of")
        self.as_of.setStyleSheet(colours.text_style("muted"))
        refresh = QPushButton("刷新")
        refresh.setObjectName("refresh")
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addSpacing(12)
        top.addWidget(self.as_of, 1)
        self.returns_due = QLabel()  # the returns' due day and overdue returns (gui/reporting/due.py)
        self.returns_due.setObjectName("returns_due")
        self.returns_due.setStyleSheet(colours.text_style("money"))
        top.addWidget(self.returns_due)
        top.addWidget(refresh)

        # headline tiles
        self.tiles: dict[str, FigureTile] = {}
        headline = QGridLayout()
        headline.setHorizontalSpacing(8)
        specs = [
            ("communities", "小区", "accent", True, "全部小区（不含回收站）；点击查看小区台账"),
            ("households", "户数", "accent", False, ""),
            ("floor_area", "建筑面积", "accent", False, ""),
            ("investment", "总投资", "money", False, "各小区总投资之和（含项目层面按面积分摊的资金）"),
            ("completed_investment", "累计完成投资", "money", False, ""),
            ("overdue", "逾期未整改", "error", True, "整改期限已过、尚未复查销号的整改；点击查看检查整改"),
        ]
        for col, (key, caption, accent, clickable, tip) in enumerate(specs):
            tile = FigureTile(caption, accent=accent, clickable=clickable, tooltip=tip)
            tile.setObjectName(f"tile_{key}")
            self.tiles[key] = tile
            headline.addWidget(tile, 0, col)
        self.tiles["communities"].clicked.connect(lambda: self.ctx.navigate.emit("communities", {}))
        self.tiles["overdue"].clicked.connect(lambda: self.ctx.navigate.emit("inspections", {"state": "overdue"}))
        self.tiles["overdue"].link_clicked.connect(lambda _h: self.ctx.navigate.emit("communities", {"overdue": True}))
        for col, (key, caption, tip, page, filters) in enumerate(SUPERVISION_TILES, start=len(specs) - 3):
            tile = FigureTile(caption, accent="error", clickable=True, tooltip=tip)
            tile.setObjectName(f"tile_{key}")
            tile.clicked.connect(lambda p=page, f=filters: self.ctx.navigate.emit(p, dict(f)))
            self.tiles[key] = tile
            headline.addWidget(tile, 1, col)

        # one tile per status
        status_row = QGridLayout()
        status_row.setHorizontalSpacing(8)
        self.status_tiles: dict[str, FigureTile] = {}
        for col, code in enumerate(STATUSES):
            tile = FigureTile(
                STATUS_LABELS[code],
                accent=STATUS_COLORS[code],
                clickable=True,
                compact=True,
                tooltip=f"点击查看状态为“{STATUS_LABELS[code]}”的小区",
            )
            tile.setObjectName(f"status_{code}")
            tile.clicked.connect(lambda c=code: self.ctx.navigate.emit("communities", {"status": c}))
            self.status_tiles[code] = tile
            status_row.addWidget(tile, 0, col)
        self.finished_tile = FigureTile(
            "完成改造", accent="strong_ok", compact=True, tooltip="已完工与已验收合计（会议口径）"
        )
        self.finished_tile.setObjectName("tile_finished")
        status_row.addWidget(self.finished_tile, 0, len(STATUSES))

        # charts
        self.township_chart = BarChart(
            [Series(code, STATUS_LABELS[code], STATUS_COLORS[code]) for code in STATUSES], mode="stacked"
        )
        self.township_chart.setObjectName("township_chart")
        self.township_chart.bar_clicked.connect(self._township_clicked)
        self.funding_chart = BarChart(MEASURE_SERIES, mode="grouped", clickable=False)
        self.funding_chart.setObjectName("funding_chart")
        self.category_chart = BarChart(
            [Series("investment", "计划投资", colours.SERIES["investment"])],
            mode="stacked",
            show_legend=False,
            value_text=lambda _v: "",
        )
        self.category_chart.setObjectName("category_chart")
        self.category_chart.bar_clicked.connect(
            lambda code, _s: self.ctx.navigate.emit("communities", {"category": code})
        )
        self.indicator_chart = BarChart(
            [
                Series("planned", "计划", colours.SERIES["plan_soft"]),
                Series("done", "已完成", colours.SERIES["arrived"]),
            ],
            mode="progress",
            clickable=False,
        )
        self.indicator_chart.setObjectName("indicator_chart")

        self.township_box = self._box(
            "各乡镇（街道）改造进度（小区个数）",
            self.township_chart,
            "点击色块查看该乡镇该状态的小区，点击乡镇名称查看该乡镇全部小区",
        )
        self.funding_box = self._box("资金来源（按一级来源）", self.funding_chart, "")
        self.category_box = self._box("改造内容（按类别）", self.category_chart, "点击查看含该类改造内容的小区")
        self.indicator_box = self._box("成效指标（计划 / 已完成）", self.indicator_chart, "")
        # two columns, each as tall as its own charts (a township list may be long, categories are three)
        left, right = QVBoxLayout(), QVBoxLayout()
        for column, boxes in (
            (left, (self.township_box, self.category_box)),
            (right, (self.funding_box, self.indicator_box)),
        ):
            column.setSpacing(10)
            for box in boxes:
                column.addWidget(box)
            column.addStretch(1)
        charts = QHBoxLayout()
        charts.setSpacing(10)
        charts.addLayout(left, 1)
        charts.addLayout(right, 1)

        body = QWidget()
        body.setObjectName("dashboard_body")
        inner = QVBoxLayout(body)
        inner.setContentsMargins(12, 8, 12, 12)
        inner.setSpacing(8)
        inner.addLayout(top)
        # a new database opens on its first steps, not on a dashboard of zeros
        from oldcomm_desktop.gui.first_steps import FirstStepsGuide, run_step

        self.guide = FirstStepsGuide()
        self.guide.setVisible(False)
        self.guide.step_clicked.connect(lambda key: run_step(self.window(), key))
        inner.addWidget(self.guide)
        self.figures = QWidget()
        figures = QVBoxLayout(self.figures)
        figures.setContentsMargins(0, 0, 0, 0)
        figures.setSpacing(8)
        figures.addLayout(headline)
        figures.addLayout(status_row)
        figures.addLayout(charts)
        inner.addWidget(self.figures)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # never sideways: the tiles and charts reflow to the width instead (a 1024×600 netbook cut cards off)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.scroll = scroll
        self._grids = [
            (headline, list(self.tiles.values())),
            (status_row, [*self.status_tiles.values(), self.finished_tile]),
        ]
        self._charts = (charts, left, right)
        self._columns: tuple[int, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        ctx.data_changed.connect(self._on_data_changed)
        # the unit is only presentation: re-render what is loaded at once, no need to wait for the worker
        ctx.money_unit_changed.connect(lambda _unit: self.data is not None and self._fill(self.data))

    @staticmethod
    def _box(title: str, chart: BarChart, hint: str) -> QGroupBox:
        box = QGroupBox(title)
        v = QVBoxLayout(box)
        v.setContentsMargins(8, 6, 8, 6)
        v.addWidget(chart)
        if hint:
            note = QLabel(hint)
            note.setStyleSheet(colours.text_style("faint"))
            note.setWordWrap(True)
            v.addWidget(note)
        return box

    # -- layout -------------------------------------------------------------------------------------
    CHARTS_SIDE_BY_SIDE = 760  # and below this the charts go one above the other

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.reflow(self.width())

    def _per_row(self, width: int, tiles: list) -> int:
        """As many tiles a row as fit the width (all of them on a wide screen), rows filled evenly."""
        # a headline's figures arrive after the first layout, so a floor keeps room for "6,466.37 万元" and its
        # note; the status tiles hold a word and a count
        headline = tiles is self._grids[0][1]
        widths = [(t.sizeHint() if headline else t.minimumSizeHint()).width() for t in tiles]
        need = max(170 if headline else 140, *widths) + 12  # the grid's spacing
        fit = max(1, min(len(tiles), (width - 40) // max(need, 1)))  # the page's margins and scroll bar
        rows = -(-len(tiles) // fit)
        return -(-len(tiles) // rows)

    def reflow(self, width: int) -> None:
        """Tiles per row and chart columns for this width, so nothing is cut off and nothing scrolls sideways."""
        side_by_side = width >= self.CHARTS_SIDE_BY_SIDE
        columns = tuple(self._per_row(width, tiles) for _grid, tiles in self._grids)
        if columns + (side_by_side,) == self._columns:
            return
        self._columns = columns + (side_by_side,)
        for (grid, tiles), per_row in zip(self._grids, columns, strict=True):
            for tile in tiles:
                grid.removeWidget(tile)
            for i, tile in enumerate(tiles):
                grid.addWidget(tile, i // per_row, i % per_row)
        charts, left, right = self._charts
        charts.setDirection(QBoxLayout.Direction.LeftToRight if side_by_side else QBoxLayout.Direction.TopToBottom)

    # -- page protocol -----------------------------------------------------------------------------
    def activate(self) -> None:
        if self.data is None and self._job is None and not self._first_asked:
            # the first time: after the page's first paint, so the window shows before the worker's reads
            # compete with it for the interpreter (seconds on a 200,000-community ledger)
            self._first_asked = self._first_pending = True
            QTimer.singleShot(0, self, self.refresh)
        elif self._dirty or self.data is None:
            self.refresh()

    def status_text(self) -> str:
        if self.data is None:
            return ""
        return f"数据更新于 {self.data.loaded_at:%H:%M:%S}；金额单位：{self.ctx.money_unit}"

    def _on_data_changed(self, _table: str) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True  # refreshed when shown again: no work for a page nobody looks at

    def _township_clicked(self, township: str, status: str) -> None:
        filters: dict = {"township": township}
        if status:
            filters["status"] = status
        self.ctx.navigate.emit("communities", filters)

    # -- filling -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute off the GUI thread: on a 200,000-community ledger the figures take seconds (effect
        indicators read 2 million items), and the window must open and answer meanwhile."""
        self._first_pending = False
        if self._job is not None:  # one at a time; a change during the run asks for one more
            self._again = True
            return
        self._dirty = False
        self.as_of.setText("正在计算最新数字…" if self.data is None else self.as_of.text() + "（正在更新…）")
        job: Job[DashboardData] = Job(lambda _progress: self.ctx.read(load), self)
        job.finished.connect(lambda: self._loaded(job))
        self._job = job
        job.start()

    @property
    def loading(self) -> bool:
        return self._job is not None or self._first_pending

    def _loaded(self, job: Job[DashboardData]) -> None:
        self._job = None
        if self.ctx.reads_paused:  # the window closed (or the database is being replaced) meanwhile:
            self._dirty, self._again = True, False  # figures of a closed database; the reopen refreshes
            return
        try:
            self.data = job.result()
        except Exception as exc:  # shown on the page, logged; the rest of the window goes on working
            log.exception("dashboard figures failed")
            self.as_of.setText(f"数字计算失败：{exc}")
            return
        self._fill(self.data)
        window = self.window()
        if hasattr(window, "update_status"):
            window.update_status()
        if self._again:
            self._again = False
            self.refresh()

    def money(self, amount: Decimal) -> str:
        return format_yuan(amount, unit=self.ctx.money_unit)

    def _fill(self, d: DashboardData) -> None:
        unit = self.ctx.money_unit
        total, fin = d.summary.total, d.finished
        self.guide.set_steps(d.steps)
        self.guide.setVisible(bool(d.steps) and not first_steps.finished(d.steps))
        self.figures.setVisible(total.communities > 0)
        self.as_of.setText(f"数据截至 {d.loaded_at:%Y-%m-%d %H:%M}　金额单位：{unit}")
        self.returns_due.setText(d.returns_due)  # read with the rest, off the GUI thread
        t = self.tiles
        t["communities"].set_value(f"{total.communities:,}", "个", f"完成改造 {fin.communities:,} 个")
        t["households"].set_value(f"{total.households:,}", "户", f"完成改造 {fin.households:,} 户")
        t["floor_area"].set_value(
            format_yuan(total.floor_area_m2, unit="万元"),
            "万平方米",
            f"完成改造 {format_yuan(fin.floor_area_m2, unit='万元')} 万平方米",
        )
        t["investment"].set_value(
            self.money(total.investment_yuan), unit, f"完成改造小区 {self.money(fin.investment_yuan)} {unit}"
        )
        t["completed_investment"].set_value(
            self.money(total.investment_completed_yuan),
            unit,
            f"占总投资 {_percent(total.investment_completed_yuan, total.investment_yuan)}",
        )
        anchor = colours.style('<a href="communities" style="color:{error}">')
        link = (
            f"涉及 {anchor}{d.overdue_communities:,} 个小区</a>"
            if d.overdue
            else "没有逾期整改"
        )
        t["overdue"].set_value(f"{d.overdue:,}", "条", link)
        if d.supervision is not None:
            t["missed_checks"].set_value(f"{d.supervision.missed_checks:,}", "次", "点击查看检查计划")
            t["overdue_orders"].set_value(f"{d.supervision.overdue_orders:,}", "条", "点击查看督办")
            t["overdue_replies"].set_value(f"{d.supervision.overdue_replies:,}", "条", "点击查看居民诉求")
        for code, tile in self.status_tiles.items():
            tile.set_value(f"{d.summary.groups.get(code, summary.Totals()).communities:,}", "个")
        self.finished_tile.set_value(f"{fin.communities:,}", "个")

        self.township_chart.set_rows(
            [
                BarRow(
                    r.code,
                    r.name,
                    {s: float(n) for s, n in r.counts.items()},
                    text=f"{r.total:,} 个",
                    tooltips={"": f"{r.name}：共 {r.total:,} 个小区（点击查看）"}
                    | {s: f"{r.name} · {STATUS_LABELS[s]}：{n:,} 个小区（点击查看）" for s, n in r.counts.items()},
                )
                for r in d.townships
            ]
        )
        self.township_box.setTitle("各乡镇（街道）改造进度（小区个数）" if d.county_mode else "改造进度（小区个数）")
        self.funding_chart.set_rows(
            [
                BarRow(
                    n.code,
                    n.name,
                    {k: float(n.amounts[k]) for k in ("approved", "arrived", "paid")},
                    text=f"批复 {self.money(n.amounts['approved'])}",
                    tooltips={
                        s.key: f"{n.name} · {s.label}：{self.money(n.amounts[s.key])} {unit}" for s in MEASURE_SERIES
                    },
                )
                for n in d.funding
            ]
        )
        self.funding_box.setTitle(f"资金来源（按一级来源，{unit}）")
        self.category_chart.set_rows(
            [
                BarRow(
                    c.code,
                    c.name,
                    {"investment": float(c.investment)},
                    text=f"{c.items:,} 项 · {c.communities:,} 个小区 · {self.money(c.investment)} {unit}",
                    tooltips={
                        "": f"{c.name}：{c.items:,} 项改造内容（已完成 {c.completed_items:,} 项），"
                        f"涉及 {c.communities:,} 个小区",
                        "investment": f"{c.name}：计划投资 {self.money(c.investment)} {unit}；"
                        f"{c.items:,} 项，已完成 {c.completed_items:,} 项",
                    },
                )
                for c in d.categories
            ]
        )
        self.indicator_chart.set_rows(
            [
                BarRow(
                    i.code,
                    i.name,
                    {"planned": float(i.planned), "done": float(i.done)},
                    text=f"{_num(i.planned)} / {_num(i.done)} {i.unit}",  # in the order the title names: 计划 / 已完成
                    tooltips={
                        "planned": f"{i.name}：计划 {_num(i.planned)} {i.unit}",
                        "done": f"{i.name}：已完成 {_num(i.done)} {i.unit}（{_percent(i.done, i.planned)}）",
                    },
                )
                for i in d.indicators
            ]
        )
