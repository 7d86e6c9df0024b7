"""County mode: one row per township — its last package, its key (fingerprint, trusted?), conflicts, what is missing."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTableWidget, QVBoxLayout, QWidget

from oldcomm_desktop.core.sync import status
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.packages.dialogs import fill_table, local_time

HEADERS = ["乡镇（街道）", "代码", "公钥", "公钥指纹", "最近数据包", "最近导入", "最近下发", "待处理冲突", "缺少"]


class TownshipsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.table = QTableWidget()
        self.table.setObjectName("townships_table")
        self.table.verticalHeader().hide()
        self.rows: list[dict] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("各乡镇（街道）的数据包："))
        layout.addWidget(self.table)
        self.reload()

    def reload(self) -> None:
        self.rows = self.ctx.read(status.townships)
        fill_table(
            self.table,
            HEADERS,
            [
                [
                    r["name"],
                    r["code"],
                    "已登记" if r["trusted"] else "未登记",
                    r["fingerprint"],
                    local_time(r["last_package_at"]) or "无",
                    local_time(r["last_import_at"]),
                    local_time(r["last_export_at"]),
                    r["open_conflicts"],
                    r["missing"],
                ]
                for r in self.rows
            ],
        )
