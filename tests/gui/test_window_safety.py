"""The window and the database it has open: the last backup is the database's own fact and the status bar
follows it; restore stops every read and worker, closes and reopens the database, and a failed swap keeps the
old one working; closing waits for jobs and closes the database; read-only opens show a banner and refuse
edits; a server's password is never shown and a missing one is asked for (issue 14, issue 15)."""

# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from community_fixtures import ctx  # noqa: F401 - fixtures
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from oldcomm_desktop.core import communities, listings
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import Job, running_jobs
from oldcomm_desktop.gui.main_window import MainWindow
from oldcomm_desktop.storage import backup
from oldcomm_desktop.storage.database import open_database

PASSWORD = "S3cret-pw"


def _window(qtbot, ctx: AppContext) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    return win


def _dump(path: Path) -> list[str]:
    """The database's content (read through its -wal, writing nothing): closing may checkpoint the bytes."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _count(ctx: AppContext) -> int:
    return ctx.read(lambda s: listings.count(s, "communities"))


def test_status_bar_shows_the_database_own_last_backup_and_updates(qtbot, ctx, tmp_path: Path) -> None:
    win = _window(qtbot, ctx)
    assert "还没有备份" in win.backup_status.text()
    page = win.go_to("exchange")
    assert page.backup_to(tmp_path / "b.zip") is not None
    assert win.backup_status.text().startswith("上次备份："), "issue 15: it still said 还没有备份过"
    # another database (a copy of the demo, say) does not claim this one's backup
    other_file = tmp_path / "other" / "x.sqlite3"
    other_file.parent.mkdir()
    other = open_database(other_file)
    try:
        other_ctx = AppContext(other, "测试员", QSettings(str(tmp_path / "s2.ini"), QSettings.Format.IniFormat))
        other_win = _window(qtbot, other_ctx)
        assert "还没有备份" in other_win.backup_status.text()
    finally:
        other.close()


def test_restore_with_pages_and_workers_running(qtbot, ctx, tmp_path: Path) -> None:
    win = _window(qtbot, ctx)
    communities_page = win.go_to("communities")
    win.go_to("dashboard")  # its figures load in a worker
    exchange = win.go_to("exchange")
    n = _count(ctx)
    saved = exchange.backup_to(tmp_path / "before.zip")
    cid = communities_page.table.model.row_id(0)
    ctx.write(lambda s: communities.delete(s, cid), table="community")
    assert _count(ctx) == n - 1
    old_db = ctx.db
    kept = exchange.restore_from(saved)
    assert kept is not None, exchange.result.text()
    assert ctx.db is not old_db, "closed and opened again"
    assert _count(ctx) == n
    qtbot.waitUntil(lambda: communities_page.table.model.rowCount() == n)
    assert not running_jobs() or all(j.is_done for j in running_jobs())
    ctx.write(lambda s: communities.delete(s, cid), table="community")  # the reopened database takes writes
    assert _count(ctx) == n - 1


def test_a_swap_the_os_refuses_keeps_the_old_database(qtbot, ctx, tmp_path: Path, monkeypatch) -> None:
    win = _window(qtbot, ctx)
    exchange = win.go_to("exchange")
    saved = exchange.backup_to(tmp_path / "before.zip")
    db_file = ctx.db.path
    before = _dump(db_file)
    n = _count(ctx)

    def locked(*_a, **_k):  # Windows: an open file cannot be replaced
        raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(db_file))

    monkeypatch.setattr(backup, "restore", locked)
    assert exchange.restore_from(saved) is None
    assert "没有恢复" in exchange.result.text() and "没有改变" in exchange.result.text()
    assert _dump(db_file) == before
    assert _count(ctx) == n, "the program goes on with the old database"
    ctx.write(lambda s: communities.create(s, {"name": "恢复失败后新建", "township_code": "341122001000"}))
    assert _count(ctx) == n + 1


def test_closing_the_window_waits_for_jobs_and_closes_the_database(qtbot, ctx) -> None:
    win = _window(qtbot, ctx)
    ended: list[bool] = []

    def slow(progress) -> None:
        for _ in range(30):
            if progress.cancelled:
                break
            time.sleep(0.02)
        ended.append(True)

    job = Job(slow, win)
    job.start()
    path = ctx.db.path
    win.close()
    assert ended == [True] and job.is_done
    again = open_database(path)  # the write lock was released
    again.close()


def test_read_only_database_shows_a_banner_and_refuses_edits(qtbot, ctx, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "ro.sqlite3"
    shutil.copy(ctx.db.path, path)
    db = open_database(path, write=False)  # as a write-protected USB stick opens
    try:
        ro = AppContext(db, "测试员", QSettings(str(tmp_path / "s3.ini"), QSettings.Format.IniFormat))
        win = _window(qtbot, ro)
        assert win.read_only_banner.isVisible()
        assert "只读打开" in win.read_only_banner.text()
        assert "只读" in win.database_status.text()
        assert not win.new_action.isEnabled()
        page = win.go_to("communities")
        page.table.select_first()
        dialog = page.edit_current()
        qtbot.waitUntil(dialog.isVisible)
        dialog.form.widgets["households"].setText("12")
        before = path.read_bytes()
        assert not dialog.try_save()
        assert "只读" in dialog.message.text()
        assert path.read_bytes() == before
        with pytest.raises(OldcommError):
            ro.write(lambda s: None)
    finally:
        db.close()


def test_a_server_password_never_shows(qtbot, ctx, monkeypatch) -> None:
    url = f"postgresql+psycopg://clerk:{PASSWORD}@10.0.0.5:5432/county"
    monkeypatch.setattr(ctx.db, "url", url)
    monkeypatch.setattr(ctx.db, "path", None)
    win = _window(qtbot, ctx)
    shown = [win.windowTitle(), win.database_status.text(), win.database_status.toolTip(), win.page_status.text()]
    about: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _p, _t, text: about.append(text))
    win._about()
    exchange = win.go_to("exchange")
    shown += about + [lb.text() for lb in exchange.findChildren(type(win.page_status))]
    assert all(PASSWORD not in text for text in shown)
    assert any("clerk:***@10.0.0.5" in text for text in shown)


def test_a_url_without_password_asks_and_remembers_in_the_keyring(qtbot, monkeypatch, tmp_path) -> None:
    from oldcomm_desktop.gui import app
    from oldcomm_desktop.gui.dialogs import password_dialog
    from oldcomm_desktop.storage import secrets

    url = "postgresql+psycopg://clerk@10.0.0.5:5432/county"
    opened: list[str] = []
    remembered: dict[str, str] = {}

    def fake_open(target):
        opened.append(str(target))
        raise OldcommError("测试：不真的连接")

    monkeypatch.setattr("oldcomm_desktop.storage.database.open_database", fake_open)
    monkeypatch.setattr(secrets, "password_for", lambda _u: None)
    monkeypatch.setattr(secrets, "remember_password", lambda u, p: remembered.__setitem__(u, p) or True)
    asked: list[str] = []

    def ask(u, _parent=None, *, message=""):
        asked.append(message)
        return (PASSWORD, True) if len(asked) == 1 else None

    monkeypatch.setattr(password_dialog, "ask_password", ask)
    assert app.open_window(url) is None
    assert opened and PASSWORD in opened[0], "the typed password was used to connect"
    assert len(asked) == 2 and "不真的连接" in asked[1], "a failed login asks again, saying why"
    assert remembered == {}, "never remembered before a connection worked"
    # the dialog itself: password echo mode and the 记住密码 box
    dialog = password_dialog.PasswordDialog(url)
    qtbot.addWidget(dialog)
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert "记住密码" in dialog.remember.text()
    settings_files = list(Path(tmp_path).rglob("*.ini"))
    assert all(PASSWORD not in f.read_text(errors="ignore") for f in settings_files)


def test_a_typed_password_is_remembered_only_in_the_keyring_after_it_worked(qtbot, ctx, monkeypatch, tmp_path) -> None:
    from oldcomm_desktop.gui import app
    from oldcomm_desktop.gui.dialogs import password_dialog
    from oldcomm_desktop.storage import secrets

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "conf"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "conf"))
    url = "postgresql+psycopg://clerk@10.0.0.5:5432/county"
    demo_copy = tmp_path / "server-stand-in.sqlite3"
    shutil.copy(ctx.db.path, demo_copy)
    opened: list[str] = []

    def fake_open(target):  # a SQLite file stands in for the server
        opened.append(str(target))
        db = open_database(demo_copy)
        db.url = str(target)  # what the window shows and keys its settings by
        db.path = None
        return db

    remembered: dict[str, str] = {}
    monkeypatch.setattr("oldcomm_desktop.storage.database.open_database", fake_open)
    monkeypatch.setattr(secrets, "password_for", lambda _u: None)
    monkeypatch.setattr(secrets, "remember_password", lambda u, p: remembered.__setitem__(u, p) or True)
    monkeypatch.setattr(password_dialog, "ask_password", lambda *_a, **_k: (PASSWORD, True))
    win = app.open_window(url, operator="测试员")
    assert win is not None
    qtbot.addWidget(win)
    assert PASSWORD in opened[0]
    assert remembered == {url: PASSWORD}
    assert PASSWORD not in win.database_status.text() and "clerk:***@" in win.database_status.text()
    win.ctx.settings.sync()
    files = [f for f in (tmp_path / "conf").rglob("*") if f.is_file()]
    assert files and all(PASSWORD not in f.read_text(errors="ignore") for f in files)
    win.close()
