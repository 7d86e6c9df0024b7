"""检查计划 tab of the 检查整改 page: the schedules, and each occurrence still to do or missed this year.

A missed occurrence (no inspection of the kind in its month, or week while under construction) is red
and counts on the dashboard beside overdue rectifications. The tab reads when shown (not when the
检查整改 page is built), so opening that page costs nothing extra.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import select

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.model import ChecklistTemplate, Community
from oldcomm_desktop.core.supervision import schedules
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.dialogs.record_form import RecordDialog
from oldcomm_desktop.gui.list_page import DELETE_KEYS, RowActions, is_county, remembered_splitter, township_choices
from oldcomm_desktop.gui.supervision.common import attempt, combo
from oldcomm_desktop.gui.supervision.rows_table import RowsTable
from oldcomm_desktop.gui.widgets import ask

COLUMNS = [
    ("township", "乡镇（街道）"),
    ("community", "小区"),
    ("kind_label", "检查类型"),
    ("frequency_label", "频次"),
    ("template", "检查表"),
    ("inspector", "检查人"),
    ("starts_on", "开始日期"),
    ("ends_on", "结束日期"),
    ("done_this_year", "本年已检"),
    ("missed_this_year", "本年漏检"),
    ("current_state_label", "本期"),
]
DUE_COLUMNS = [
    ("state_label", "状态"),
    ("township", "乡镇（街道）"),
    ("community", "小区"),
    ("kind_label", "检查类型"),
    ("window_start", "自"),
    ("window_end", "至"),
    ("inspector", "检查人"),
]
FORM_FIELDS = (
    "community_id",
    "township_code",
    "kind",
    "template_id",
    "frequency",
    "inspector",
    "starts_on",
    "ends_on",
    "notes",
)


class SchedulesTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.county = is_county(ctx)
        self.township = combo(township_choices(ctx), everything="全部乡镇", name="schedule_township")
        self.township.setVisible(self.county)
        add = QPushButton("添加检查计划…")
        add.setObjectName("schedule_add")
        add.clicked.connect(self.add)
        self.table = RowsTable(COLUMNS, alert=lambda r: r["current_state"] == "missed")
        self.table.setObjectName("schedules_table")
        self.row_actions = RowActions(self.table, self, self.table.current_id)
        delete = self.row_actions.add("删除计划", "schedule_delete_action", self.delete, shortcuts=DELETE_KEYS,
                                  tip="删除选中的检查计划（Delete）")
        self.delete_button = self.row_actions.button(delete, "schedule_delete")
        bar = QHBoxLayout()
        bar.addWidget(self.township)
        bar.addStretch(1)
        bar.addWidget(add)
        bar.addWidget(self.delete_button)
        self.due = RowsTable(DUE_COLUMNS, alert=lambda r: r["state"] == "missed", id_key="schedule_id")
        self.due.setObjectName("due_table")
        self.due_label = QLabel()
        self.due_label.setObjectName("due_label")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.due_label)
        lower_layout.addWidget(self.due)
        split = remembered_splitter(ctx, "supervision_schedules", [self.table, lower], sizes=(300, 300))
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.township.currentIndexChanged.connect(lambda _i: self.refresh())
        ctx.data_changed.connect(lambda _t: self.refresh() if self.isVisible() else None)

    def refresh(self) -> None:
        township = self.township.currentData()
        self.table.set_rows(self.ctx.read(lambda s: schedules.rows(s, township=township)))
        due = self.ctx.read(lambda s: schedules.due_rows(s, township=township))
        self.due.set_rows(due)
        missed = sum(r["state"] == "missed" for r in due)
        self.due_label.setText(
            f"<b>待检查 {len(due) - missed} 次</b>　"
            + (colours.span("alert", f"<b>本年漏检 {missed} 次</b>") if missed else "本年没有漏检")
        )
        self.row_actions.update()

    def showEvent(self, event: Any) -> None:  # Qt's name
        self.refresh()
        super().showEvent(event)

    def make_add_dialog(self) -> RecordDialog:
        def lookups(s: Any) -> tuple[list, list]:
            names = [
                (cid, n)
                for cid, n in s.execute(
                    select(Community.id, Community.name)
                    .where(Community.deleted_at.is_(None))
                    .order_by(Community.township_code, Community.name)
                )
            ]
            tmpls = [
                (tid, n)
                for tid, n in s.execute(
                    select(ChecklistTemplate.id, ChecklistTemplate.name)
                    .where(ChecklistTemplate.deleted_at.is_(None))
                    .order_by(ChecklistTemplate.code)
                )
            ]
            return names, tmpls

        names, tmpls = self.ctx.read(lookups)
        fields = [schedules.FIELDS[n] for n in FORM_FIELDS if self.county or n != "township_code"]

        def save(values: dict[str, Any], _confirm: bool) -> Any:
            return self.ctx.write(lambda s: schedules.add(s, values).id, table="inspection_schedule")

        dialog = RecordDialog(
            "添加检查计划",
            fields,
            save,
            values={
                "kind": "management",
                "frequency": "monthly",
                "starts_on": inspections.today().replace(day=1),
                "template_id": self.ctx.read(lambda s: schedules.default_template(s, "management")),
            },
            choices={
                "community_id": lambda: [("", "（全乡镇）"), *names],
                "township_code": lambda: township_choices(self.ctx),
                "template_id": lambda: tmpls,
            },
            parent=self,
        )
        dialog.setObjectName("schedule_dialog")
        return dialog

    def add(self) -> None:
        if self.make_add_dialog().exec():
            self.refresh()

    def delete(self) -> None:
        row = self.table.current_row()
        if not row:
            return
        if ask(self, "删除检查计划", f"删除 {row['community']} 的{row['kind_label']}计划？"):
            attempt(self, "无法删除", lambda: self.ctx.write(lambda s: schedules.delete(s, row["id"])))
            self.refresh()
