"""Every colour the window paints, named by its role, for a light and a dark palette.

Windows in dark mode hands Qt a dark palette: a literal "#52606d" caption or a white card would then be
unreadable. Pages ask for a role ("muted", "error", "surface" …) and get the light or the dark value by the
lightness of the application palette's window colour, so the choice follows the system. Chart series
colours are mid-tones that read on both; paper previews stay white, as paper is.

The switch is live: every style sheet and coloured span made here (`text_style`, `style`, `span`) is
remembered with the roles it was made from, and when the palette turns dark or light (Windows'
dark mode switched, `QEvent.ApplicationPaletteChange`, `QStyleHints.colorSchemeChanged`) every open
widget's style sheet and label text is re-made in the new palette, every widget is repainted (delegates
and charts ask for their colours while painting) and a widget with a `colours_changed()` method (a page
that made rich text from colours) is told to re-make it. No restart.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

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


def dark_palette() -> QPalette:
    """A dark palette like the one Windows' dark mode hands Qt (Fusion), for rendering pages dark
    (scripts/render_pages.py --dark) and for tests of the live switch."""
    p = QPalette()
    roles = QPalette.ColorRole
    for role, value in (
        (roles.Window, "#202020"), (roles.WindowText, "#ffffff"), (roles.Base, "#1c1c1c"),
        (roles.AlternateBase, "#2b2b2b"), (roles.ToolTipBase, "#2b2b2b"), (roles.ToolTipText, "#ffffff"),
        (roles.Text, "#ffffff"), (roles.Button, "#2d2d2d"), (roles.ButtonText, "#ffffff"),
        (roles.BrightText, "#ff6b6b"), (roles.Link, "#8fb3ff"), (roles.Highlight, "#3b6fd8"),
        (roles.HighlightedText, "#ffffff"), (roles.PlaceholderText, "#9aa5b1"), (roles.Mid, "#3a3a3a"),
        (roles.Dark, "#151515"), (roles.Light, "#3c3c3c"), (roles.Midlight, "#333333"), (roles.Shadow, "#000000"),
    ):
        p.setColor(role, QColor(value))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return p


def colour(role: str, palette: QPalette | None = None) -> str:
    """The role's colour as "#rrggbb" for the current (or given) palette; KeyError for an unknown role."""
    light, dark = ROLES[role]
    return dark if is_dark(palette) else light


def qcolor(role: str, palette: QPalette | None = None) -> QColor:
    return QColor(colour(role, palette))


# -- style sheets and spans that follow the palette ---------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
#: (dark?, text made) -> the template it was made from: what a palette switch looks for and re-makes
_MADE: dict[tuple[bool, str], str] = {}


def render(template: str, dark: bool) -> str:
    """`template` with each `{role}` replaced by the role's light or dark value (other braces kept)."""
    return _PLACEHOLDER.sub(lambda m: ROLES[m.group(1)][1 if dark else 0] if m.group(1) in ROLES else m.group(0),
                            template)


def style(template: str) -> str:
    """A style sheet with `{role}` placeholders in the current palette, re-made when the palette switches:
    `frame.setStyleSheet(style("#notice { background: {notice_bg}; }"))`. CSS braces need no doubling."""
    watch()
    dark = is_dark()
    made = render(template, dark)
    _MADE.setdefault((dark, made), template)
    return made


def text_style(role: str) -> str:
    """A style sheet for a label's text colour: `label.setStyleSheet(text_style("muted"))`."""
    return style("color: {" + role + "};")


def span(role: str, html: str) -> str:
    """Rich text in the role's colour: `span("muted", "选择一条记录")`."""
    return style("<span style='color:{" + role + "}'>") + html + "</span>"


def restyle_text(text: str, dark: bool) -> str:
    """`text` (a style sheet or a label's rich text) with every piece made here in the other palette
    re-made in this one; pieces it does not know are left alone."""
    if not text:
        return text
    old = {made: template for (was_dark, made), template in list(_MADE.items()) if was_dark != dark}
    found = [made for made in old if made in text]
    if not found:
        return text
    # one pass, longest first: a piece just re-made is never taken for another piece of the old palette
    pattern = re.compile("|".join(re.escape(m) for m in sorted(found, key=len, reverse=True)))

    def remake(match: re.Match[str]) -> str:
        template = old[match.group(0)]
        made = render(template, dark)
        _MADE.setdefault((dark, made), template)  # so that switching back finds it
        return made

    return pattern.sub(remake, text)


def apply(dark: bool | None = None) -> int:
    """Re-make every open widget's colours for the palette (the application's): style sheets, label texts,
    pages' `colours_changed()`, then repaint. Returns how many widgets changed (tests look)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return 0
    dark = is_dark() if dark is None else dark
    changed = 0
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        new = restyle_text(sheet, dark)
        if new != sheet:
            widget.setStyleSheet(new)
            changed += 1
        if isinstance(widget, QLabel) and widget.textFormat() != Qt.TextFormat.PlainText:
            text = widget.text()
            new = restyle_text(text, dark)
            if new != text:
                widget.setText(new)
                changed += 1
        hook: Callable[[], object] | None = getattr(widget, "colours_changed", None)
        if callable(hook):
            hook()
        widget.update()
    if _watcher is not None:
        _watcher.scheme_changed.emit(dark)
    return changed


class _Watcher(QObject):
    """Watches the application for a palette or colour-scheme change and re-applies the colours once."""

    scheme_changed = Signal(bool)  # True: now dark

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.dark = is_dark()
        # A signal, not an application-wide event filter: a filter on the application would run Python for
        # every event of every widget. paletteChanged is deprecated in Qt 6 but still sent; without it the
        # filter is the fallback.
        changed = getattr(app, "paletteChanged", None)
        if changed is not None:
            changed.connect(lambda _palette: QTimer.singleShot(0, self.check))
        else:
            app.installEventFilter(self)
        hints = app.styleHints()
        signal = getattr(hints, "colorSchemeChanged", None)  # Qt 6.5+: Windows' dark mode switched
        if signal is not None:
            signal.connect(lambda _scheme: QTimer.singleShot(0, self.check))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt's name
        if obj is QApplication.instance() and event.type() == QEvent.Type.ApplicationPaletteChange:
            QTimer.singleShot(0, self.check)  # after every widget has the new palette
        return False

    def check(self) -> bool:
        """Switch if the palette's lightness changed since last look; True if it did."""
        dark = is_dark()
        if dark == self.dark:
            return False
        self.dark = dark
        apply(dark)
        return True


_watcher: _Watcher | None = None


def watch() -> _Watcher | None:
    """Start watching the application's palette (once; made on the first colour asked for)."""
    global _watcher
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return None
    try:
        current = _watcher is not None and _watcher.parent() is app
    except RuntimeError:  # the application it watched is gone (tests make a new one)
        current = False
    if not current:
        _watcher = _Watcher(app)
    return _watcher

