"""进度节点: the community's dated milestones as a timeline, with the status they add up to.

A strip across the top shows where the community is (储备 → 计划 → 已开工 → 已完工 → 已验收); the list
below is the log, oldest first. Adding and removing go through the core (milestones.add / remove), which
keeps the order and moves the status; its refusals are shown here in Chinese.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import milestones
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.lifecycle import STATUS_LABELS
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.community.record_dialogs import MilestoneDialog, remove_milestone
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.widgets import ask, error_text, message_label, open_dialog, push_button, set_message

PILL = "border-radius: 3px; padding: 3px 8px;"
C = colours.colour
STRIP = ("reserve", "planned", "started", "completed", "accepted")
COLUMNS = ("日期", "节点", "文号/证号", "原因/备注", "记录在")
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class StatusStrip(QWidget):
    """储备 › 计划 › 已开工 › 已完工 › 已验收, the reached stages filled, the current one stressed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.labels: dict[str, QLabel] = {}
        self.status = ""
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for i, code in enumerate((*STRIP, "withdrawn")):
            if 0 < i < len(STRIP):
                arrow = QLabel("›")
                arrow.setStyleSheet(colours.text_style("faint"))
                row.addWidget(arrow)
            label = QLabel(STATUS_LABELS[code])
            label.setObjectName(f"stage_{code}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumWidth(64)
            self.labels[code] = label
            row.addWidget(label)
        row.addStretch(1)
        self.set_status("")

    def colours_changed(self) -> None:
        """The pills' colours are made here, not by colours.style: re-made on a dark/light switch."""
        self.set_status(self.status)

    def set_status(self, status: str) -> None:
        self.status = status
        reached = STRIP.index(status) if status in STRIP else -1
        for code, label in self.labels.items():
            if code == "withdrawn":
                label.setVisible(status == "withdrawn")
                style = f"background: {C('step_done_bg')}; color: {C('step_on_dark')}; {PILL}"
            elif code == status:
                style = f"background: {C('step_current_bg')}; color: {C('step_on_dark')}; font-weight: bold; {PILL}"
            elif 0 <= STRIP.index(code) < reached:
                style = f"background: {C('step_next_bg')}; color: {C('step_next_text')}; {PILL}"
            else:
                style = f"background: {C('step_future_bg')}; color: {C('faint')}; {PILL}"
            label.setStyleSheet(style)


class TimelineTab(QWidget):
    status_shown = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.community_id = ""
        self.entries: list[milestones.TimelineEntry] = []
        self.strip = StatusStrip()
        self.tree = QTreeWidget()
        self.tree.setObjectName("timeline")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 0; }")
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        for c in (0, 1, 2, 4):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.add_button = push_button(
            "添加节点…", "add_milestone", "记录一个已发生的节点（如开工、完工），状态随之更新"
        )
        self.remove_button = push_button("删除节点", "remove_milestone", "删除选中的节点（可撤销）")
        self.add_button.clicked.connect(self.add_milestone)
        self.remove_button.clicked.connect(self.remove_selected)
        self.tree.itemSelectionChanged.connect(self._enable)
        self.message = message_label("timeline_message")
        bar = QHBoxLayout()
        bar.addWidget(self.strip, 1)
        bar.addWidget(self.add_button)
        bar.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        self._enable()

    def set_community(self, community_id: str, status: str = "") -> None:
        if community_id != self.community_id:
            set_message(self.message, "")
        self.community_id = community_id
        self.entries = self.ctx.read(lambda s: milestones.timeline(s, community_id)) if community_id else []
        self.strip.set_status(status)
        self.tree.clear()
        for e in self.entries:
            note = "；".join(x for x in (e.reason, e.notes) if x)
            item = QTreeWidgetItem(
                [str(e.reached_on), e.label, e.document_no or "", note, "项目" if e.on_project else "小区"]
            )
            item.setData(0, ID_ROLE, e.id)
            if e.on_project:
                item.setToolTip(4, "记在所属项目上的节点，对项目的每个小区都有效")
            self.tree.addTopLevelItem(item)
        if not self.entries and community_id:
            item = QTreeWidgetItem(["", "尚未记录任何节点"])
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.tree.addTopLevelItem(item)
        self._enable()

    def labels(self) -> list[str]:
        return [e.label for e in self.entries]

    def _selected(self) -> milestones.TimelineEntry | None:
        items = self.tree.selectedItems()
        mid = items[0].data(0, ID_ROLE) if items else None
        return next((e for e in self.entries if e.id == mid), None)

    def _enable(self) -> None:
        self.add_button.setEnabled(bool(self.community_id))
        self.remove_button.setEnabled(self._selected() is not None)

    def add_milestone(self) -> MilestoneDialog | None:
        if not self.community_id:
            return None
        set_message(self.message, "")
        return open_dialog(MilestoneDialog(self.ctx, self.community_id, parent=self))

    def remove_selected(self) -> bool:
        entry = self._selected()
        if entry is None:
            return False
        if entry.on_project:
            set_message(self.message, "这是记在所属项目上的节点，请到“项目”页删除。")
            return False
        if not ask(self, "删除节点", f"删除 {entry.reached_on} 的“{entry.label}”节点吗？\n可以按 Ctrl+Z 撤销。"):
            return False
        try:
            remove_milestone(self.ctx, entry.id, entry.label, getattr(entry, "version", None))
        except OldcommError as exc:
            set_message(self.message, error_text(exc))
            return False
        set_message(self.message, "")
        return True
