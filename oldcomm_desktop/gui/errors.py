"""Unexpected errors: written to a log file, shown in a dialog that says where the log is.

The dialog is modal over whatever the clerk was doing and closes nothing, so what they were typing in
an open form is still there when they dismiss it.
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from oldcomm_desktop.storage.paths import data_dir

log = logging.getLogger("oldcomm")


def log_file() -> Path:
    return data_dir() / "logs" / "oldcomm.log"


def setup_logging() -> None:
    path = log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def show_unexpected(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("unexpected error\n%s", text)
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is None:
            return
        box = QMessageBox(QApplication.activeWindow())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("程序出错")
        box.setText(
            "程序遇到一个意外错误。您正在填写的内容没有丢失，可以继续操作或保存。\n\n"
            f"详细信息已写入日志文件：\n{log_file()}\n请把这个文件交给技术支持。"
        )
        box.setDetailedText(text)
        box.exec()
    except Exception:  # the error dialog itself must never raise
        sys.__excepthook__(exc_type, exc, tb)


def install_excepthook() -> None:
    sys.excepthook = show_unexpected
