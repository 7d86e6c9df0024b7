"""项目 page (a placeholder until its module is written)."""

from __future__ import annotations

from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.placeholder import PlaceholderPage


class ProjectsPage(PlaceholderPage):
    def __init__(self, ctx: AppContext, parent=None):  # noqa: ANN001
        super().__init__(ctx, "项目", "年度计划中的项目及其小区和资金。", parent)
