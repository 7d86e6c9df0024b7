"""Long work runs off the GUI thread, reports progress, can be cancelled, and fails loudly."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QProgressBar, QProgressDialog, QPushButton, QWidget

from oldcomm_desktop.gui.jobs import Job, JobCancelled, Progress, run_with_progress


def find_dialog() -> QProgressDialog | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QProgressDialog) and w.isVisible():
            return w
    return None


def test_progress_is_plain_python():
    p = Progress()
    p.report(3, 10, "第 3 行")
    assert p.snapshot() == (3, 10, "第 3 行") and p.report_count == 1
    assert not p.cancelled
    p.check()
    p.cancel()
    assert p.cancelled
    with pytest.raises(JobCancelled):
        p.check()


def test_job_reports_progress_and_result_on_gui_thread(qtbot):
    gui_thread = threading.get_ident()
    worker_thread: list[int] = []

    def work(progress: Progress) -> str:
        worker_thread.append(threading.get_ident())
        for i in range(1, 6):
            progress.report(i, 5, f"正在导入第 {i} 行")
            time.sleep(0.06)
        return "完成"

    job = Job(work, poll_interval_ms=20)
    seen: list[tuple[int, int, str]] = []
    job.progressed.connect(lambda d, t, s: seen.append((d, t, s)))
    with qtbot.waitSignal(job.finished, timeout=5000):
        job.start()
    assert job.result() == "完成"
    assert worker_thread and worker_thread[0] != gui_thread
    assert len(seen) >= 2
    assert seen[-1] == (5, 5, "正在导入第 5 行")


def test_run_with_progress_shows_chinese_dialog_and_keeps_gui_alive(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    checked = threading.Event()
    observed: dict[str, object] = {}
    ticks = []
    ticker = QTimer()
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start(20)

    def look_at_dialog() -> None:
        dialog = find_dialog()
        if dialog is None or dialog.labelText() != "正在导入第 50 行":
            QTimer.singleShot(20, look_at_dialog)
            return
        observed["modal"] = dialog.isModal()
        observed["title"] = dialog.windowTitle()
        observed["buttons"] = [b.text() for b in dialog.findChildren(QPushButton)]
        observed["bar"] = dialog.findChild(QProgressBar).value()
        checked.set()

    def work(progress: Progress) -> int:
        progress.report(50, 100, "正在导入第 50 行")
        # Only the GUI thread can set this; if it were blocked we would time out here.
        assert checked.wait(5), "GUI thread did not run while the job was working"
        time.sleep(0.2)
        return 42

    QTimer.singleShot(0, look_at_dialog)
    result = run_with_progress(parent, "导入台账", work, show_after_ms=0)
    ticker.stop()
    assert result == 42
    assert observed == {"modal": True, "title": "导入台账", "buttons": ["取消"], "bar": 500}
    assert len(ticks) >= 5  # the event loop kept turning during the job
    assert find_dialog() is None


def test_cancel_stops_the_job_and_raises(qtbot):
    iterations = []
    ended = threading.Event()

    def work(progress: Progress) -> None:
        deadline = time.monotonic() + 5
        try:
            while time.monotonic() < deadline:
                progress.check()
                iterations.append(1)
                progress.report(len(iterations), 0, "正在计算…")
                time.sleep(0.01)
        finally:
            ended.set()

    def click_cancel() -> None:
        dialog = find_dialog()
        if dialog is None or len(iterations) < 5:
            QTimer.singleShot(20, click_cancel)
            return
        button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "取消")
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, click_cancel)
    with pytest.raises(JobCancelled):
        run_with_progress(None, "统计", work, show_after_ms=0)
    assert ended.is_set()  # returned only after the worker really stopped
    n = len(iterations)
    time.sleep(0.05)
    assert len(iterations) == n


def test_cancel_may_return_a_partial_result(qtbot):
    def work(progress: Progress) -> int:
        done = 0
        deadline = time.monotonic() + 5
        while not progress.cancelled:
            if time.monotonic() > deadline:
                return -1  # Esc did not cancel; fail instead of hanging the test run
            done += 1
            progress.report(done, 1_000_000, "")
            time.sleep(0.005)
        return done

    def press_escape() -> None:
        dialog = find_dialog()
        if dialog is None:
            QTimer.singleShot(20, press_escape)
            return
        QTest.keyClick(dialog, Qt.Key.Key_Escape)

    QTimer.singleShot(50, press_escape)
    assert run_with_progress(None, "导出", work, show_after_ms=0) > 0


def test_worker_exception_is_raised_on_gui_thread(qtbot):
    def work(progress: Progress) -> None:
        progress.report(1, 2, "")
        raise ValueError("第 7 行：身份证号格式错误")

    with pytest.raises(ValueError, match="身份证号") as info:
        run_with_progress(None, "导入", work)
    assert any(frame.name == "work" for frame in info.traceback)


def test_input_is_blocked_before_the_dialog_appears(qtbot):
    parent = QWidget()
    button = QPushButton("导入", parent)
    qtbot.addWidget(parent)
    parent.show()
    qtbot.waitExposed(parent)
    clicks = []
    button.clicked.connect(lambda: clicks.append(1))
    clicked = threading.Event()

    def click_during_job() -> None:
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        clicked.set()

    def work(progress: Progress) -> str:
        assert clicked.wait(5)
        return "ok"

    QTimer.singleShot(0, click_during_job)
    assert run_with_progress(parent, "导入", work, show_after_ms=60_000) == "ok"
    assert clicks == []
    assert find_dialog() is None  # a quick job never flashed the dialog
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clicks == [1]  # and input works again afterwards


def test_not_cancellable_has_no_button_and_ignores_escape(qtbot):
    observed: dict[str, object] = {}
    escaped = threading.Event()

    def press_escape() -> None:
        dialog = find_dialog()
        if dialog is None:
            QTimer.singleShot(20, press_escape)
            return
        observed["buttons"] = [b.text() for b in dialog.findChildren(QPushButton)]
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        QTimer.singleShot(50, lambda: (observed.update(visible=find_dialog() is not None), escaped.set()))

    def work(progress: Progress) -> bool:
        assert escaped.wait(5)
        return progress.cancelled

    QTimer.singleShot(0, press_escape)
    assert run_with_progress(None, "备份数据库", work, cancellable=False, show_after_ms=0) is False
    assert observed == {"buttons": [], "visible": True}
