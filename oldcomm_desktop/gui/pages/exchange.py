"""数据交换 page (a placeholder until its module is written)."""

from __future__ import annotations

from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.placeholder import PlaceholderPage


class ExchangePage(PlaceholderPage):
    def __init__(self, ctx: AppContext, parent=None):  # noqa: ANN001
        super().__init__(ctx, "数据交换", "导出/导入数据包、备份与恢复。", parent)
