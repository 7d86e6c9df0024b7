"""Chinese text that renders everywhere, and Qt's own buttons in Chinese.

Why bundle a font: a machine with only Western fonts draws every Chinese character as a box
(tech-notes §3), and the same TrueType face is embedded in our printed PDFs, so screen and paper
match. Why a translator: without ``qtbase_zh_CN.qm`` every QMessageBox/QDialogButtonBox says
"OK"/"Cancel" inside an otherwise Chinese UI.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

__all__ = [
    "BUNDLED_FONT_FILE",
    "FALLBACK_FAMILIES",
    "bundled_font_family",
    "find_resource",
    "install_app_fonts",
    "install_translator",
    "resource_dirs",
]

log = logging.getLogger(__name__)

BUNDLED_FONT_FILE = "wqy-microhei.ttc"
#: Tried in order for characters the bundled face lacks, or if it failed to load: the usual Windows
#: faces first (clerks' laptops), then macOS and Linux ones.
FALLBACK_FAMILIES: tuple[str, ...] = (
    "Microsoft YaHei",
    "微软雅黑",
    "SimSun",
    "宋体",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
)

_loaded_family: str | None = None


def resource_dirs() -> Iterator[Path]:
    """Where ``resources/`` may be: inside a PyInstaller bundle first, then next to the package.

    The repo keeps ``resources/`` beside ``oldcomm_desktop/``; the PyInstaller spec copies it to
    ``resources/`` under ``sys._MEIPASS``.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        yield Path(bundle) / "resources"
    package_dir = Path(__file__).resolve().parent.parent  # .../oldcomm_desktop
    yield package_dir.parent / "resources"
    yield package_dir / "resources"


def find_resource(*parts: str) -> Path | None:
    """First existing ``resources/<parts>``; None lets callers degrade (fallback font) instead of crash."""
    for base in resource_dirs():
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    return None


def bundled_font_family() -> str | None:
    """Family name registered by :func:`install_app_fonts`, or None if the bundled font did not load."""
    return _loaded_family


def install_app_fonts(app: QGuiApplication, point_size: float | None = None) -> str | None:
    """Register the bundled CJK font and make it the application font; return its family name.

    Safe to call more than once (the file is registered once). If the font file is missing or
    unreadable the app still starts, using the system fallbacks.
    """
    global _loaded_family
    if _loaded_family is None:
        path = find_resource("fonts", BUNDLED_FONT_FILE)
        if path is None:
            log.warning("bundled font %s not found in %s", BUNDLED_FONT_FILE, list(resource_dirs()))
        else:
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id != -1 else []
            if not families:
                log.warning("could not load bundled font %s", path)
            else:
                # The .ttc holds "WenQuanYi Micro Hei" and "... Mono"; the proportional face is the UI font.
                proportional = [f for f in families if "mono" not in f.lower()]
                _loaded_family = (proportional or families)[0]
    font = QFont(app.font())
    families = [_loaded_family] if _loaded_family else []
    families += [f for f in FALLBACK_FAMILIES if f not in families]
    font.setFamilies(families)
    if point_size is not None:
        font.setPointSizeF(point_size)
    app.setFont(font)
    return _loaded_family


def _translation_dirs() -> Iterator[Path]:
    yield Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    bundled = find_resource("translations")
    if bundled is not None:
        yield bundled


def install_translator(app: QCoreApplication) -> bool:
    """Load ``qtbase_zh_CN.qm`` so Qt's standard buttons and dialogs read 确定/取消; False if not found.

    Also makes zh_CN the default QLocale, so calendars and date edits show Chinese month and day names
    whatever the OS language is (clerks sometimes get English Windows).
    """
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)  # parented, so it lives as long as the application
    for directory in _translation_dirs():
        if translator.load("qtbase_zh_CN", str(directory)):
            app.installTranslator(translator)
            from oldcomm_desktop.gui.file_dialogs import FileDialogWords  # the two labels it leaves in English

            app.installTranslator(FileDialogWords(app))
            return True
    log.warning("qtbase_zh_CN.qm not found; Qt's own buttons will be in English")
    translator.deleteLater()
    return False
