"""The main window: a navigation list on the left, one page at a time on the right.

Pages are created the first time they are shown, so start-up pays only for the first page; and the start
page (概览) is chosen only once the event loop runs, so a window told at once to show another page (a link, the
benchmark's 小区台账) never builds the dashboard nor starts its worker during start-up.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import MONEY_UNITS, AppContext
from oldcomm_desktop.gui.jobs import running_jobs, stop_running_jobs
from oldcomm_desktop.gui.pages.base import Page
from oldcomm_desktop.gui.safety import ReadOnlyBanner, last_backup_text


@dataclass(frozen=True)
class PageEntry:
    key: str
    title: str
    module: str
    cls: str


PAGES: tuple[PageEntry, ...] = (
    PageEntry("dashboard", "概览", "oldcomm_desktop.gui.pages.dashboard", "DashboardPage"),
    PageEntry("projects", "项目", "oldcomm_desktop.gui.pages.projects", "ProjectsPage"),
    PageEntry("communities", "小区台账", "oldcomm_desktop.gui.pages.communities", "CommunitiesPage"),
    PageEntry("items", "改造内容", "oldcomm_desktop.gui.pages.items", "ItemsPage"),
    PageEntry("inspections", "检查整改", "oldcomm_desktop.gui.pages.inspections", "InspectionsPage"),
    PageEntry("returns", "报表", "oldcomm_desktop.gui.pages.returns", "ReturnsPage"),
    PageEntry("supervision", "督办考核", "oldcomm_desktop.gui.supervision.page", "SupervisionPage"),
    PageEntry("exchange", "数据交换", "oldcomm_desktop.gui.pages.exchange", "ExchangePage"),
    PageEntry("recycle_bin", "回收站", "oldcomm_desktop.gui.pages.recycle_bin", "RecycleBinPage"),
    PageEntry("settings", "设置", "oldcomm_desktop.gui.pages.settings", "SettingsPage"),
)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self._title())
        self.pages: dict[str, Page] = {}
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(132)
        for entry in PAGES:
            item = QListWidgetItem(entry.title)
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            self.nav.addItem(item)
        self.nav.setStyleSheet("QListWidget { font-size: 15px; } QListWidget::item { padding: 9px 12px; }")
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.nav)  # fixed width: the page gets all the rest, no gap to drag
        row.addWidget(self.stack, 1)
        self.read_only_banner = ReadOnlyBanner(ctx)
        outer = QWidget()
        column = QVBoxLayout(outer)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.read_only_banner)
        column.addWidget(central, 1)
        self.setCentralWidget(outer)
        self.page_status = QLabel()
        self.page_status.setObjectName("page_status")
        self.statusBar().addWidget(self.page_status, 1)
        self.backup_status = QLabel()
        self.backup_status.setObjectName("backup_status")
        self.database_status = QLabel()
        self.database_status.setObjectName("database_status")
        for label in (QLabel(f"操作员：{ctx.operator}"), self.backup_status, self.database_status):
            label.setContentsMargins(6, 0, 6, 0)  # the three facts read apart, not run together
            self.statusBar().addPermanentWidget(label)
        self._show_database()
        self._make_menus()
        self.nav.currentRowChanged.connect(self._show_row)
        ctx.navigate.connect(self.go_to)
        ctx.data_changed.connect(lambda _t: self.update_status())
        ctx.database_replaced.connect(self._show_database)
        self._restore_geometry()
        # the start page once the event loop runs (after the window's first paint): a page asked for before
        # then (go_to) is the one built; current_page() builds the start page if asked first
        QTimer.singleShot(0, self, self._show_start_page)

    def _show_start_page(self) -> None:
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def _title(self) -> str:
        from oldcomm_desktop.core import catalogues

        # Qt adds the application's display name (老旧小区改造工作台) to every window title itself
        name = self.ctx.read(lambda s: catalogues.get_setting(s, "own_division_name"))
        return name or ""

    # -- pages --------------------------------------------------------------------------------------
    def page(self, key: str) -> Page:
        """The page for `key`, created on first use."""
        if key not in self.pages:
            entry = next(e for e in PAGES if e.key == key)
            cls = getattr(importlib.import_module(entry.module), entry.cls)
            page = cls(self.ctx)
            page.setObjectName(f"page_{key}")
            self.pages[key] = page
            self.stack.addWidget(page)
        return self.pages[key]

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        page = self.page(PAGES[row].key)
        self.stack.setCurrentWidget(page)
        self._show_page_actions(page)
        page.activate()
        self.update_status()

    def _show_page_actions(self, page: Page) -> None:
        """The 编辑 menu ends with what the page's rows offer (修改, 删除, 恢复 …), the same QActions as
        the page's context menu, so their shortcuts and enabled state are shown in one place."""
        for action in self._page_actions:
            self.edit_menu.removeAction(action)
        actions = page.edit_actions()
        self._page_actions = []
        if actions:
            self._page_actions.append(self.edit_menu.addSeparator())
            for action in actions:
                self.edit_menu.addAction(action)
                self._page_actions.append(action)

    def current_page(self) -> Page | None:
        self._show_start_page()
        w = self.stack.currentWidget()
        return w if isinstance(w, Page) else None

    def go_to(self, key: str, filters: dict | None = None) -> Page:
        row = next(i for i, e in enumerate(PAGES) if e.key == key)
        self.nav.setCurrentRow(row)
        page = self.page(key)
        if filters:
            page.apply_filters(filters)
        self.update_status()
        return page

    def update_status(self) -> None:
        page = self.current_page()
        self.page_status.setText(page.status_text() if page else "")
        self.backup_status.setText(last_backup_text(self.ctx))

    def _show_database(self) -> None:
        """The database (password masked), read-only state and last backup, after opening or replacing it."""
        self.database_status.setText(f"数据库：{self.ctx.where}" + ("（只读）" if self.ctx.read_only else ""))
        self.database_status.setToolTip(self.ctx.where)
        self.read_only_banner.update_state()
        if hasattr(self, "new_action"):
            self.new_action.setEnabled(not self.ctx.read_only)
        self.backup_status.setText(last_backup_text(self.ctx))
        self.setWindowTitle(self._title())

    # -- menus --------------------------------------------------------------------------------------
    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("文件(&F)")
        backup = QAction("备份数据库…", self)
        backup.triggered.connect(lambda: self.go_to("exchange"))
        file_menu.addAction(backup)
        file_menu.addSeparator()
        quit_action = QAction("退出", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = bar.addMenu("编辑(&E)")
        self.undo_action = self.ctx.undo_stack.createUndoAction(self, "撤销")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.ctx.undo_stack.createRedoAction(self, "重做")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        new_action = QAction("新建", self)
        self.new_action = new_action
        new_action.setEnabled(not self.ctx.read_only)  # read-only: nothing new can be saved
        new_action.setShortcut(QKeySequence("Ctrl+N"))
        new_action.triggered.connect(lambda: self.current_page() and self.current_page().new_record())
        find_action = QAction("查找", self)
        find_action.setShortcut(QKeySequence("Ctrl+F"))
        find_action.triggered.connect(lambda: self.current_page() and self.current_page().focus_search())
        edit_menu.addAction(new_action)
        edit_menu.addAction(find_action)
        self.edit_menu = edit_menu
        # a page's tabs may change what its rows offer (检查记录 / 整改销号): re-read on opening the menu
        edit_menu.aboutToShow.connect(lambda: self.current_page() and self._show_page_actions(self.current_page()))
        self._page_actions: list[QAction] = []  # the current page's row actions, below a separator
        for a in (self.undo_action, self.redo_action, new_action, find_action):
            a.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)

        view_menu = bar.addMenu("查看(&V)")
        money = view_menu.addMenu("金额单位")
        group = QActionGroup(self)
        for unit in MONEY_UNITS:
            a = QAction(unit, self, checkable=True)
            a.setChecked(unit == self.ctx.money_unit)
            a.triggered.connect(lambda _c=False, u=unit: self.ctx.set_money_unit(u))
            group.addAction(a)
            money.addAction(a)

        help_menu = bar.addMenu("帮助(&H)")
        about = QAction("关于", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _about(self) -> None:
        from oldcomm_desktop import __version__
        from oldcomm_desktop.gui.errors import log_file

        QMessageBox.about(
            self,
            "关于",
            f"<b>老旧小区改造工作台</b> {__version__}<br>"
            f"数据库：{self.ctx.where}<br>日志文件：{log_file()}",
        )

    # -- geometry -----------------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.ctx.settings.value(keys.WINDOW_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt's name
        """Remember the layout, let running jobs end (they are asked to cancel), then close the database."""
        self.ctx.settings.setValue(keys.WINDOW_GEOMETRY, self.saveGeometry())
        for page in self.pages.values():
            save = getattr(page, "save_state", None)
            if save:
                save()
        if running_jobs():
            self.statusBar().showMessage("正在等待后台任务结束…")
        stop_running_jobs()
        self.ctx.reads_paused = True  # a late repaint must not open the database again
        self.ctx.db.close()
        super().closeEvent(event)
