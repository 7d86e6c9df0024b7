"""概览 page (a placeholder until its module is written)."""

from __future__ import annotations

from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.placeholder import PlaceholderPage


class DashboardPage(PlaceholderPage):
    def __init__(self, ctx: AppContext, parent=None):  # noqa: ANN001
        super().__init__(
            ctx,
            "概览",
            "各状态小区数、户数、面积、投资完成情况，按乡镇的进度，按资金来源的投资，按类别的改造内容，逾期整改。",
            parent,
        )
