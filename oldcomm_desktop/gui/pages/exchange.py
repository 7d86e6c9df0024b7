"""数据交换: for now, back up the database to a file and restore it from one; later, the exchange packages.

Backup uses SQLite's online backup (consistent while the program runs) in a worker behind a progress
dialog, then checks the copy with `backup.verify`. Restore checks the file first, keeps the database it
replaces beside it (never deletes it) and clears the undo history, which described the old data.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import catalogues
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import Progress, run_with_progress
from oldcomm_desktop.gui.pages.base import Page
from oldcomm_desktop.storage import backup

LAST_BACKUP_KEY = "exchange/last_backup"

PACKAGES_TEXT = (
    "<p>乡镇（街道）和县里的数据库各自独立、离线工作，靠<b>数据包</b>互相传递数据（U 盘、内网文件或电子邮件均可）：</p>"
    "<ul>"
    "<li><b>乡镇 → 县</b>：导出本乡镇自上次报送以来新增、修改和删除的记录（小区、项目、改造内容、进度节点、资金、"
    "检查整改及照片），县里导入后汇总全县数据。</li>"
    "<li><b>县 → 乡镇</b>：下发目录与规则设置（改造内容类型、资金来源、检查表模板、截止年份等）和督办事项。</li>"
    "<li>每个数据包都带有来源、时间和校验，导入前先显示将要变化的内容；同一条记录两边都改过时列出冲突，由操作员决定保留哪一方。</li>"
    "</ul>"
    "<p style='color:#6b7785'>数据包的导出和导入在后续版本中提供。在此之前，可以用上面的备份文件整体复制数据库。</p>"
)


def default_backup_name(division: str | None) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return f"老旧小区改造备份-{division or '数据库'}-{stamp}.sqlite3"


class ExchangePage(Page):
    title = "数据交换"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.last_message = ""
        file_based = ctx.db.path is not None

        self.backup_button = QPushButton("备份数据库…")
        self.backup_button.setObjectName("backup")
        self.backup_button.clicked.connect(self.ask_backup)
        self.restore_button = QPushButton("从备份恢复…")
        self.restore_button.setObjectName("restore")
        self.restore_button.clicked.connect(self.ask_restore)
        for b in (self.backup_button, self.restore_button):
            b.setEnabled(file_based)
        self.result = QLabel()
        self.result.setObjectName("backup_result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        self.last = QLabel()
        self.last.setObjectName("last_backup")
        self.last.setStyleSheet("color: #52606d;")
        self.last.setWordWrap(True)
        where = ctx.db.path or ctx.db.url
        info = QLabel(
            f"当前数据库：{where}<br>照片和附件保存在：{ctx.db.attachments_dir}（备份数据库时请一并复制这个文件夹）"
            if file_based
            else f"当前连接的是服务器数据库（{where}），由服务器管理员负责备份。"
        )
        info.setWordWrap(True)
        info.setTextFormat(Qt.TextFormat.RichText)
        info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        box = QGroupBox("备份与恢复")
        bv = QVBoxLayout(box)
        bv.addWidget(
            QLabel(
                "备份在程序运行时也可以进行，得到一个完整的数据库文件。建议每周、每次报送前后各备份一次，"
                "备份文件存放在另一个磁盘或 U 盘上。"
            )
        )
        bv.itemAt(0).widget().setWordWrap(True)
        bv.addWidget(info)
        bv.addLayout(buttons)
        bv.addWidget(self.result)
        bv.addWidget(self.last)

        from oldcomm_desktop.gui.sync.section import PackagesSection

        self.packages = packages = PackagesSection(ctx, self)  # 数据包: gui/sync/

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        heading = QLabel("<h2 style='margin:0'>数据交换</h2>")
        layout.addWidget(heading)
        layout.addWidget(box)
        layout.addWidget(packages)
        layout.addStretch(1)
        self._show_last()

    # -- backup -------------------------------------------------------------------------------------
    def ask_backup(self) -> Path | None:
        division = self.ctx.read(lambda s: catalogues.get_setting(s, "own_division_name"))
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        last = self.ctx.settings.value("exchange/last_folder") or folder
        path, _ = QFileDialog.getSaveFileName(
            self, "备份数据库", str(Path(last) / default_backup_name(division)), "数据库备份 (*.sqlite3)"
        )
        if not path:
            return None
        return self.backup_to(Path(path))

    def backup_to(self, out: Path) -> Path | None:
        """Back up to `out` in a worker; say where it went (or why not)."""
        db_file = self.ctx.db.path
        if db_file is None:
            self._say("服务器数据库不能在这里备份。", error=True)
            return None

        def work(progress: Progress) -> Path:
            progress.report(0, 2, "正在复制数据库…")
            made = backup.backup(db_file, out)
            progress.report(1, 2, "正在检查备份文件…")
            backup.verify(made)
            progress.report(2, 2, "完成")
            return made

        try:
            made = run_with_progress(self, "备份数据库", work, cancellable=False)
        except OldcommError as exc:
            self._say(f"备份没有完成：{exc}", error=True)
            return None
        except OSError as exc:
            self._say(f"备份没有完成：无法写入 {out}（{exc.strerror or exc}）", error=True)
            return None
        size = made.stat().st_size
        self.ctx.settings.setValue(LAST_BACKUP_KEY, f"{datetime.now():%Y-%m-%d %H:%M}|{made}")
        self.ctx.settings.setValue("exchange/last_folder", str(made.parent))
        self._say(f"已备份到 {made}（{size / 1024 / 1024:.1f} MB），备份文件已检查无误。")
        self._show_last()
        return made

    # -- restore ------------------------------------------------------------------------------------
    def ask_restore(self) -> Path | None:
        last = self.ctx.settings.value("exchange/last_folder") or ""
        path, _ = QFileDialog.getOpenFileName(self, "从备份恢复", str(last), "数据库备份 (*.sqlite3);;所有文件 (*)")
        if not path:
            return None
        try:
            backup.verify(Path(path))
        except OldcommError as exc:
            self._say(f"不能恢复：{exc}", error=True)
            return None
        answer = QMessageBox.question(
            self,
            "从备份恢复",
            f"用备份文件\n{path}\n替换当前数据库吗？\n\n当前数据库会先另存一份（不会删除），恢复后撤销记录清空。",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return self.restore_from(Path(path))

    def restore_from(self, source: Path) -> Path | None:
        """Replace the open database by `source`; returns where the replaced one was kept."""
        db = self.ctx.db
        if db.path is None:
            self._say("服务器数据库不能在这里恢复。", error=True)
            return None
        before = self.ctx.read(lambda s: catalogues.get_setting(s, "own_division_code"))

        def work(progress: Progress) -> Path | None:
            from oldcomm_desktop.storage.migrations import upgrade

            progress.report(0, 2, "正在检查并替换数据库…")
            db.engine.dispose()  # no open connection may hold the old file
            kept = backup.restore(db.path, source)
            progress.report(1, 2, "正在更新数据库结构…")
            upgrade(db.engine)
            progress.report(2, 2, "完成")
            return kept

        try:
            kept = run_with_progress(self, "从备份恢复", work, cancellable=False)
        except OldcommError as exc:
            self._say(f"没有恢复：{exc}", error=True)
            return None
        self.ctx.undo_stack.clear()
        after = self.ctx.read(lambda s: catalogues.get_setting(s, "own_division_code"))
        self.ctx.data_changed.emit("*")
        note = f"原来的数据库另存为 {kept}。" if kept else ""
        if after != before:
            note += "备份属于另一个单位，请重新启动程序。"
        self._say(f"已从 {source} 恢复。{note}")
        return kept

    # -- messages -----------------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False) -> None:
        self.last_message = text
        self.result.setStyleSheet("color: #c0392b;" if error else "color: #2f7d45;")
        self.result.setText(text)
        self.result.setVisible(bool(text))

    def _show_last(self) -> None:
        value = self.ctx.settings.value(LAST_BACKUP_KEY)
        if value and "|" in str(value):
            when, path = str(value).split("|", 1)
            self.last.setText(f"上次备份：{when}，{path}")
        else:
            self.last.setText("本机还没有备份过这个数据库。")

    def status_text(self) -> str:
        return self.last.text()
