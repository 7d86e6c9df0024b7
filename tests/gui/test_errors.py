"""No traceback ever reaches a clerk: slots, worker threads and the core's own errors all end in a Chinese
message box that names the log file; passwords never reach the log or the box (issue 14)."""

from __future__ import annotations

import logging
import sys
import threading

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui import errors

URL = "postgresql+psycopg://clerk:S3cret-pw@10.0.0.5:5432/county"


def test_mask_secrets() -> None:
    assert errors.mask_secrets(URL) == "postgresql+psycopg://clerk:***@10.0.0.5:5432/county"
    assert "S3cret" not in errors.mask_secrets(f'connection to "{URL}" failed: password=S3cret-pw host=x')
    assert errors.mask_secrets("D:\\台账\\a.sqlite3") == "D:\\台账\\a.sqlite3"
    assert errors.mask_secrets("sqlite:///C:/x.db") == "sqlite:///C:/x.db"


@pytest.fixture
def shown(monkeypatch, tmp_path) -> list[tuple[str, str]]:
    boxes: list[tuple[str, str]] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test (pytest-qt has its own)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)

    def exec_(box: QMessageBox) -> int:
        boxes.append((box.windowTitle(), box.text() + box.detailedText()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(errors, "log_file", lambda: tmp_path / "oldcomm.log")
    return boxes


class _Emitter(QObject):
    fire = Signal()


def test_exception_in_a_slot_is_a_chinese_message_without_traceback(qtbot, shown, caplog) -> None:
    def broken() -> None:
        raise RuntimeError(f"boom while talking to {URL}")

    emitter = _Emitter()
    emitter.fire.connect(broken)
    errors.install_excepthook()
    with caplog.at_level(logging.ERROR, logger="oldcomm"):
        emitter.fire.emit()
    qtbot.waitUntil(lambda: bool(shown))
    title, text = shown[0]
    assert title == "程序出错"
    assert "日志文件" in text and "oldcomm.log" in text
    assert "Traceback" not in text and "RuntimeError" not in text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "S3cret" not in logged


def test_exception_in_a_worker_thread_reaches_the_gui_thread(qtbot, shown) -> None:
    errors.install_excepthook()

    def work() -> None:
        raise OSError(28, "No space left on device", "/media/usb/备份.zip")

    t = threading.Thread(target=work)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: bool(shown))
    title, text = shown[0]
    assert title == "无法读写文件"
    assert "磁盘空间不足" in text and "备份.zip" in text


def test_core_errors_show_their_own_message(qtbot, shown) -> None:
    errors.show_unexpected(OldcommError, OldcommError(f"无法连接服务器 {URL}"), None)
    title, text = shown[0]
    assert title == "无法完成"
    assert "无法连接服务器" in text and "S3cret" not in text and "***" in text
