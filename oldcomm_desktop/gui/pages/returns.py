"""报表 page (a placeholder until its module is written)."""

from __future__ import annotations

from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.placeholder import PlaceholderPage


class ReturnsPage(PlaceholderPage):
    def __init__(self, ctx: AppContext, parent=None):  # noqa: ANN001
        super().__init__(
            ctx, "报表", "月度进度报表（按县里规定的固定格式生成 Excel）、审核与退回——在后续版本中提供。", parent
        )
