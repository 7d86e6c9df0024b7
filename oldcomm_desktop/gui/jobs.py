"""The one way this app runs long work (imports, Excel returns, batch printing) off the GUI thread.

Why one pattern: every long core function takes a duck-typed ``progress`` (``report(done, total,
text)`` and ``cancelled``), so the core never imports Qt and the CLI can pass its own printer. The
GUI side wraps such a function in a :class:`Job` on a ``QThreadPool`` and, through
:func:`run_with_progress`, in a modal Chinese progress dialog that keeps the window painting.

Progress crosses threads by *polling*, not by a signal per ``report`` call: an import may report
50,000 times, and queuing 50,000 cross-thread events would make the GUI lag behind the work. The
worker only overwrites a tuple; the GUI reads it every 50 ms.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QEvent, QEventLoop, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QProgressBar, QProgressDialog, QPushButton, QWidget

__all__ = [
    "Job",
    "JobCancelled",
    "Progress",
    "ProgressLike",
    "run_with_progress",
    "running_jobs",
    "stop_running_jobs",
]

T = TypeVar("T")

_BUSY_TEXT = "正在处理，请稍候…"
_CANCELLING_TEXT = "正在取消，请稍候…"
_BAR_STEPS = 1000  # the bar works on int; totals may be byte counts beyond 2**31, so it shows per-mille


class JobCancelled(Exception):
    """Raised by :meth:`Progress.check` so a cancelled job unwinds through its ``with``/``finally``."""

    def __init__(self, message: str = "操作已取消") -> None:
        super().__init__(message)


class ProgressLike(Protocol):
    """What core functions may rely on; anything with these two members will do (CLI, tests, GUI)."""

    def report(self, done: int, total: int, text: str = "") -> None: ...

    @property
    def cancelled(self) -> bool: ...


class Progress:
    """Qt-free, thread-safe progress and cancel flag shared by a worker and the GUI.

    ``report`` is cheap enough to call per row. It does not raise on cancel — a core function decides
    where it can stop cleanly, by testing ``cancelled`` or calling ``check()``.
    """

    def __init__(self) -> None:
        self._cancel = threading.Event()
        # One tuple, replaced whole: readers on another thread never see done from one report and
        # text from the next. (Attribute assignment is atomic under the GIL.)
        self._state: tuple[int, int, str] = (0, 0, "")
        self._reports = 0

    def report(self, done: int, total: int, text: str = "") -> None:
        self._state = (int(done), int(total), text)
        self._reports += 1

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Called from the GUI thread; the worker notices at its next ``cancelled``/``check()``."""
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled()

    def snapshot(self) -> tuple[int, int, str]:
        """(done, total, text) of the latest report, for whoever polls."""
        return self._state

    @property
    def report_count(self) -> int:
        """How many times ``report`` ran; lets the poller skip work when nothing changed."""
        return self._reports


_RUNNING: set[Job[Any]] = set()
_RUNNING_LOCK = threading.Lock()


def running_jobs() -> list[Job[Any]]:
    """Jobs started and not yet ended (their function still runs on a worker thread)."""
    with _RUNNING_LOCK:
        return list(_RUNNING)


def stop_running_jobs(timeout: float = 30.0) -> bool:
    """Ask every running job to cancel and wait for each to end: before the database is closed or replaced
    (a worker still reading would hold the file open) and when the window closes. False if one is still
    running after `timeout` seconds."""
    jobs = running_jobs()
    for job in jobs:
        job.cancel()
    return all(job.wait(timeout) for job in jobs)


class _Runner(QRunnable):
    """Pool task; holds the Job strongly so it cannot be collected while the worker still uses it."""

    def __init__(self, job: Job[Any]) -> None:
        super().__init__()
        self._job: Job[Any] | None = job
        self.setAutoDelete(True)

    def run(self) -> None:
        job, self._job = self._job, None
        assert job is not None
        job._run_in_worker()


class Job(QObject, Generic[T]):
    """Runs ``fn(progress)`` on a thread pool and reports back on the GUI thread.

    Signals are emitted on the thread the Job lives in (the GUI thread): ``progressed`` at most every
    ``poll_interval_ms`` and only when something was reported; ``finished`` once, after which
    :meth:`result` returns the value or raises the job's exception.
    """

    progressed = Signal(int, int, str)
    finished = Signal()
    _worker_done = Signal()  # emitted from the worker thread; Qt queues it to this object's thread

    def __init__(
        self,
        fn: Callable[[Progress], T],
        parent: QObject | None = None,
        *,
        pool: QThreadPool | None = None,
        poll_interval_ms: int = 50,
    ) -> None:
        super().__init__(parent)
        self._fn = fn
        self.progress = Progress()
        self._pool = pool
        self._started = False
        self._finished = False
        self._done = threading.Event()
        self._result: T | None = None
        self._error: BaseException | None = None
        self._seen_reports = -1
        self._poll = QTimer(self)
        self._poll.setInterval(poll_interval_ms)
        self._poll.timeout.connect(self._emit_progress)
        self._worker_done.connect(self._on_worker_done, Qt.ConnectionType.QueuedConnection)

    @property
    def is_finished(self) -> bool:
        """True once ``finished`` was emitted (the GUI thread has seen the outcome)."""
        return self._finished

    @property
    def is_done(self) -> bool:
        """True as soon as ``fn`` returned or raised, even before the GUI thread heard of it."""
        return self._done.is_set()

    def start(self) -> None:
        if self._started:
            raise RuntimeError("a Job can only be started once")
        self._started = True
        with _RUNNING_LOCK:
            _RUNNING.add(self)
        self._poll.start()
        (self._pool or QThreadPool.globalInstance()).start(_Runner(self))

    def cancel(self) -> None:
        self.progress.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``fn`` ends — for shutdown and tests only; in the GUI it freezes the window."""
        return self._done.wait(timeout)

    def result(self) -> T:
        """The return value of ``fn``, or re-raise its exception here (traceback from the worker kept)."""
        if not self._done.is_set():
            raise RuntimeError("the job has not finished yet")
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]

    @property
    def error(self) -> BaseException | None:
        return self._error

    def _run_in_worker(self) -> None:
        try:
            self._result = self._fn(self.progress)
        except BaseException as exc:  # every outcome, even SystemExit, must reach the GUI thread
            self._error = exc
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(self)
            self._done.set()
            try:
                self._worker_done.emit()
            except RuntimeError:  # the Job went with its page (closed before the work ended): nobody waits
                pass

    def _emit_progress(self) -> None:
        count = self.progress.report_count
        if count != self._seen_reports:
            self._seen_reports = count
            self.progressed.emit(*self.progress.snapshot())

    def _on_worker_done(self) -> None:
        self._poll.stop()
        self._emit_progress()
        self._finished = True
        self.finished.emit()


_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.Shortcut,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.ContextMenu,
        QEvent.Type.TouchBegin,
        QEvent.Type.Drop,
    }
)


class _InputBlocker(QObject):
    """Swallows user input while the job runs but the dialog is not shown yet.

    Quick jobs should not flash a dialog, yet during that grace period the nested event loop would
    let a second click start the same import again.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() in _INPUT_EVENTS


def run_with_progress(
    parent: QWidget | None,
    title: str,
    fn: Callable[[Progress], T],
    *,
    label: str = "",
    cancellable: bool = True,
    show_after_ms: int = 300,
) -> T:
    """Run ``fn(progress)`` in a worker behind a modal progress dialog and return its result.

    The window keeps painting (a nested event loop runs) while input is blocked. The job's exception
    is re-raised here, on the GUI thread, so callers use plain ``try/except``. Cancel (取消, Esc or
    closing the dialog) only *asks* ``fn`` to stop: the dialog stays until ``fn`` actually returns,
    since the work may be mid-transaction. If ``fn`` raises (e.g. :class:`JobCancelled`) that
    propagates; if it returns anyway, its (perhaps partial) result is returned.
    """
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("run_with_progress needs a QApplication")

    job: Job[T] = Job(fn)
    dialog = QProgressDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal)
    dialog.setAutoReset(False)
    dialog.setAutoClose(False)
    # The dialog's own show-after-delay logic lives in setValue(), which also spins the event loop
    # re-entrantly; we never call setValue and drive our own bar and showing instead.
    dialog.setMinimumDuration(2**31 - 1)
    bar = QProgressBar(dialog)
    bar.setRange(0, 0)
    dialog.setBar(bar)
    dialog.setLabelText(label or _BUSY_TEXT)
    cancel_button: QPushButton | None = None
    if cancellable:
        # Not setCancelButton(QPushButton(...)): that leaves the old button's Esc shortcut behind,
        # two shortcuts on one key are ambiguous and Esc then does nothing.
        dialog.setCancelButtonText("取消")
        cancel_button = dialog.findChild(QPushButton)
    else:
        dialog.setCancelButton(None)  # type: ignore[arg-type]
    dialog.setMinimumWidth(360)

    started = time.monotonic()
    cancel_requested = False
    blocker = _InputBlocker()
    app.installEventFilter(blocker)
    QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
    loop = QEventLoop()

    def show_dialog() -> None:
        nonlocal blocker
        if job.is_finished:
            return
        if blocker is not None:
            app.removeEventFilter(blocker)
            blocker = None
        if not dialog.isVisible():
            dialog.show()

    def on_progress(done: int, total: int, text: str) -> None:
        if cancel_requested:
            return
        if total > 0:
            bar.setRange(0, _BAR_STEPS)
            bar.setValue(max(0, min(_BAR_STEPS, done * _BAR_STEPS // total)))
        else:
            bar.setRange(0, 0)  # unknown total: a busy bar
        if text:
            dialog.setLabelText(text)

    def on_canceled() -> None:
        # QProgressDialog hides itself on cancel; the work goes on until fn stops, so show it again.
        nonlocal cancel_requested
        if cancellable:
            cancel_requested = True
            job.cancel()
            dialog.setLabelText(_CANCELLING_TEXT)
            bar.setRange(0, 0)
            if cancel_button is not None:
                cancel_button.setEnabled(False)
        if not job.is_finished:
            QTimer.singleShot(0, dialog, show_dialog)

    job.progressed.connect(on_progress)
    job.finished.connect(loop.quit)
    dialog.canceled.connect(on_canceled)
    dialog.rejected.connect(on_canceled)  # Esc goes through QDialog.reject(), which skips `canceled`
    show_timer = QTimer(dialog)
    show_timer.setSingleShot(True)
    show_timer.timeout.connect(show_dialog)
    try:
        job.start()
        show_timer.start(max(0, show_after_ms - int((time.monotonic() - started) * 1000)))
        if not job.is_finished:
            loop.exec()
    finally:
        show_timer.stop()
        if blocker is not None:
            app.removeEventFilter(blocker)
        QGuiApplication.restoreOverrideCursor()
        dialog.canceled.disconnect(on_canceled)
        dialog.rejected.disconnect(on_canceled)
        dialog.hide()
        dialog.deleteLater()
    return job.result()
