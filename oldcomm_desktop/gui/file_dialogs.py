"""Every file dialog of the program: Chinese throughout, opening in Documents or the folder last used for the
same purpose.

Qt's own dialog (not the system's), so the labels are Chinese on any Windows, English ones included.
qtbase_zh_CN translates all of it but two labels ("Look in:", "Files of type:"); `FileDialogWords`, a
translator installed beside it, supplies those. A clerk who backs up to a USB stick and picks photos from
the camera's folder finds each where they left it (QSettings key `last_folder/<purpose>`), never the
program's own folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, QTranslator
from PySide6.QtWidgets import QFileDialog, QWidget

from oldcomm_desktop.gui import settings_keys as keys

OPTIONS = QFileDialog.Option.DontUseNativeDialog
WORDS = {
    "&Look in:": "查找范围(&I)：",
    "Files of &type:": "文件类型(&T)：",
    "Look in:": "查找范围：",
    "Files of type:": "文件类型：",
}


class FileDialogWords(QTranslator):
    """The two labels of Qt's file dialog that qtbase_zh_CN leaves in English."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        return WORDS.get(source) if context == "QFileDialog" else None  # None: not ours, ask the next one

    def isEmpty(self) -> bool:  # Qt's name
        return False


def documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


def start_folder(settings: QSettings | None, purpose: str) -> str:
    """The folder last used for `purpose` if it still exists, else Documents."""
    last = str(settings.value(keys.last_folder(purpose), "") or "") if settings is not None else ""
    return last if last and Path(last).is_dir() else documents()


def remember(settings: QSettings | None, purpose: str, path: str) -> None:
    if settings is not None and path:
        settings.setValue(keys.last_folder(purpose), str(Path(path).parent))


def open_files(
    parent: QWidget | None, settings: QSettings | None, purpose: str, title: str, file_filter: str
) -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(parent, title, start_folder(settings, purpose), file_filter, "", OPTIONS)
    if files:
        remember(settings, purpose, files[0])
    return list(files)


def open_file(parent: QWidget | None, settings: QSettings | None, purpose: str, title: str, file_filter: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, start_folder(settings, purpose), file_filter, "", OPTIONS)
    remember(settings, purpose, path)
    return path


def save_file(
    parent: QWidget | None, settings: QSettings | None, purpose: str, title: str, name: str, file_filter: str
) -> str:
    """Where to save a file suggested as `name` (Qt asks before overwriting); '' when cancelled."""
    start = str(Path(start_folder(settings, purpose)) / name)
    path, _ = QFileDialog.getSaveFileName(parent, title, start, file_filter, "", OPTIONS)
    remember(settings, purpose, path)
    return path
