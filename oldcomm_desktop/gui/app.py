"""`oldcomm-desktop`: start the GUI on the user's database, a chosen one (--db) or the demo (--demo)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.storage.paths import data_dir, default_database

APP_ORG, APP_NAME = keys.APP_ORG, keys.APP_NAME


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="oldcomm-desktop", description="老旧小区改造工作台")
    p.add_argument("--db", metavar="PATH_OR_URL", help="打开指定的数据库文件或服务器地址")
    p.add_argument("--demo", action="store_true", help="打开演示数据库（首次使用时自动生成）")
    p.add_argument("--operator", help="操作员姓名（不给出时从列表中选择或使用上次的）")
    return p.parse_args(argv)


def demo_database() -> Path:
    return data_dir() / "demo.sqlite3"


def make_application(argv: Sequence[str] | None = None):  # QApplication
    """The QApplication with our fonts, Chinese dialog buttons and high-DPI behaviour."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from oldcomm_desktop.gui.fonts import install_app_fonts, install_translator

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(argv or sys.argv[:1]))
        app.setOrganizationName(APP_ORG)
        app.setApplicationName(APP_NAME)
        app.setApplicationDisplayName("老旧小区改造工作台")
    install_app_fonts(app)
    install_translator(app)
    from oldcomm_desktop.gui import screen_fit

    screen_fit.install(app)  # every dialog no bigger than the screen it opens on
    return app


def open_window(target: str, *, operator: str | None = None, demo: bool = False, parent=None):
    """Open the database, run first-run or operator choice if needed, and return the MainWindow (or None)."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QDialog, QMessageBox

    from oldcomm_desktop.core import workspace
    from oldcomm_desktop.core.errors import OldcommError
    from oldcomm_desktop.gui.context import AppContext
    from oldcomm_desktop.gui.dialogs.password_dialog import complete_url, remember_if_asked
    from oldcomm_desktop.gui.errors import mask_secrets
    from oldcomm_desktop.gui.main_window import MainWindow
    from oldcomm_desktop.storage.database import open_database

    given = str(target)
    message = ""
    while True:
        completed = complete_url(given, parent, message=message)  # asks for a missing server password
        if completed is None:
            return None
        url, typed = completed
        try:
            db = open_database(url)
        except OldcommError as exc:
            text = mask_secrets(str(exc))
            if url != given and not typed:
                message = f"记住的密码无法登录：{text}"  # a changed password: ask once, do not loop on it
                continue
            if typed:
                message = text
                continue
            QMessageBox.critical(parent, "无法打开数据库", text)
            return None
        break
    remember_if_asked(given)
    target = given  # from here on the window knows the URL without its password
    if demo:
        if not db.read_only_check(workspace.is_initialised):
            _build_demo(db, parent)
    if not db.read_only_check(workspace.is_initialised):
        from oldcomm_desktop.gui.dialogs.first_run import FirstRunDialog  # only a fresh database needs it

        dialog = FirstRunDialog(db, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            db.close()
            return None
        operator = dialog.operator_name
    settings = QSettings(APP_ORG, APP_NAME)
    from oldcomm_desktop.storage.secrets import mask_url

    # the settings file names the database without its password (a URL's password never lands in a file)
    key = keys.operator_for(mask_url(str(target)))
    operator = operator or ("演示操作员" if demo else settings.value(key))
    if operator:
        with db.transaction(operator) as s:
            workspace.add_operator(s, operator)
    else:
        from oldcomm_desktop.gui.dialogs.first_run import OperatorDialog  # only when no operator is known

        dialog = OperatorDialog(db, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            db.close()
            return None
        operator = dialog.operator_name
    settings.setValue(key, operator)
    return MainWindow(AppContext(db, operator, settings))


def _build_demo(db, parent) -> None:
    from oldcomm_desktop.core import demo
    from oldcomm_desktop.gui.jobs import run_with_progress

    def work(progress) -> None:
        progress.report(0, 1, "正在生成演示数据…")
        with db.transaction("演示操作员") as s:
            demo.build(s, communities_count=60)
        progress.report(1, 1, "完成")

    run_with_progress(parent, "演示数据库", work, cancellable=False)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from oldcomm_desktop.gui.system_check import check

    problem = check()  # Qt would abort with a message naming one library, whatever is missing
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from oldcomm_desktop.gui.errors import install_excepthook, setup_logging

    setup_logging()
    app = make_application(argv)
    install_excepthook()
    target = str(demo_database()) if args.demo else (args.db or default_database())
    window = open_window(target, operator=args.operator, demo=args.demo)
    if window is None:
        return 1
    window.show()
    if os.environ.get("OLDCOMM_EXIT_AFTER_SHOW"):  # smoke tests of an installed bundle
        from PySide6.QtCore import QTimer

        QTimer.singleShot(200, app.quit)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
