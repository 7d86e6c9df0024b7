"""Every colour the window paints, named by its role, for a light and a dark palette.

Windows in dark mode hands Qt a dark palette: a literal "#52606d" caption or a white card would then be
unreadable. Pages ask for a role ("muted", "error", "surface" …) and get the light or the dark value by the
lightness of the application palette's window colour, so the choice follows the system. Chart series
colours are mid-tones that read on both; paper previews stay white, as paper is.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# role: (light, dark)
ROLES: dict[str, tuple[str, str]] = {
    # text
    "text": ("#1f2933", "#e4e7eb"),  # a figure's value, body text on a surface we paint
    "secondary": ("#52606d", "#b8c2cc"),  # captions, the where-and-when under a heading
    "muted": ("#6b7785", "#9aa5b1"),  # hints, empty states, "选择一条…"
    "faint": ("#9aa5b1", "#6b7785"),  # a step not yet reached, an arrow between steps
    "error": ("#c0392b", "#ff7b6e"),  # the core's refusal, a failed save
    "alert": ("#b71c1c", "#ff8a80"),  # overdue, 不合格: a fact that needs action
    "ok": ("#2f7d45", "#7bd88f"),  # saved, restored, 已销号, a step done
    "strong_ok": ("#1d5c33", "#8fe0a2"),  # 完成改造 tile
    "caution": ("#b26a00", "#ffb74d"),  # unscored items, a name not found in the list
    "info": ("#1565c0", "#90caf9"),  # 待复查
    "accent": ("#3b6fd8", "#8fb3ff"),  # focus, the communities figures
    "money": ("#8a63d2", "#b79cf0"),  # investment figures
    # backgrounds and borders
    "surface": ("#ffffff", "#2b2f36"),  # a figure tile
    "surface_border": ("#dde3ea", "#4a525c"),
    "hover": ("#f2f6fd", "#323a48"),
    "track": ("#eef1f5", "#3a4049"),  # the empty part of a bar
    "grid": ("#d5dbe3", "#4a525c"),  # a chart's axis lines
    "placeholder": ("#eef0f2", "#3a4049"),  # a photo not yet loaded
    "locked": ("#f2f2f2", "#3a3a3a"),  # a cell the clerk cannot type into
    "alert_bg": ("#fde0dc", "#5a1f1b"),  # an overdue row
    "notice_bg": ("#fff4ce", "#4a3f14"),  # the yellow strip (read-only, lost record)
    "notice_border": ("#e0c060", "#8a7420"),
    "notice_text": ("#5c4400", "#ffe8a3"),
    "chip_bg": ("#e3f2fd", "#1e3a5a"),  # a filter chip
    "viewer_bg": ("#2b2b2b", "#1b1b1b"),  # behind a photo or a printed page
    "viewer_text": ("#dddddd", "#dddddd"),
    # the milestone timeline
    "step_done_bg": ("#7f8c8d", "#5f6b6d"),
    "step_current_bg": ("#2e86c1", "#2e86c1"),
    "step_next_bg": ("#d6eaf8", "#1b3a52"),
    "step_next_text": ("#1b4f72", "#cfe6f7"),
    "step_future_bg": ("#f4f6f7", "#2f3338"),
    "step_on_dark": ("#ffffff", "#ffffff"),  # text on a filled step
    # printed pages in the preview: paper stays white, on a grey desk
    "paper": ("#ffffff", "#ffffff"),
    "paper_border": ("#9aa5b1", "#9aa5b1"),
    "paper_desk": ("#6b7785", "#3a4049"),
}

#: Text on a coloured bar: white on a dark series colour, dark on a light one (by the bar, not the palette).
ON_DARK_BAR = "#ffffff"
ON_LIGHT_BAR = "#1f2933"

#: Community status and money series in charts: mid-tones readable on a light and a dark surface.
SERIES: dict[str, str] = {
    "reserve": "#a7b1bc",
    "planned": "#6c9ef0",
    "started": "#f0a73a",
    "completed": "#52b36b",
    "accepted": "#2f7d45",
    "withdrawn": "#d98c8c",
    "approved": "#9bb9ee",
    "arrived": "#3b6fd8",
    "paid": "#2f7d45",
    "investment": "#8a63d2",
    "plan_soft": "#c9d8f5",
    "missing": "#8a8a8a",
}


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the palette (the application's by default) draws light text on a dark window."""
    if palette is None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return False
        palette = app.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colour(role: str, palette: QPalette | None = None) -> str:
    """The role's colour as "#rrggbb" for the current (or given) palette; KeyError for an unknown role."""
    light, dark = ROLES[role]
    return dark if is_dark(palette) else light


def qcolor(role: str, palette: QPalette | None = None) -> QColor:
    return QColor(colour(role, palette))


def text_style(role: str) -> str:
    """A style sheet for a label's text colour: `label.setStyleSheet(text_style("muted"))`."""
    return f"color: {colour(role)};"


def span(role: str, html: str) -> str:
    """Rich text in the role's colour: `span("muted", "选择一条记录")`."""
    return f"<span style='color:{colour(role)}'>{html}</span>"
