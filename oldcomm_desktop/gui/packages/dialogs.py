"""Dialogs of the 数据包 section: the import preview, the conflicts list and the import history.

They hold plain dicts from the core (never a session) and call back into the core through AppContext.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.record_names import TABLE_LABELS
from oldcomm_desktop.core.sync import choices, conflicts, history, importer, rectification_news
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.widgets import ask

COUNT_COLUMNS = (("added", "新增"), ("changed", "修改"), ("deleted", "删除"), ("conflicts", "冲突"))


WIDEST_COLUMN = 320  # px: a long value (a rule's message, a held record) is cut here and read whole in its tooltip


def fill_table(table: QTableWidget, headers: list[str], rows: list[list[Any]]) -> None:
    """Columns as wide as their contents up to WIDEST_COLUMN, so every column of a wide row stays in sight."""
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(item.text())
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.resizeColumnsToContents()
    for c in range(len(headers)):
        if header.sectionSize(c) > WIDEST_COLUMN:
            header.resizeSection(c, WIDEST_COLUMN)
    header.setStretchLastSection(True)


def _table(name: str) -> QTableWidget:
    t = QTableWidget()
    t.setObjectName(name)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().hide()
    return t


def shown(value: Any) -> str:
    return "（空）" if value is None else str(value)


def local_time(iso: str | None) -> str:
    """A stored UTC time as the clerk's local time, to the minute."""
    if not iso:
        return ""
    from datetime import UTC, datetime

    return f"{datetime.fromisoformat(iso).replace(tzinfo=UTC).astimezone():%Y-%m-%d %H:%M}"


class PreviewDialog(QDialog):
    """What an import would add, change and delete, and its conflicts; 导入 applies it."""

    def __init__(self, report: importer.ImportReport, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("导入数据包：预览")
        self.resize(720, 460)
        head = QLabel(
            f"数据包 {report.file_name}<br>来自 <b>{report.sender_name} {report.sender_code}</b>，"
            f"生成于 {local_time(report.created_at)}。签名和校验均已通过。下表是导入后将发生的变化："
        )
        head.setWordWrap(True)
        self.counts = _table("preview_counts")
        rows = [
            [TABLE_LABELS.get(name, name), *(getattr(c, key) for key, _ in COUNT_COLUMNS)]
            for name, c in report.tables.items()
        ]
        if report.catalogue_changed:
            rows.append(["目录（县里下发）", "", report.catalogue_changed, "", ""])
        fill_table(self.counts, ["内容", *(label for _, label in COUNT_COLUMNS)], rows)
        self.conflicts = _table("preview_conflicts")
        fill_table(
            self.conflicts,
            ["记录", "字段", "本方的值（保留）", "对方的值（记入冲突）"],
            [
                [
                    TABLE_LABELS.get(c["table"], c["table"]),
                    conflicts.field_label(c["field"], c["table"]),
                    conflicts.shown(c["ours"], c["field"]),
                    conflicts.shown(c["theirs"], c["field"]),
                ]
                for c in report.conflicts
            ],
        )
        nothing = not rows
        note = QLabel(
            "没有需要导入的修改。"
            if nothing
            else "冲突：两边都改了同一字段。导入时保留本方的值，对方的值记入冲突列表，由您决定。"
        )
        if report.released:  # held records whose parent this package brings back
            released = f"导入后，{len(report.released)} 条因所属记录已删除而暂存的记录将自动写入（所属记录已恢复）。"
            note.setText(f"{note.text()}\n{released}")
        for line in rectification_news.lines(report.reopened, report.closed, dry_run=True):
            note.setText(f"{note.text()}\n{line}。")
        note.setObjectName("preview_note")
        note.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("apply_import")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.counts, 2)
        layout.addWidget(QLabel(f"冲突（{len(report.conflicts)}）"))
        layout.addWidget(self.conflicts, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)


class ConflictsDialog(QDialog):
    """Open conflicts with both values and times: keep ours, take theirs, or type a new value."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("同步冲突")
        self.resize(900, 420)
        self.rows: list[dict] = []
        self.table = _table("conflicts_table")
        self.message = QLabel()
        self.message.setObjectName("conflicts_message")
        self.message.setWordWrap(True)
        self.choices = QLabel()  # what each button does to the selected conflict
        self.choices.setObjectName("conflict_choices")
        self.choices.setWordWrap(True)
        self.ours_button = QPushButton("保留本方")
        self.theirs_button = QPushButton("采用对方")
        self.edit_button = QPushButton("改为…")
        for name, b in (
            ("keep_ours", self.ours_button),
            ("take_theirs", self.theirs_button),
            ("edit", self.edit_button),
        ):
            b.setObjectName(name)
        self.ours_button.clicked.connect(lambda: self.resolve_selected("ours"))
        self.theirs_button.clicked.connect(lambda: self.resolve_selected("theirs"))
        self.edit_button.clicked.connect(self.ask_edit)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for b in (self.ours_button, self.theirs_button, self.edit_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        explain = QLabel(
            "两边都改了同一条记录时，导入保留本方的值，对方的值列在这里，由您决定。处理结果在下次导出时发给对方，"
            "对方的同一冲突随之关闭。"
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        layout.addWidget(self.table)
        layout.addWidget(self.choices)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.reload()

    def _selection_changed(self) -> None:
        """Say what each button does to this conflict; a held record (所属记录已删除) or a deletion is decided by
        keeping or taking one side: no value to type."""
        c = self.selected()
        said = choices.explain(c) if c is not None else {"ours": "", "theirs": "", "edit": ""}
        values = (
            [
                f"本方的值：{conflicts.shown(c['ours'], c['field'])}",
                f"对方（{c['peer_name']}）的值：{conflicts.shown(c['theirs'], c['field'])}",
            ]
            if c is not None
            else []
        )
        self.choices.setText("\n".join([*values, *(line for line in said.values() if line)]))
        for button, key in ((self.ours_button, "ours"), (self.theirs_button, "theirs"), (self.edit_button, "edit")):
            button.setToolTip(said[key])
        self.edit_button.setEnabled(bool(said["edit"]))

    def reload(self) -> None:
        self.rows = self.ctx.read(conflicts.listing)
        fill_table(
            self.table,
            ["记录", "字段", "本方的值", "本方修改时间", "对方", "对方的值", "对方修改时间", "说明"],
            [
                [
                    c["record"],
                    c["field_label"],
                    conflicts.shown(c["ours"], c["field"]),
                    local_time(c["ours_at"]),
                    f"{c['peer_name']} {c['peer']}",
                    conflicts.shown(c["theirs"], c["field"]),
                    local_time(c["theirs_at"]),
                    c.get("note", ""),
                ]
                for c in self.rows
            ],
        )
        for b in (self.ours_button, self.theirs_button, self.edit_button):
            b.setEnabled(bool(self.rows))
        if self.rows:
            self.table.selectRow(0)
        self._selection_changed()

    def selected(self) -> dict | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def resolve_selected(self, keep: str, value: Any = None, edit: bool = False) -> bool:
        c = self.selected()
        if c is None:
            return False
        try:
            self.ctx.write(lambda s: conflicts.resolve(s, c["id"], keep, value=value, edit=edit), table=c["table"])
        except OldcommError as exc:
            self.message.setText(f"没有处理：{exc}")
            return False
        self.message.setText(f"已处理：{c['record']} 的 {c['field_label']}")
        self.reload()
        return True

    def ask_edit(self) -> None:
        c = self.selected()
        if c is None:
            return
        text, ok = QInputDialog.getText(
            self, "改为新的值", f"{c['record']} 的 {c['field_label']}：", text=shown(c["ours"])
        )
        if ok:
            self.resolve_selected("", value=parse_value(text, c["ours"], c["theirs"]), edit=True)


def parse_value(text: str, *examples: Any) -> Any:
    """A typed value in the kind of the values it replaces: a number stays a number, empty is 空."""
    text = text.strip()
    if text in ("", "（空）"):
        return None
    if any(isinstance(e, bool) for e in examples):
        return text in ("是", "true", "1")
    if any(isinstance(e, int) and not isinstance(e, bool) for e in examples):
        try:
            return int(text)
        except ValueError:
            return text
    try:
        if text.startswith(("[", "{")):
            return json.loads(text)
    except json.JSONDecodeError:
        pass
    return text


class HistoryDialog(QDialog):
    """Every imported package; a selected import can be rolled back."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, confirm: Callable[[str], bool] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.confirm = confirm or self._ask
        self.setWindowTitle("数据包导入记录")
        self.resize(900, 400)
        self.rows: list[dict] = []
        self.table = _table("history_table")
        self.message = QLabel()
        self.message.setObjectName("history_message")
        self.message.setWordWrap(True)
        self.rollback_button = QPushButton("回滚这次导入…")
        self.rollback_button.setObjectName("rollback")
        self.rollback_button.clicked.connect(self.rollback_selected)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.rollback_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        self.rows = self.ctx.read(history.history)
        fill_table(
            self.table,
            ["导入时间", "来自", "新增", "修改", "删除", "冲突", "目录", "状态", "文件"],
            [
                [
                    local_time(h["imported_at"]),
                    h["sender"],
                    h["added"],
                    h["changed"],
                    h["deleted"],
                    h["conflicts"],
                    h["catalogue"],
                    "已回滚" if h["status"] == "rolled_back" else "已导入",
                    h["file"],
                ]
                for h in self.rows
            ],
        )
        if self.rows:
            self.table.selectRow(0)
        self.rollback_button.setEnabled(bool(self.rows))

    def _ask(self, text: str) -> bool:
        return ask(self, "回滚导入", text)

    def rollback_selected(self) -> bool:
        r = self.table.currentRow()
        if not 0 <= r < len(self.rows):
            return False
        h = self.rows[r]
        if h["status"] != "applied":
            self.message.setText("这次导入已经回滚过了。")
            return False
        if not self.confirm(
            f"把 {local_time(h['imported_at'])} 导入的数据包恢复到导入前吗？对方下次会重新发送这些修改。"
        ):
            return False
        try:
            n = self.ctx.write(lambda s: history.rollback(s, h["id"]))
        except OldcommError as exc:
            self.message.setText(f"没有回滚：{exc}")
            return False
        self.message.setText(f"已回滚：{n} 条记录恢复到导入前。")
        self.reload()
        return True
