"""督办 tab: the county's orders, one row per township (and project) addressed, with what each may do next.

The county issues, confirms and sends back; a township answers its own. In county mode an answer that
arrived on paper is recorded here too (登记答复). Buttons follow the state machine of `core.supervision.orders`
(a button for a step the state does not allow is disabled, and the core refuses it anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from oldcomm_desktop.core import divisions, inspections
from oldcomm_desktop.core.fields import Field
from oldcomm_desktop.core.model import Project
from oldcomm_desktop.core.supervision import order_files, orders
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.dialogs.record_form import RecordDialog
from oldcomm_desktop.gui.list_page import EDIT_KEYS, RowActions, is_county, remembered_splitter, township_choices
from oldcomm_desktop.gui.supervision.common import attempt, combo
from oldcomm_desktop.gui.supervision.rows_table import RowsTable
from oldcomm_desktop.gui.widgets import ask, push_button

COLUMNS = [
    ("number", "文号"),
    ("type_label", "类型"),
    ("township", "乡镇（街道）"),
    ("project", "项目"),
    ("state_shown", "状态"),
    ("deadline", "办理期限"),
    ("answered_on", "办理日期"),
    ("problem", "存在问题"),
]
ALL_TOWNSHIPS = "*"


class OrdersTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.county = is_county(ctx)
        self.state = combo([*orders.STATES.items(), ("overdue", "已逾期")], everything="全部状态", name="order_state")
        self.township = combo(township_choices(ctx), everything="全部乡镇", name="order_township")
        self.township.setVisible(self.county)
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(self.state)
        bar.addWidget(self.township)
        bar.addStretch(1)
        self.table = RowsTable(COLUMNS, alert=lambda r: r["overdue"])
        self.table.setObjectName("orders_table")
        # what a selected order allows (orders.ALLOWED by state) is a row action: button, context menu, 编辑 menu
        self.row_actions = RowActions(self.table, self, self.table.current_id)
        row_actions = {
            "start": ("开始处理", self.start, EDIT_KEYS),
            "answer": ("登记答复…" if self.county else "答复…", self.answer, ()),
            "confirm": ("确认办结", self.confirm, ()),
            "send_back": ("退回…", self.send_back, ()),
        }
        for key, text in (
            ("issue", "下达督办…"),
            ("start", ""),
            ("answer", ""),
            ("confirm", ""),
            ("send_back", ""),
            ("attach", ""),
            ("import_file", "导入文件…"),
            ("export_file", "导出文件…"),
        ):
            if key in row_actions:
                label, slot, shortcuts = row_actions[key]
                action = self.row_actions.add(
                    label, f"order_{key}_action", slot, shortcuts=shortcuts, enabled_when=self._allows(key)
                )
                b = self.row_actions.button(action, f"order_{key}")
            elif key == "attach":
                self.row_actions.separator()
                action = self.row_actions.add("附件…", "order_attach_action", self.attach)
                b = self.row_actions.button(action, "order_attach")
            else:
                b = push_button(text, f"order_{key}")
            bar.addWidget(b)
            self.buttons[key] = b
        for key in ("issue", "confirm", "send_back"):  # the county's steps
            self.buttons[key].setVisible(self.county)
        for action in self.row_actions.actions():
            if action.objectName() in ("order_confirm_action", "order_send_back_action"):
                action.setVisible(self.county)
        self.buttons["issue"].clicked.connect(self.issue)
        self.buttons["import_file"].clicked.connect(self.import_file)
        self.buttons["export_file"].clicked.connect(self.export_file)
        for key, tip in (
            ("import_file", "县级：导入乡镇的答复文件；乡镇：导入县里的督办下发文件"),
            ("export_file", "县级：导出督办下发文件；乡镇：导出答复文件（在同步功能之前用文件传递）"),
        ):
            self.buttons[key].setToolTip(tip)
        self.detail = QTextBrowser()
        self.detail.setObjectName("order_detail")
        self.detail.setOpenExternalLinks(True)
        split = remembered_splitter(ctx, "supervision_orders", [self.table, self.detail], sizes=(380, 220))
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.state.currentIndexChanged.connect(lambda _i: self.refresh())
        self.township.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.current_changed.connect(self.show_detail)
        self.refresh()

    def _allows(self, action: str) -> Callable[[], bool]:
        def allowed() -> bool:
            row = self.table.current_row()
            return bool(row) and row["state"] in orders.ALLOWED.get(action, ())

        return allowed

    # -- reading ----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        rows = self.ctx.read(
            lambda s: orders.rows(s, township=self.township.currentData(), state=self.state.currentData())
        )
        for r in rows:
            r["state_shown"] = r["state_label"] + ("（逾期）" if r["overdue"] else "")
            if r["answered_at_county"] and r["state"] in ("done", "confirmed"):
                r["state_shown"] += " · 纸质"
        self.table.set_rows(rows)
        self.show_detail(self.table.current_id())

    def show_detail(self, target_id: str) -> None:
        self.row_actions.update()
        if not target_id:
            self.detail.setHtml(colours.span("muted", "选择一条督办查看详情和办理经过。"))
            return
        d = self.ctx.read(lambda s: orders.detail(s, target_id))
        parts = [
            f"<b>{escape(d['number'])}</b>　{escape(d['type_label'])}　{escape(d['township'] or '')}"
            + (f"　{escape(d['project'])}" if d["project"] else ""),
            f"存在问题：{escape(d['problem'])}",
            f"办理要求：{escape(d['requirement'])}",
            f"下达：{d['issued_on']}　期限：<b>{d['deadline']}</b>　"
            f"督办部门：{escape(d['department'] or '')}　联系人：{escape(d['contact'] or '')}",
        ]
        if d["answer"]:
            parts.append(f"办理情况（{d['answered_on']}）：{escape(d['answer'])}")
        if d["opinion"]:
            parts.append(colours.span("alert", f"退回意见：{escape(d['opinion'])}"))
        steps = "".join(
            f"<li>{h['on']}　{escape(h['action_label'])}　→ {escape(h['state_after'])}"
            + (f"：{escape(h['text'])}" if h["text"] else "")
            + "</li>"
            for h in d["history"]
        )
        parts.append(f"办理经过：<ul style='margin:0'>{steps}</ul>")
        for label, files in (("督办附件", d["order_files"]), ("办理附件", d["answer_files"])):
            if files:
                links = "、".join(f"<a href='{f['path'].as_uri()}'>{escape(f['file_name'])}</a>" for f in files)
                parts.append(f"{label}：{links}")
        self.detail.setHtml("<br>".join(parts))

    # -- writing ----------------------------------------------------------------------------------------
    def _done(self, target_id: str | None = None) -> None:
        self.refresh()
        if target_id:
            self.table.select_id(target_id)

    def make_issue_dialog(self) -> RecordDialog:
        choices = [(ALL_TOWNSHIPS, "（全部乡镇）"), *township_choices(self.ctx)]
        projects = self.ctx.read(
            lambda s: [
                (pid, f"{divisions.name_of(s, t)} · {name}")
                for pid, name, t in s.execute(
                    select(Project.id, Project.name, Project.township_code)
                    .where(Project.deleted_at.is_(None))
                    .order_by(Project.township_code, Project.name)
                )
            ]
        )
        fields = [
            orders.FIELDS["order_type"],
            Field("township_code", "督办对象", required=True),
            Field("project_id", "涉及项目"),
            orders.FIELDS["problem"],
            orders.FIELDS["requirement"],
            orders.FIELDS["issued_on"],
            orders.FIELDS["deadline"],
            orders.FIELDS["department"],
            orders.FIELDS["contact"],
        ]
        today = inspections.today()
        default_department = self.ctx.read(orders.departments)

        def save(values: dict[str, Any], _confirm: bool) -> Any:
            code, project = values.pop("township_code"), values.pop("project_id")
            if code == ALL_TOWNSHIPS:
                targets = [{"township_code": c} for c, _ in township_choices(self.ctx)]
            else:
                targets = [{"township_code": code, "project_id": project}]
            return self.ctx.write(lambda s: orders.issue(s, values, targets).id, table="supervision_order")

        dialog = RecordDialog(
            "下达督办",
            fields,
            save,
            values={"order_type": "order", "issued_on": today, "department": default_department},
            choices={"township_code": lambda: choices, "project_id": lambda: projects},
            parent=self,
        )
        dialog.setObjectName("issue_dialog")
        return dialog

    def issue(self) -> None:
        if self.make_issue_dialog().exec():
            self._done()

    def start(self) -> None:
        tid = self.table.current_id()
        if tid and attempt(self, "无法开始处理", lambda: self.ctx.write(lambda s: orders.start(s, tid).id)):
            self._done(tid)

    def make_answer_dialog(self, target_id: str) -> RecordDialog:
        def save(values: dict[str, Any], _confirm: bool) -> Any:
            return self.ctx.write(
                lambda s: orders.answer(s, target_id, values["answer"], values["answered_on"]).id,
                table="order_target",
            )

        title = "登记答复（纸质或报送件）" if self.county else "答复督办"
        return RecordDialog(
            title, list(orders.ANSWER_FIELDS.values()), save, values={"answered_on": inspections.today()}, parent=self
        )

    def answer(self) -> None:
        tid = self.table.current_id()
        if tid and self.make_answer_dialog(tid).exec():
            self._done(tid)

    def confirm(self) -> None:
        row = self.table.current_row()
        if not row:
            return
        if ask(self, "确认办结", f"确认 {row['number']}（{row['township']}）已办结？") and attempt(
            self, "无法确认", lambda: self.ctx.write(lambda s: orders.confirm(s, row["id"]).id)
        ):
            self._done(row["id"])

    def make_send_back_dialog(self, target_id: str) -> RecordDialog:
        def save(values: dict[str, Any], _confirm: bool) -> Any:
            return self.ctx.write(lambda s: orders.send_back(s, target_id, values["text"], values["on"]).id)

        return RecordDialog(
            "退回重办", list(orders.OPINION_FIELDS.values()), save, values={"on": inspections.today()}, parent=self
        )

    def attach(self) -> None:
        """Files for the selected target's answer; at the county, for the order itself until it is answered."""
        row = self.table.current_row()
        if not row:
            return
        tid, to_order = row["id"], self.county and not row["answer"]  # at the county: a paper reply's scan
        paths, _ = QFileDialog.getOpenFileNames(self, "添加附件", "", "所有文件 (*)")
        if paths and attempt(
            self,
            "无法添加附件",
            lambda: self.ctx.write(lambda s: orders.attach(s, tid, [Path(p) for p in paths], to_order=to_order)) or 1,
        ):
            self._done(tid)

    def export_file(self) -> None:
        kind = "督办下发" if self.county else "督办答复"
        path, _ = QFileDialog.getSaveFileName(self, f"导出{kind}文件", f"{kind}.json", "督办文件 (*.json)")
        if not path:
            return
        write = order_files.write_orders if self.county else order_files.write_answers
        township = self.township.currentData() if self.county else None
        n = attempt(
            self,
            "无法导出",
            lambda: self.ctx.read(
                lambda s: write(s, Path(path), township=township) if self.county else write(s, Path(path))
            ),
        )
        if n is not None:
            QMessageBox.information(self, "已导出", f"已导出 {n} 条到 {path}")

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入督办文件", "", "督办文件 (*.json)")
        if not path:
            return
        read = order_files.read_answers if self.county else order_files.read_orders
        result = attempt(self, "无法导入", lambda: self.ctx.write(lambda s: read(s, Path(path)), table="order_target"))
        if result is None:
            return
        if isinstance(result, dict):
            text = f"新督办 {result['new']} 条，县里确认 {result['confirmed']} 条，退回 {result['sent_back']} 条"
        else:
            text = f"导入答复 {result} 条"
        QMessageBox.information(self, "已导入", text)
        self._done()

    def send_back(self) -> None:
        tid = self.table.current_id()
        if tid and self.make_send_back_dialog(tid).exec():
            self._done(tid)
