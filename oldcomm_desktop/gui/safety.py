"""What the window shows and does about the open database itself: the read-only banner, the last backup
(a fact stored in that database, not in this PC's settings), and replacing the database (restore) safely.

Replacing follows one order: stop every worker and every read, close the database (every pooled connection,
the write lock), swap the file in a worker, reopen, refresh every page. If the swap fails (on Windows an open
file cannot be replaced: PermissionError) the old database is opened again and the clerk told why; the
program keeps working on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import Progress, run_with_progress, stop_running_jobs

log = logging.getLogger(__name__)
T = TypeVar("T")

READ_ONLY_BANNER = (
    "只读打开：这个数据库文件（或它所在的文件夹、U 盘）不允许写入，只能查看，不能修改。"
    "要修改，请把它复制到“文档”等可写的位置后再打开。"
)
NEVER_BACKED_UP = "这个数据库还没有备份过"


class ReadOnlyBanner(QLabel):
    """The yellow strip at the top of the window while the database is open read-only."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(READ_ONLY_BANNER, parent)
        self.ctx = ctx
        self.setObjectName("read_only_banner")
        self.setWordWrap(True)
        self.setStyleSheet(
            colours.style(
                "#read_only_banner { background: {notice_bg}; color: {notice_text};"
                " border: 1px solid {notice_border}; padding: 6px 10px; font-weight: bold; }"
            )
        )
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.update_state()

    def update_state(self) -> None:
        self.setVisible(self.ctx.read_only)


# -- the last backup: a fact of the database --------------------------------------------------------------
def last_backup(ctx: AppContext) -> tuple[datetime, str] | None:
    """(when, where) of the last backup of this database, as the database itself records it."""
    reader = _last_backup_reader()
    if reader is None:
        return None
    try:
        found = ctx.read(reader)
    except OldcommError:
        return None
    if not found:
        return None
    if isinstance(found, tuple):
        return found[0], str(found[1] or "")
    when = getattr(found, "at", None) or getattr(found, "when", None) or getattr(found, "made_at", None)
    where = getattr(found, "path", None) or getattr(found, "where", None) or getattr(found, "file", None) or ""
    return (when, str(where)) if when else None


def _last_backup_reader() -> Callable[[Any], Any] | None:
    """The core's reader of the stored fact (its name is the core's; looked up so the GUI follows it)."""
    from oldcomm_desktop.storage import backup

    for name in ("last_backup", "read_last_backup", "last_backup_of"):
        fn = getattr(backup, name, None)
        if callable(fn):
            return fn
    return None


def last_backup_text(ctx: AppContext) -> str:
    if ctx.db.path is None:
        return "服务器数据库由服务器管理员备份"
    found = last_backup(ctx)
    if found is None:
        return NEVER_BACKED_UP
    when, _where = found
    local = when.astimezone() if when.tzinfo else when
    return f"上次备份：{local:%Y-%m-%d %H:%M}"


# -- replacing the database -------------------------------------------------------------------------------
def close_database(ctx: AppContext) -> None:
    """Stop workers, stop reads, dispose every pooled connection and release the write lock."""
    from PySide6.QtCore import QCoreApplication

    stop_running_jobs()
    QCoreApplication.processEvents()  # deferred re-reads already queued (a detail pane's) run now, not mid-swap
    stop_running_jobs()  # and any worker they started
    ctx.reads_paused = True
    ctx.db.close()


def reopen_database(ctx: AppContext, path: Path) -> None:
    """Open `path` again as the window's database (the replaced file, or the old one after a failure)."""
    from oldcomm_desktop.storage.database import open_database

    ctx.db = open_database(path)
    ctx.reads_paused = False


def replace_database(
    ctx: AppContext,
    parent: QWidget | None,
    title: str,
    swap: Callable[[Path, Progress], T],
) -> T:
    """Run `swap(path, progress)` (it replaces the file at `path`) with the database closed, then reopen.

    On any failure the database at `path` — unchanged, the swap checks before it replaces — is opened again
    and the error re-raised for the caller to word; an OSError is turned into a Chinese OldcommError.
    """
    path = ctx.db.path
    if path is None:
        raise OldcommError("服务器数据库不能在这里替换。")
    close_database(ctx)
    try:
        result = run_with_progress(parent, title, lambda progress: swap(path, progress), cancellable=False)
    except OSError as exc:
        log.warning("replacing %s failed: %s", path, exc)
        _reopen_after_failure(ctx, path)
        raise OldcommError(
            f"无法替换数据库文件 {path}：{exc.strerror or exc}。文件可能正被其他程序（杀毒软件、同步盘、"
            "另一个工作台窗口）占用。当前数据库没有改变，可以继续使用；关闭其他程序后再试。"
        ) from exc
    except BaseException:
        _reopen_after_failure(ctx, path)
        raise
    reopen_database(ctx, path)
    ctx.undo_stack.clear()  # the history described the old data
    ctx.versions.clear()  # and so did the versions our writes left
    ctx.database_replaced.emit()
    ctx.data_changed.emit("*")
    return result


def _reopen_after_failure(ctx: AppContext, path: Path) -> None:
    try:
        reopen_database(ctx, path)
    except Exception:
        log.exception("could not reopen %s after a failed swap", path)
        ctx.reads_paused = False
        raise
    ctx.data_changed.emit("*")
