"""Horizontal bar charts: one row per township, source or category, with Chinese labels on the left.

Three modes share the layout (label | bars | value text):
- ``stacked``: one bar per row, a segment per series end to end (communities per status per township);
- ``grouped``: a thin bar per series, side by side (approved / arrived / paid per funding source);
- ``progress``: the first series is the target drawn as a track, the second what is done, per row
  (effect indicators, whose units differ from row to row, so each row has its own scale).

A click on a segment emits ``bar_clicked(row key, series key)``; a click on a row's label emits it with
an empty series key. Layout is computed by one function used by painting, hit-testing and tests, so what
is drawn is exactly what is clicked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from oldcomm_desktop.gui import colours

__all__ = ["BarChart", "BarRow", "Series"]

MODES = ("stacked", "grouped", "progress")


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str  # "#rrggbb"


@dataclass
class BarRow:
    key: str
    label: str
    values: dict[str, float]
    text: str = ""  # shown right of the bars (already formatted by the caller, e.g. "1,234.56 万元")
    tooltips: dict[str, str] = field(default_factory=dict)  # per series key; "" for the row as a whole


@dataclass
class _Hit:
    row: str
    series: str  # "" for the label
    rect: QRectF
    tooltip: str


class BarChart(QWidget):
    """A horizontal bar chart. ``set_rows`` replaces the data; the widget grows to fit its rows."""

    bar_clicked = Signal(str, str)

    def __init__(
        self,
        series: Sequence[Series],
        *,
        mode: str = "stacked",
        clickable: bool = True,
        empty_text: str = "暂无数据",
        value_text: Callable[[float], str] | None = None,
        show_legend: bool | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if mode == "progress" and len(series) != 2:
            raise ValueError("progress mode needs two series: target and done")
        self.series = list(series)
        self.mode = mode
        self.clickable = clickable
        self.empty_text = empty_text
        self.value_text = value_text or (lambda v: f"{v:,.0f}")
        self.show_legend = len(self.series) > 1 if show_legend is None else show_legend
        self.rows: list[BarRow] = []
        self._hits: list[_Hit] = []
        self._hover: tuple[str, str] | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    # -- data -----------------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[BarRow]) -> None:
        self.rows = list(rows)
        self._hover = None
        self.setMinimumHeight(self._content_height())
        self.updateGeometry()
        self.update()

    # -- geometry -------------------------------------------------------------------------------------
    def _metrics(self) -> tuple[QFontMetrics, int, int, int]:
        fm = self.fontMetrics()
        bar_h = max(fm.height() + 4, 18)
        each = max(fm.height() // 2 + 3, 9)  # one bar of a group
        pitch = bar_h + 10 if self.mode != "grouped" else each * len(self.series) + 12
        return fm, bar_h, each, pitch

    def _legend_height(self) -> int:
        return self.fontMetrics().height() + 12 if self.show_legend else 0

    def _content_height(self) -> int:
        _fm, _bar_h, _each, pitch = self._metrics()
        rows = max(len(self.rows), 1)
        return 8 + self._legend_height() + rows * pitch + 4

    def sizeHint(self) -> QSize:  # Qt's name
        return QSize(420, self._content_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self._content_height())

    def _columns(self) -> tuple[float, float, float]:
        """x of the bar area's left edge, its width, and where the value text starts."""
        fm = self.fontMetrics()
        width = self.width()
        label_w = max((fm.horizontalAdvance(r.label) for r in self.rows), default=0) + 14
        label_w = min(label_w, int(width * 0.38))
        text_w = max((fm.horizontalAdvance(r.text) for r in self.rows), default=0)
        text_w = min(text_w + 12 if text_w else 0, int(width * 0.42))
        left = 6 + label_w
        bars_w = max(width - left - text_w - 8, 20)
        return left, bars_w, left + bars_w + 8

    def layout_hits(self) -> list[_Hit]:
        """Every clickable rectangle: each row's label and each non-empty segment."""
        _fm, bar_h, each, pitch = self._metrics()
        left, bars_w, _text_x = self._columns()
        top = 8 + self._legend_height()
        hits: list[_Hit] = []
        scale = self._scale()
        for i, row in enumerate(self.rows):
            y = top + i * pitch
            label_rect = QRectF(6, y, left - 12, pitch - 6)
            hits.append(_Hit(row.key, "", label_rect, row.tooltips.get("", "")))
            if self.mode == "stacked":
                x = float(left)
                for s in self.series:
                    v = max(row.values.get(s.key, 0.0), 0.0)
                    w = bars_w * v / scale if scale else 0.0
                    if w > 0:
                        hits.append(
                            _Hit(row.key, s.key, QRectF(x, y + (pitch - 10 - bar_h) / 2, w, bar_h), self._tip(row, s))
                        )
                    x += w
            elif self.mode == "grouped":
                for j, s in enumerate(self.series):
                    v = max(row.values.get(s.key, 0.0), 0.0)
                    w = max(bars_w * v / scale if scale else 0.0, 1.0 if v > 0 else 0.0)
                    hits.append(_Hit(row.key, s.key, QRectF(left, y + 2 + j * each, w, each - 2), self._tip(row, s)))
            else:  # progress: per-row scale, target track then done bar
                target_s, done_s = self.series
                target = max(row.values.get(target_s.key, 0.0), 0.0)
                done = max(row.values.get(done_s.key, 0.0), 0.0)
                full = max(target, done)
                bar_y = y + (pitch - 10 - bar_h) / 2
                if full > 0:
                    hits.append(
                        _Hit(
                            row.key,
                            target_s.key,
                            QRectF(left, bar_y, bars_w * target / full, bar_h),
                            self._tip(row, target_s),
                        )
                    )
                    hits.append(
                        _Hit(
                            row.key,
                            done_s.key,
                            QRectF(left, bar_y, bars_w * done / full, bar_h),
                            self._tip(row, done_s),
                        )
                    )
        return hits

    def _scale(self) -> float:
        if self.mode == "stacked":
            return max((sum(max(v, 0.0) for v in r.values.values()) for r in self.rows), default=0.0)
        if self.mode == "grouped":
            return max((max(r.values.values(), default=0.0) for r in self.rows), default=0.0)
        return 1.0

    def _tip(self, row: BarRow, s: Series) -> str:
        if s.key in row.tooltips:
            return row.tooltips[s.key]
        return f"{row.label} · {s.label}：{self.value_text(row.values.get(s.key, 0.0))}"

    def segment_rect(self, row_key: str, series_key: str = "") -> QRectF | None:
        """Where a segment (or, with no series, a row's label) is drawn; None if it is not drawn."""
        for hit in self.layout_hits():
            if hit.row == row_key and hit.series == series_key:
                return hit.rect
        return None

    def _hit_at(self, pos: QPointF) -> _Hit | None:
        # reversed: in progress mode the done bar lies on top of the target track
        for hit in reversed(self.layout_hits()):
            if hit.rect.contains(pos):
                return hit
        return None

    # -- painting -------------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        text_color = self.palette().color(self.foregroundRole())
        muted = colours.qcolor("muted")
        if self.show_legend:
            x = 8.0
            for s in self.series:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(s.color))
                p.drawRoundedRect(QRectF(x, 10, 12, 12), 2, 2)
                p.setPen(text_color)
                p.drawText(QPointF(x + 17, 10 + fm.ascent() - (fm.height() - 12) / 2), s.label)
                x += 17 + fm.horizontalAdvance(s.label) + 18
        if not self.rows:  # rows with zeros still show their labels and texts ("0 项")
            p.setPen(muted)
            p.drawText(
                self.rect().adjusted(0, self._legend_height(), 0, 0), Qt.AlignmentFlag.AlignCenter, self.empty_text
            )
            p.end()
            return
        _fm, bar_h, each, pitch = self._metrics()
        left, bars_w, text_x = self._columns()
        top = 8 + self._legend_height()
        colors = {s.key: QColor(s.color) for s in self.series}
        hits = self.layout_hits()
        for i, row in enumerate(self.rows):
            y = top + i * pitch
            label = fm.elidedText(row.label, Qt.TextElideMode.ElideRight, int(left - 12))
            p.setPen(text_color)
            label_font = p.font()
            hovered_label = self.clickable and self._hover == (row.key, "")
            if hovered_label:
                label_font.setUnderline(True)
                p.setFont(label_font)
            p.drawText(
                QRectF(6, y, left - 12, pitch - 10), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label
            )
            if hovered_label:
                label_font.setUnderline(False)
                p.setFont(label_font)
            if self.mode == "progress":
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(colours.qcolor("track"))
                p.drawRoundedRect(QRectF(left, y + (pitch - 10 - bar_h) / 2, bars_w, bar_h), 3, 3)
            for hit in hits:
                if hit.row != row.key or not hit.series:
                    continue
                color = QColor(colors[hit.series])
                if self.clickable and self._hover == (hit.row, hit.series):
                    color = color.lighter(118)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawRect(hit.rect)
                if self.mode == "stacked":
                    value = row.values.get(hit.series, 0.0)
                    txt = self.value_text(value)
                    if fm.horizontalAdvance(txt) + 6 < hit.rect.width():
                        p.setPen(QColor(colours.ON_DARK_BAR if color.lightness() < 170 else colours.ON_LIGHT_BAR))
                        p.drawText(hit.rect, Qt.AlignmentFlag.AlignCenter, txt)
            if row.text:
                p.setPen(muted if self.mode != "stacked" else text_color)
                p.drawText(
                    QRectF(text_x, y, self.width() - text_x - 4, pitch - 10),
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    fm.elidedText(row.text, Qt.TextElideMode.ElideRight, int(self.width() - text_x - 4)),
                )
        p.setPen(QPen(colours.qcolor("grid"), 1))
        p.drawLine(QPointF(left, top - 2), QPointF(left, top + len(self.rows) * pitch - 8))
        p.end()

    # -- mouse ----------------------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self._hit_at(event.position())
        key = (hit.row, hit.series) if hit else None
        if key != self._hover:
            self._hover = key
            self.update()
        if hit is not None and self.clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()
        if hit is not None and hit.tooltip:
            QToolTip.showText(event.globalPosition().toPoint(), hit.tooltip, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        if self._hover is not None:
            self._hover = None
            self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.clickable and event.button() == Qt.MouseButton.LeftButton:
            hit = self._hit_at(event.position())
            if hit is not None:
                self.bar_clicked.emit(hit.row, hit.series)
                return
        super().mouseReleaseEvent(event)
