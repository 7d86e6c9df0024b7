"""Errors that reach the top: written to a log file, shown in a Chinese dialog that says where the log is.

Nothing here ever shows a traceback to a clerk. The global hook covers exceptions in slots and event
handlers (PySide routes them to ``sys.excepthook``) and in Python worker threads (``threading.excepthook``,
marshalled to the GUI thread, since a message box may only open there). An error the core raised on purpose
(OldcommError: bad input, a stale record, a read-only or full disk) is shown as its own Chinese message; an
OSError as "cannot read or write a file"; anything else as 程序出错 with the log file's path. A password in a
database URL is masked before the text reaches the log or the dialog.

The dialog is modal over whatever the clerk was doing and closes nothing, so what they were typing in an
open form is still there when they dismiss it.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from oldcomm_desktop.storage.paths import data_dir

log = logging.getLogger("oldcomm")

# scheme://user:password@host → scheme://user:***@host (also when the user is empty: scheme://:pw@host)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'\"]*:)(?P<pw>[^\s@/'\"]+)(?=@)")
_KW_PASSWORD = re.compile(r"(?i)(?P<head>\bpassword\s*[=:]\s*['\"]?)(?P<pw>[^\s'\",;&]+)")


def mask_secrets(text: str) -> str:
    """Every password in `text` (a database URL's, or ``password=…`` in a driver's message) as ***."""
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + "***", text)
    return _KW_PASSWORD.sub(lambda m: m.group("head") + "***", text)


class _MaskingFormatter(logging.Formatter):
    """The log file never holds a password, whoever logs what (SQLAlchemy echoes, drivers' messages)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def log_file() -> Path:
    return data_dir() / "logs" / "oldcomm.log"


def setup_logging() -> None:
    path = log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(_MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def describe(exc: BaseException) -> tuple[str, str]:
    """(title, Chinese text) for an error shown to a clerk; never a traceback, never a password."""
    from oldcomm_desktop.core.errors import OldcommError

    if isinstance(exc, OldcommError):
        return "无法完成", mask_secrets(str(exc))
    if isinstance(exc, PermissionError):
        where = f"：{exc.filename}" if exc.filename else ""
        return "无法读写文件", f"没有权限读写文件{where}。文件可能正被其他程序打开，或所在位置只读。"
    if isinstance(exc, OSError):
        where = f"：{exc.filename}" if exc.filename else ""
        reason = exc.strerror or str(exc)
        if getattr(exc, "errno", None) == 28:
            reason = "磁盘空间不足"
        return "无法读写文件", mask_secrets(f"读写文件失败{where}（{reason}）。")
    return (
        "程序出错",
        "程序遇到一个意外错误。您正在填写的内容没有丢失，可以继续操作或保存。\n\n"
        f"详细信息已写入日志文件：\n{log_file()}\n请把这个文件交给技术支持。",
    )


_showing = threading.local()


def show_unexpected(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """The global hook: log (masked), then a Chinese message box on the GUI thread."""
    text = mask_secrets("".join(traceback.format_exception(exc_type, exc, tb)))
    log.error("unexpected error\n%s", text)
    try:
        from PySide6.QtCore import QThread
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance()
        if app is None:
            return
        if QThread.currentThread() is not app.thread():
            _reporter().report.emit(exc)  # queued to the GUI thread
            return
        if getattr(_showing, "on", False):
            return  # an error while the box is open (a repaint that fails again): logged, not stacked
        _showing.on = True
        try:
            title, message = describe(exc)
            box = QMessageBox(QApplication.activeWindow())
            box.setObjectName("error_message")
            box.setIcon(QMessageBox.Icon.Critical if title == "程序出错" else QMessageBox.Icon.Warning)
            box.setWindowTitle(title)
            if title != "程序出错":
                message += f"\n\n（记录在日志文件 {log_file()}）"
            box.setText(message)
            box.exec()
        finally:
            _showing.on = False
    except Exception:  # the error dialog itself must never raise
        log.exception("could not show the error dialog")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    show_unexpected(args.exc_type, args.exc_value, args.exc_traceback)


_REPORTER = None


def _reporter():  # a QObject living in the GUI thread
    global _REPORTER
    if _REPORTER is None:
        from PySide6.QtCore import QObject, Qt, Signal, Slot

        class Reporter(QObject):
            report = Signal(object)

            @Slot(object)
            def show(self, exc: BaseException) -> None:
                show_unexpected(type(exc), exc, exc.__traceback__)

        _REPORTER = Reporter()
        _REPORTER.report.connect(_REPORTER.show, Qt.ConnectionType.QueuedConnection)
    return _REPORTER


def install_excepthook() -> None:
    """Slots, event handlers and worker threads all end in `show_unexpected` (call with a QApplication)."""
    sys.excepthook = show_unexpected
    threading.excepthook = _thread_hook
    _reporter()  # created now, on the GUI thread
