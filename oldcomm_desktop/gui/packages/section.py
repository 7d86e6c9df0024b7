"""The 数据包 section: this installation's key, export (incremental or full, to whom), import with a preview,
conflicts, import history and, in county mode, the townships' view. Every action is a core call; long ones
run in a worker behind the cancellable progress dialog, and a cancelled import leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import workspace
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.sync import conflicts, importer, keys, rectification_news
from oldcomm_desktop.core.sync.exporter import ExportResult, export
from oldcomm_desktop.gui import colours, settings_keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import JobCancelled, Progress, run_with_progress
from oldcomm_desktop.gui.list_page import township_choices
from oldcomm_desktop.gui.packages.dialogs import ConflictsDialog, HistoryDialog, PreviewDialog
from oldcomm_desktop.gui.packages.townships import TownshipsView


class PackagesSection(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__("数据包（乡镇 ⇄ 县）", parent)
        self.ctx = ctx
        self.last_message = ""
        self.mode, self.own, _ = ctx.read(self._identity)
        county = self.mode == workspace.COUNTY

        intro = QLabel(
            "数据包用 U 盘在乡镇和县之间传递：乡镇发送本乡镇的修改，县里发回审核更正、县里的检查结果和目录。"
            "每个数据包都有签名和校验；导入前先预览；两边都改过的同一字段列为冲突，由您决定。"
        )
        intro.setWordWrap(True)
        self.key_label = QLabel()
        self.key_label.setObjectName("own_fingerprint")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        export_key = QPushButton("导出本机公钥…")
        export_key.clicked.connect(self.ask_export_key)
        trust_key = QPushButton("登记对方公钥…")
        trust_key.clicked.connect(self.ask_trust_key)

        self.recipient = QComboBox()
        self.recipient.setObjectName("recipient")
        if county:
            for code, name in township_choices(ctx):
                self.recipient.addItem(f"{name} {code}", code)
        else:
            county_code = self.own[:6] + "000000"
            self.recipient.addItem(f"县里 {county_code}", county_code)
        self.full = QCheckBox("完整导出（全部记录）")
        self.full.setObjectName("full_export")
        self.export_button = QPushButton("导出数据包…")
        self.export_button.setObjectName("export_package")
        self.export_button.clicked.connect(self.ask_export)
        self.import_button = QPushButton("导入数据包…")
        self.import_button.setObjectName("import_package")
        self.import_button.clicked.connect(self.ask_import)
        self.conflicts_button = QPushButton()
        self.conflicts_button.setObjectName("show_conflicts")
        self.conflicts_button.clicked.connect(self.show_conflicts)
        history = QPushButton("导入记录…")
        history.setObjectName("show_history")
        history.clicked.connect(self.show_history)
        self.result = QLabel()
        self.result.setObjectName("package_result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()

        keys_row = QHBoxLayout()
        keys_row.addWidget(self.key_label, 1)
        keys_row.addWidget(export_key)
        keys_row.addWidget(trust_key)
        export_row = QHBoxLayout()
        export_row.addWidget(QLabel("发给："))
        export_row.addWidget(self.recipient)
        export_row.addWidget(self.full)
        export_row.addWidget(self.export_button)
        export_row.addStretch(1)
        import_row = QHBoxLayout()
        import_row.addWidget(self.import_button)
        import_row.addWidget(self.conflicts_button)
        import_row.addWidget(history)
        import_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(keys_row)
        layout.addLayout(export_row)
        layout.addLayout(import_row)
        layout.addWidget(self.result)
        self.townships: TownshipsView | None = None
        if county:
            self.townships = TownshipsView(ctx)
            layout.addWidget(self.townships)
        self.refresh()

    @staticmethod
    def _identity(s) -> tuple[str, str, str]:
        """Read only: the key pair is made by the first export, not by opening the page."""
        fp = keys.own_key(s).fingerprint if keys.has_identity(s) else ""
        return workspace.mode(s) or "", workspace.own_code(s) or "", fp

    def refresh(self) -> None:
        fp = self.ctx.read(self._identity)[2]
        self.key_label.setText(
            f"本机公钥指纹：<b>{keys.display(fp)}</b>（对方登记时请电话核对）"
            if fp
            else "本机公钥：尚未生成（第一次导出数据包或导出公钥时生成）"
        )
        n = self.ctx.read(conflicts.open_count)
        self.conflicts_button.setText(f"冲突（{n}）…")
        if self.townships is not None:
            self.townships.reload()

    # -- export -------------------------------------------------------------------------------------
    def _folder(self) -> str:
        return str(self.ctx.settings.value(settings_keys.PACKAGE_FOLDER) or Path.home())

    def ask_export(self) -> ExportResult | None:
        folder = QFileDialog.getExistingDirectory(self, "数据包保存到（如 U 盘）", self._folder())
        if not folder:
            return None
        return self.export_to(Path(folder))

    def export_to(self, folder: Path) -> ExportResult | None:
        to = self.recipient.currentData()
        full = self.full.isChecked()

        def work(progress: Progress) -> ExportResult:
            with self.ctx.db.transaction(self.ctx.operator) as s:
                return export(s, folder, to=to, full=full, progress=_reporter(progress))

        try:
            result = run_with_progress(self, "导出数据包", work)
        except JobCancelled:
            self._say("已取消导出，没有写出数据包。", error=True)
            return None
        except OldcommError as exc:
            self._say(f"没有导出：{exc}", error=True)
            return None
        except OSError as exc:
            self._say(f"没有导出：无法写入 {folder}（{exc.strerror or exc}）", error=True)
            return None
        self.ctx.settings.setValue(settings_keys.PACKAGE_FOLDER, str(folder))
        what = "，".join(f"{n} 条" for n in result.counts.values())
        self._say(
            f"已导出 {result.path.name}（{'完整' if result.full else '增量'}，共 {result.total} 条记录"
            f"{f'，附件 {result.attachments} 个' if result.attachments else ''}）到 {folder}。"
            + ("" if what else "没有新的修改，数据包只带回执。")
        )
        self.refresh()
        return result

    # -- import -------------------------------------------------------------------------------------
    def ask_import(self) -> importer.ImportReport | None:
        path, _ = QFileDialog.getOpenFileName(self, "导入数据包", self._folder(), "数据包 (*.ocpkg);;所有文件 (*)")
        if not path:
            return None
        return self.import_file(Path(path))

    def preview(self, path: Path) -> importer.ImportReport | None:
        return self._run_import(path, dry_run=True)

    def import_file(
        self, path: Path, *, confirm: Callable[[importer.ImportReport], bool] | None = None
    ) -> importer.ImportReport | None:
        """Preview (dry run), let the clerk confirm, then apply in one transaction."""
        report = self.preview(path)
        if report is None:
            return None
        ok = confirm(report) if confirm else PreviewDialog(report, self).exec() == PreviewDialog.DialogCode.Accepted
        if not ok:
            self._say("没有导入（已取消）。")
            return None
        done = self._run_import(path, dry_run=False)
        if done is None:
            return None
        extra = f"；{len(done.conflicts)} 处冲突待处理" if done.conflicts else ""
        if done.released:  # held under a parent deleted here, which this package brought back
            extra += f"；{len(done.released)} 条暂存的记录因所属记录已恢复而自动写入"
        if done.left_out:  # the county's own acts a township gave back, whose order this database lost
            extra += f"；{len(done.left_out)} 条乡镇交回的县里审核或督办记录及其答复没有导入，请核对后重新下发或审核"
        if done.not_taken:  # the township's answers to orders the county lost (core/sync/not_taken.py)
            extra += (
                f"；县里没有采用本乡镇（街道）上报的 {len(done.not_taken)} 条督办答复（县里已没有所属督办），"
                "请联系县里重新下发督办后再答复"
            )
        for line in rectification_news.lines(done.reopened, done.closed):  # a 销号 the package undid or made
            extra += f"；{line}"
        self._say(
            f"已导入 {done.file_name}：新增 {done.total('added')}，修改 {done.total('changed')}，"
            f"删除 {done.total('deleted')}{extra}。"
        )
        self.ctx.data_changed.emit("*")
        self.refresh()
        return done

    def _run_import(self, path: Path, *, dry_run: bool) -> importer.ImportReport | None:
        def work(progress: Progress) -> importer.ImportReport:
            return importer.import_package(
                self.ctx.db, path, dry_run=dry_run, operator=self.ctx.operator, progress=_reporter(progress)
            )

        try:
            return run_with_progress(self, "检查数据包" if dry_run else "导入数据包", work)
        except JobCancelled:
            self._say("已取消，数据库没有改动。", error=True)
        except OldcommError as exc:
            self._say(f"没有导入：{exc}", error=True)
        return None

    # -- keys, conflicts, history -------------------------------------------------------------------
    def ask_export_key(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出本机公钥", str(Path(self._folder()) / f"{self.own}.pub"))
        if path:
            self.export_key(Path(path))

    def export_key(self, path: Path) -> None:
        try:
            k = self.ctx.write(lambda s: keys.export_public_key(s, path))
        except (OldcommError, OSError) as exc:
            self._say(f"没有导出公钥：{exc}", error=True)
            return
        self._say(f"已导出公钥到 {path}。指纹：{k.shown}")
        self.refresh()

    def ask_trust_key(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "登记对方公钥", self._folder(), "公钥 (*.pub);;所有文件 (*)")
        if not path:
            return
        code, ok = QInputDialog.getText(self, "登记对方公钥", "对方的区划代码（12 位，与对方核对过）：")
        if ok:
            self.trust_key(Path(path), code.strip())

    def trust_key(self, path: Path, code: str, replace: Callable[[str], bool] | None = None) -> bool:
        """`replace(question)`: asked when the peer has another key already (its PC set up again); the dialog
        asks by default."""
        try:
            peer = self.ctx.write(lambda s: keys.trust(s, path, code or None))
            replaced = False
        except keys.KeyReplacement as exc:
            ask = replace or self._ask_replace
            if not ask(str(exc)):
                self._say(f"没有登记：{exc}", error=True)
                return False
            try:
                peer = self.ctx.write(lambda s: keys.trust(s, path, code or None, replace=True))
            except OldcommError as again:
                self._say(f"没有登记：{again}", error=True)
                return False
            replaced = True
        except OldcommError as exc:
            self._say(f"没有登记：{exc}", error=True)
            return False
        self._say(
            f"已{'替换' if replaced else '登记'} {peer.code} 的公钥，指纹 {keys.display(peer.fingerprint or '')}："
            "请与对方电话核对，一致才可信。" + ("双方的下一个数据包是完整的。" if replaced else "")
        )
        self.refresh()
        return True

    def _ask_replace(self, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            "替换对方的公钥？",
            question.replace("（命令行加 --replace）", "") + "\n\n确实要替换吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def show_conflicts(self) -> None:
        ConflictsDialog(self.ctx, self).exec()
        self.refresh()

    def show_history(self) -> None:
        HistoryDialog(self.ctx, self).exec()
        self.refresh()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.last_message = text
        self.result.setStyleSheet(colours.text_style("error" if error else "ok"))
        self.result.setText(text)
        self.result.setVisible(bool(text))


def _reporter(progress: Progress) -> Callable[[int, int, str], None]:
    """The core's progress callback: report, and stop (rolling back) once the clerk pressed 取消."""

    def report(done: int, total: int, text: str) -> None:
        progress.report(done, total, text)
        progress.check()

    return report
