"""居民诉求 tab: the register (overdue replies in red), registering a request and its reply, and per community
the topics raised and the satisfaction figure the assessment uses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget
from sqlalchemy import select

from oldcomm_desktop.core import catalogues, inspections
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.core.supervision import requests
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.dialogs.record_form import RecordDialog
from oldcomm_desktop.gui.list_page import EDIT_KEYS, RowActions, is_county, remembered_splitter, township_choices
from oldcomm_desktop.gui.supervision.common import combo
from oldcomm_desktop.gui.supervision.rows_table import RowsTable
from oldcomm_desktop.gui.widgets import push_button

COLUMNS = [
    ("township", "乡镇（街道）"),
    ("community", "小区"),
    ("topic", "诉求事项"),
    ("raised_by", "反映人"),
    ("channel_label", "渠道"),
    ("raised_on", "反映日期"),
    ("reply_deadline", "答复期限"),
    ("state_label", "状态"),
    ("replied_on", "答复日期"),
    ("satisfaction_label", "满意度"),
]
SHOWN = 1000  # the newest; older ones by state or township filter, or `oldcomm requests list`
ROLL_COLUMNS = [
    ("community", "小区"),
    ("requests", "诉求"),
    ("replied", "已答复"),
    ("overdue", "逾期未答复"),
    ("topics_text", "诉求事项"),
    ("satisfaction", "满意度（分）"),
]


class RequestsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.state = combo(list(requests.STATES.items()), everything="全部状态", name="request_state")
        self.township = combo(township_choices(ctx), everything="全部乡镇", name="request_township")
        self.township.setVisible(is_county(ctx))
        self.table = RowsTable(COLUMNS, alert=lambda r: r["state"] == "overdue")
        self.table.setObjectName("requests_table")
        self.row_actions = RowActions(self.table, self, self.table.current_id)
        reply = self.row_actions.add(
            "答复…", "request_reply_action", self.reply, shortcuts=EDIT_KEYS,
            enabled_when=lambda: not (self.table.current_row() or {}).get("reply"), tip="登记对这条诉求的答复（回车）",
        )
        self.add_button = push_button("登记诉求…", "request_add")
        self.add_button.clicked.connect(self.add)
        self.reply_button = self.row_actions.button(reply, "request_reply")
        bar = QHBoxLayout()
        bar.addWidget(self.state)
        bar.addWidget(self.township)
        bar.addStretch(1)
        bar.addWidget(self.add_button)
        bar.addWidget(self.reply_button)
        self.roll = RowsTable(ROLL_COLUMNS, id_key="community_id")
        self.roll.setObjectName("requests_roll_up")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel("<b>按小区汇总</b>（满意 100、基本满意 60、不满意 0 分的平均）"))
        lower_layout.addWidget(self.roll)
        split = remembered_splitter(ctx, "supervision_requests", [self.table, lower], sizes=(360, 220))
        self.more = QLabel(f"只显示最近的 {SHOWN} 条；可按状态或乡镇筛选，或用 oldcomm requests list 查看全部。")
        self.more.setObjectName("requests_more")
        self.more.setStyleSheet(colours.text_style("muted"))
        self.more.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.more)
        layout.addWidget(split, 1)
        self.state.currentIndexChanged.connect(lambda _i: self.refresh())
        self.township.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.current_changed.connect(self._enable)
        self.refresh()

    def refresh(self) -> None:
        township = self.township.currentData()
        state = self.state.currentData()
        found = self.ctx.read(lambda s: requests.rows(s, township=township, state=state, limit=SHOWN + 1))
        self.table.set_rows(found[:SHOWN])
        self.more.setVisible(len(found) > SHOWN)
        roll = self.ctx.read(lambda s: requests.roll_up(s, township=township))
        for r in roll:
            r["topics_text"] = "、".join(f"{t}×{n}" for t, n in r["topics"].items())
        self.roll.set_rows(roll)
        self._enable()

    def _enable(self, *_: object) -> None:
        self.row_actions.update()

    def make_add_dialog(self) -> RecordDialog:
        names = self.ctx.read(
            lambda s: list(
                s.execute(
                    select(Community.id, Community.name)
                    .where(Community.deleted_at.is_(None))
                    .order_by(Community.township_code, Community.name)
                ).all()
            )
        )

        today = inspections.today()
        days = int(
            self.ctx.read(lambda s: catalogues.get_setting(s, "request_reply_days", requests.DEFAULT_REPLY_DAYS))
        )

        def save(values: dict[str, Any], _confirm: bool) -> Any:
            return self.ctx.write(lambda s: requests.add(s, values).id, table="resident_request")

        dialog = RecordDialog(
            "登记居民诉求",
            list(requests.FIELDS.values()),
            save,
            values={"raised_on": today, "channel": "hotline", "reply_deadline": today + timedelta(days=days)},
            choices={"community_id": lambda: [(cid, name) for cid, name in names]},
            parent=self,
        )
        dialog.setObjectName("request_dialog")
        return dialog

    def add(self) -> None:
        if self.make_add_dialog().exec():
            self.refresh()

    def make_reply_dialog(self, request_id: str) -> RecordDialog:
        def save(values: dict[str, Any], _confirm: bool) -> Any:
            return self.ctx.write(
                lambda s: (
                    requests.reply(s, request_id, values["reply"], values["replied_on"], values["satisfaction"]).id
                )
            )

        return RecordDialog(
            "答复居民诉求",
            list(requests.REPLY_FIELDS.values()),
            save,
            values={"replied_on": inspections.today()},
            parent=self,
        )

    def reply(self) -> None:
        rid = self.table.current_id()
        if rid and self.make_reply_dialog(rid).exec():
            self.refresh()
            self.table.select_id(rid)
