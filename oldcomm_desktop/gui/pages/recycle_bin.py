"""回收站 page (a placeholder until its module is written)."""

from __future__ import annotations

from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.placeholder import PlaceholderPage


class RecycleBinPage(PlaceholderPage):
    def __init__(self, ctx: AppContext, parent=None):  # noqa: ANN001
        super().__init__(ctx, "回收站", "已删除的记录，可以恢复。", parent)
