"""数据交换: for now, back up the database to a file and restore it from one; later, the exchange packages.

Backup uses SQLite's online backup (consistent while the program runs) in a worker behind a progress
dialog, then checks the copy with `backup.verify`. Restore checks the file first, keeps the database it
replaces beside it (never deletes it) and clears the undo history, which described the old data.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import catalogues
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui import colours, file_dialogs, safety
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import Progress, run_with_progress
from oldcomm_desktop.gui.pages.base import Page
from oldcomm_desktop.gui.widgets import ask
from oldcomm_desktop.storage import backup

BACKUP_FILTER = "工作台备份 (*.zip)"
RESTORE_FILTER = "工作台备份 (*.zip);;旧版备份或数据库文件 (*.sqlite3 *.db);;所有文件 (*)"


def default_backup_name(division: str | None) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return f"老旧小区改造备份-{division or '数据库'}-{stamp}.zip"


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
        self.last.setStyleSheet(colours.text_style("secondary"))
        self.last.setWordWrap(True)
        where = ctx.where
        info = QLabel(
            f"当前数据库：{where}<br>照片和附件保存在：{ctx.db.attachments_dir}（备份文件连同照片附件一起保存）"
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
                "备份在程序运行时也可以进行，得到一个文件（.zip），里面是完整的数据库和全部照片附件，并附有校验信息。"
                "建议每周、每次报送前后各备份一次，"
                "备份文件存放在另一个磁盘或 U 盘上。"
            )
        )
        bv.itemAt(0).widget().setWordWrap(True)
        bv.addWidget(info)
        bv.addLayout(buttons)
        bv.addWidget(self.result)
        bv.addWidget(self.last)

        from oldcomm_desktop.gui.packages.section import PackagesSection

        self.packages = packages = PackagesSection(ctx, self)  # 数据包: gui/packages/

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        heading = QLabel("<h2 style='margin:0'>数据交换</h2>")
        layout.addWidget(heading)
        layout.addWidget(box)
        layout.addWidget(self._ledger_box())
        layout.addWidget(packages)
        layout.addStretch(1)
        self._show_last()

    # -- ledger import (gui/ledger_import) ---------------------------------------------------------------
    def _ledger_box(self) -> QGroupBox:
        box = QGroupBox("导入台账")
        text = QLabel(
            "把已有的 Excel 台账（.xlsx）导入为小区：先核对列的对应关系和预演结果，再导入；同一文件导入两次不会重复。"
        )
        text.setWordWrap(True)
        self.import_ledger_button = QPushButton("导入台账…")
        self.import_ledger_button.setObjectName("import_ledger")
        self.import_ledger_button.clicked.connect(self.open_ledger_import)
        v = QVBoxLayout(box)
        v.addWidget(text)
        v.addWidget(self.import_ledger_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def open_ledger_import(self) -> None:
        from oldcomm_desktop.gui.ledger_import.ledger_dialog import LedgerImportDialog

        LedgerImportDialog(self.ctx, self).exec()

    # -- backup -------------------------------------------------------------------------------------
    def ask_backup(self) -> Path | None:
        division = self.ctx.read(lambda s: catalogues.get_setting(s, "own_division_name"))
        path = file_dialogs.save_file(
            self, self.ctx.settings, "backup", "备份数据库", default_backup_name(division), BACKUP_FILTER
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
            progress.report(0, 2, "正在备份数据库和照片附件…")
            made = backup.backup(db_file, out, progress=lambda text: progress.report(0, 2, text))
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
        file_dialogs.remember(self.ctx.settings, "backup", str(made))  # a fact of this PC: where to look
        self._say(f"已备份到 {made}（{size / 1024 / 1024:.1f} MB），备份文件已检查无误。")
        self._show_last()
        window = self.window()
        if hasattr(window, "update_status"):
            window.update_status()  # the status bar's 上次备份 is read from the database again
        return made

    # -- restore ------------------------------------------------------------------------------------
    def ask_restore(self) -> Path | None:
        path = file_dialogs.open_file(self, self.ctx.settings, "backup", "从备份恢复", RESTORE_FILTER)
        if not path:
            return None
        try:
            backup.verify(Path(path))
        except OldcommError as exc:
            self._say(f"不能恢复：{exc}", error=True)
            return None
        if not ask(
            self,
            "从备份恢复",
            f"用备份文件\n{path}\n替换当前数据库吗？\n\n当前数据库会先另存一份（不会删除），恢复后撤销记录清空。",
        ):
            return None
        return self.restore_from(Path(path))

    def restore_from(self, source: Path) -> Path | None:
        """Replace the open database by `source`; returns where the replaced one was kept."""
        if self.ctx.db.path is None:
            self._say("服务器数据库不能在这里恢复。", error=True)
            return None
        if self.ctx.read_only:
            self._say("数据库是只读打开的，不能在这里恢复。", error=True)
            return None
        before = self.ctx.read(lambda s: catalogues.get_setting(s, "own_division_code"))

        def swap(db_file: Path, progress: Progress) -> Path | None:
            progress.report(0, 1, "正在检查备份并替换数据库…")
            # checks the backup fully before it replaces anything; brings the attachments back too
            kept = backup.restore(db_file, source, progress=lambda text: progress.report(0, 1, text))
            progress.report(1, 1, "完成")
            return kept

        try:
            # every worker and read stopped, every connection closed, then swapped and reopened
            kept = safety.replace_database(self.ctx, self, "从备份恢复", swap)
        except OldcommError as exc:
            self._say(f"没有恢复：{exc}", error=True)
            return None
        after = self.ctx.read(lambda s: catalogues.get_setting(s, "own_division_code"))
        self._show_last()
        note = f"原来的数据库另存为 {kept}。" if kept else ""
        if after != before:
            note += "备份属于另一个单位，请重新启动程序。"
        self._say(f"已从 {source} 恢复。{note}")
        return kept

    # -- messages -----------------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False) -> None:
        self.last_message = text
        self.result.setStyleSheet(colours.text_style("error" if error else "ok"))
        self.result.setText(text)
        self.result.setVisible(bool(text))

    def _show_last(self) -> None:
        """From the database itself (a copy of the demo does not claim the real ledger's backup)."""
        found = safety.last_backup(self.ctx)
        if found is None:
            self.last.setText(safety.NEVER_BACKED_UP + "。")
            return
        when, where = found
        local = when.astimezone() if when.tzinfo else when
        self.last.setText(f"上次备份：{local:%Y-%m-%d %H:%M}" + (f"，{where}" if where else ""))

    def status_text(self) -> str:
        return self.last.text()
