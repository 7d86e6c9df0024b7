"""项目: the projects of the annual plans, with the selected project's communities and money below.

The table is the core's "projects" listing (search, township and year filters, sorting in SQL). Below
it, the selected project's communities (the "communities" listing filtered by project) and its money:
the funding-source tree of what is recorded on the project, on its communities, or both. New, edit and
delete are undoable commands over `projects.create/update/delete/restore`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import divisions, overview, projects, records
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.funding import MEASURES
from oldcomm_desktop.core.lifecycle import STATUS_LABELS
from oldcomm_desktop.core.model import Project
from oldcomm_desktop.gui import colours, commands
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.dialogs.record_form import RecordDialog
from oldcomm_desktop.gui.list_page import (
    DELETE_KEYS,
    EDIT_KEYS,
    ListPage,
    RowActions,
    delete_record,
    is_county,
    township_choices,
)
from oldcomm_desktop.gui.listing_source import ListingSource
from oldcomm_desktop.gui.paged_model import Column, PagedTableModel, PageQuery, setup_table_view
from oldcomm_desktop.gui.record_table import RecordTable
from oldcomm_desktop.gui.widgets import fit, money_text, push_button

NO_PROJECT = "-"  # a project id no record has: the detail table shows nothing
MONEY_SCOPES = (
    ("all", "项目及所属小区合计"),
    ("project", "记在项目上的资金"),
    ("communities", "记在各小区上的资金合计"),
)


# -- the page --------------------------------------------------------------------------------------------
class ProjectsPage(ListPage):
    title = "项目"
    page_key = "projects"
    noun = "个项目"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.county = is_county(ctx)
        money = lambda v: money_text(v, ctx.money_unit, with_unit=False)  # noqa: E731 - read at paint time
        columns = [
            Column("name", "项目名称"),
            Column("township", "乡镇（街道）"),
            Column("plan_year", "计划年度", align="right"),
            Column("batch", "批次", sortable=False),
            Column("start_kind", "新开工/续建", sortable=False, formatter=lambda v: projects.START_KINDS.get(v, "")),
            Column("communities", "小区数", align="right", sortable=False),
            Column("total_investment", "总投资", align="right", formatter=money),
            Column("contractor", "施工单位", sortable=False),
        ]
        self.source = ListingSource(ctx, "projects", columns)
        self.set_table(
            RecordTable(ctx, self.source, "projects", search_hint="搜索：项目名称、施工单位或拼音首字母")
        )
        if ctx.settings.value(keys.table_state("projects")) is None:
            for col, width in ((0, 320), (1, 90), (2, 80), (3, 70), (4, 90), (5, 60), (6, 110)):
                self.table.view.horizontalHeader().resizeSection(col, width)
        if self.county:
            self.table.add_filter("township", "乡镇", lambda: township_choices(ctx))
        self.table.add_filter("year", "年度", lambda: [(y, f"{y} 年") for y in ctx.read(overview.plan_years)])

        acts = self.row_actions
        edit = acts.add("修改项目…", "edit_project_action", self.edit_current, shortcuts=EDIT_KEYS,
                        tip="修改选中的项目（双击或回车）")
        delete = acts.add("删除项目", "delete_project_action", self.delete_current, shortcuts=DELETE_KEYS,
                          tip="把选中的项目移入回收站（Delete；可撤销）")
        acts.separator()
        open_ = acts.add("在小区台账中查看", "open_communities_action", self.open_in_communities,
                         tip="到小区台账查看本项目的小区")
        parties = acts.add("参建单位…", "edit_parties_action", self.edit_parties,
                           tip="五方责任主体及项目负责人（质量终身责任制）")
        self.new_button = push_button("新建项目", "new_project", "新建一个项目（Ctrl+N）")
        self.new_button.clicked.connect(self.new_record)
        self.edit_button = acts.button(edit, "edit_project", "修改…")
        self.delete_button = acts.button(delete, "delete_project", "删除")
        self.open_button = acts.button(open_, "open_communities")
        self.parties_button = acts.button(parties, "edit_parties")
        self.unit_label = QLabel()
        self.unit_label.setStyleSheet(colours.text_style("muted"))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for b in (self.new_button, self.edit_button, self.delete_button, self.open_button, self.parties_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.unit_label)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.table, 1)
        self.detail = ProjectDetail(ctx)
        self.detail.community_activated.connect(self._open_community)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.split(top, self.detail, stretch=(1, 1)))

        self.table.current_changed.connect(self._current_changed)
        self.table.activated.connect(lambda _id: self.edit_current())
        ctx.data_changed.connect(lambda _t: self._current_changed(self.table.current_id()))
        ctx.money_unit_changed.connect(lambda _u: self._show_unit())
        self._show_unit()

    # -- Page ---------------------------------------------------------------------------------------
    def apply_filters(self, filters: dict) -> None:
        """{"township": code, "year": 2025, "search": text}; other filters are cleared."""
        for key, box in self.table.filters.items():
            blocked = box.blockSignals(True)
            box.setCurrentIndex(max(box.findData(filters.get(key)), 0) if key in filters else 0)
            box.blockSignals(blocked)
        self.table.search.setText(str(filters.get("search") or ""))
        self.table.search.returnPressed.emit()

    def _show_unit(self) -> None:
        self.unit_label.setText(f"金额单位：{self.ctx.money_unit}")
        self.table.view.viewport().update()

    def _current_changed(self, project_id: str) -> None:
        self.detail.show_project(project_id or None)

    # -- editing ------------------------------------------------------------------------------------
    def _choices(self) -> dict:
        choices = township_choices(self.ctx)
        return {"township_code": lambda: choices}

    def new_record(self) -> RecordDialog:
        return self.open(self.new_dialog())

    def new_dialog(self) -> RecordDialog:
        defaults: dict[str, Any] = {"money_split": True}
        box = self.table.filters.get("township")
        choices = township_choices(self.ctx)
        if box is not None and box.currentData():
            defaults["township_code"] = box.currentData()
        elif len(choices) == 1:
            defaults["township_code"] = choices[0][0]
        year = self.table.filters["year"].currentData()
        if year:
            defaults["plan_year"] = str(year)

        def save(values: dict, _confirm: bool) -> Any:
            return commands.create(
                self.ctx,
                f"新建项目“{values.get('name') or ''}”",
                lambda s: projects.create(s, values),
                projects.delete,
                projects.restore,
                table="project",
            )

        return fit(
            RecordDialog(
                "新建项目", list(projects.FIELDS.values()), save, values=defaults, choices=self._choices(), parent=self
            )
        )

    def _load(self, project_id: str) -> tuple[dict[str, Any], int]:
        """The project as the form shows it, and the version it was read at (the save carries it)."""

        def read(s):
            project = records.get(s, Project, project_id)
            return commands.snapshot(project, projects.FIELDS), project.version

        values, version = self.ctx.read(read)
        if values.get("plan_year") is not None:  # a year, not a number: RecordForm would show "2,025"
            values["plan_year"] = str(values["plan_year"])
        return values, version

    def edit_dialog(self, project_id: str) -> RecordDialog:
        values, version = self._load(project_id)
        name = values.get("name") or ""

        def save(changes: dict, confirm: bool) -> Any:
            return commands.edit(
                self.ctx,
                f"修改项目“{name}”",
                lambda s: records.get(s, Project, project_id),
                projects.update,
                project_id,
                changes,
                table="project",
                confirm=confirm,
                version=dialog.version,
            )

        dialog = RecordDialog(
            f"修改项目 — {name}",
            list(projects.FIELDS.values()),
            save,
            values=values,
            choices=self._choices(),
            only_changed=True,
            version=version,
            reload=lambda: self._load(project_id),
            parent=self,
        )
        return fit(dialog)

    def edit_current(self) -> RecordDialog | None:
        project_id = self.table.current_id()
        if not project_id:
            return None
        return self.open(self.edit_dialog(project_id))

    def edit_parties(self) -> QDialog | None:
        """The selected project's five responsible parties (质量终身责任制), in their own dialog."""
        from oldcomm_desktop.gui.dialogs.responsible_parties import PartiesDialog

        row = self.table.current_row()
        if not row:
            return None
        return self.open(PartiesDialog(self.ctx, str(row["id"]), row["name"], self))

    def delete_current(self) -> bool:
        row = self.table.current_row()
        if not row:
            return False
        name = row["name"]
        return delete_record(
            self,
            self.ctx,
            title="删除项目",
            question=f"把项目“{name}”移入回收站吗？\n（可以撤销，也可以在回收站中恢复）",
            undo_text=f"删除项目“{name}”",
            record_id=str(row["id"]),
            delete=projects.delete,
            restore=projects.restore,
            table="project",
            version=row.get("version"),
        )

    def open_in_communities(self) -> None:
        project_id = self.table.current_id()
        if project_id:
            self.ctx.navigate.emit("communities", {"project": project_id})

    def _open_community(self, row: dict) -> None:
        self.ctx.navigate.emit("communities", {"search": row.get("name") or "", "community": str(row["id"])})

    def sample_views(self) -> list[tuple[str, Any]]:
        """For scripts/render_pages.py: the money tab of the selected project."""
        return [("money", lambda: self.detail.tabs.setCurrentIndex(1))]

    def sample_dialogs(self) -> list[tuple[str, QDialog]]:
        """For scripts/render_pages.py: the new-project form and the edit form of the selected project."""
        out: list[tuple[str, QDialog]] = [("new", self.new_dialog())]
        if self.table.current_id():
            out.append(("edit", self.edit_dialog(self.table.current_id())))
        return out


class ProjectDetail(QWidget):
    """The selected project: a summary line, its communities, its money by funding source."""

    community_activated = Signal(dict)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: str | None = None
        self.header = QLabel()
        self.header.setObjectName("project_header")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)

        money = lambda v: money_text(v, ctx.money_unit, with_unit=False)  # noqa: E731
        self.community_source = ListingSource(
            ctx,
            "communities",
            [
                Column("name", "小区名称"),
                Column("status", "状态", formatter=lambda v: STATUS_LABELS.get(v, v or "")),
                Column("households", "户数", align="right"),
                Column(
                    "floor_area", "建筑面积（m²）", align="right", formatter=lambda v: "" if v is None else f"{v:,.2f}"
                ),
                Column("total_investment", "总投资", align="right", formatter=money),
                Column(
                    "progress_percent",
                    "形象进度",
                    align="right",
                    sortable=False,
                    formatter=lambda v: "" if v is None else f"{v}%",
                ),
            ],
            fixed_filters={"project": NO_PROJECT},
        )
        self.communities = PagedTableModel(self.community_source, self)
        self.community_view = QTableView()
        self.community_view.setObjectName("project_communities")
        setup_table_view(self.community_view, self.communities)
        self.community_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.community_view.setAlternatingRowColors(True)
        self.community_view.horizontalHeader().setStretchLastSection(True)
        self.community_view.horizontalHeader().resizeSection(0, 180)
        self.community_view.doubleClicked.connect(self._community_activated)
        self.row_actions = RowActions(self.community_view, self, self._current_community_id)
        self.row_actions.add(
            "在小区台账中查看", "open_project_community_action",
            lambda: self._community_activated(self.community_view.currentIndex()), shortcuts=EDIT_KEYS,
            tip="到小区台账查看选中的小区（双击或回车）",
        )

        self.scope = QComboBox()
        self.scope.setObjectName("money_scope")
        for key, label in MONEY_SCOPES:
            self.scope.addItem(label, key)
        self.scope.currentIndexChanged.connect(lambda _i: self._fill_money())
        self.money_summary = QLabel()
        self.money_summary.setObjectName("money_summary")
        self.money_summary.setWordWrap(True)
        self.money_tree = QTreeWidget()
        self.money_tree.setObjectName("money_tree")
        self.money_tree.setColumnCount(1 + len(MEASURES))
        self.money_tree.setHeaderLabels(["资金来源", *(label for label in MEASURES.values())])
        self.money_tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.money_tree.header().setStretchLastSection(False)
        for i in range(1, 1 + len(MEASURES)):
            self.money_tree.header().setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        money_box = QWidget()
        mv = QVBoxLayout(money_box)
        mv.setContentsMargins(4, 4, 4, 4)
        scope_row = QHBoxLayout()
        scope_row.addWidget(QLabel("口径："))
        scope_row.addWidget(self.scope)
        scope_row.addStretch(1)
        mv.addWidget(self.money_summary)
        mv.addLayout(scope_row)
        mv.addWidget(self.money_tree, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("project_tabs")
        self.tabs.addTab(self.community_view, "所属小区")
        self.tabs.addTab(money_box, "资金")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        ctx.money_unit_changed.connect(lambda _u: self._fill_money())
        self.show_project(None)

    def show_project(self, project_id: str | None) -> None:
        self.project_id = project_id
        self.community_source.fixed_filters = {"project": project_id or NO_PROJECT}
        self.communities.set_query(PageQuery())
        if project_id is None:
            self.header.setText(colours.span("muted", "选择一个项目，查看它的小区和资金。"))
            self.money = None
            self.tabs.setTabText(0, "所属小区")
            self._fill_money()
            return
        try:
            values, self.money = self.ctx.read(
                lambda s: (
                    commands.snapshot(records.get(s, Project, project_id), projects.FIELDS),
                    overview.project_money(s, project_id),
                )
            )
            township = self.ctx.read(lambda s: divisions.name_of(s, values["township_code"]))
        except OldcommError:  # deleted under us (undo, another window)
            self.show_project(None)
            return
        parts = [township]
        if values.get("plan_year"):
            parts.append(f"{values['plan_year']} 年")
        if values.get("batch"):
            parts.append(values["batch"])
        if values.get("start_kind"):
            parts.append(projects.START_KINDS.get(values["start_kind"], ""))
        units = [
            f"{label}：{values[k]}"
            for k, label in (
                ("builder", "建设单位"),
                ("contractor", "施工"),
                ("supervisor", "监理"),
                ("designer", "设计"),
            )
            if values.get(k)
        ]
        self.header.setText(
            f"<b style='font-size:15px'>{values['name']}</b>　{colours.span('secondary', ' · '.join(parts))}"
            + (f"<br>{colours.span('secondary', '　'.join(units))}" if units else "")
        )
        self.tabs.setTabText(0, f"所属小区（{self.money.communities}）")
        self._fill_money()

    def colours_changed(self) -> None:
        """Dark mode switched (colours.apply): the money tree's greyed sources in the new palette."""
        self._fill_money()

    def _fill_money(self) -> None:
        self.money_tree.clear()
        m = getattr(self, "money", None)
        if self.project_id is None or m is None:
            self.money_summary.setText("")
            return
        unit = self.ctx.money_unit
        mode = "资金分小区记录" if m.money_split else "资金记在项目上（汇总时按面积分摊到小区）"
        project_total = (
            money_text(m.project_total, unit)
            if m.project_total is not None
            else f"{money_text(m.communities_total, unit)}（未单独填写，为各小区合计）"
        )
        self.money_summary.setText(
            f"项目总投资 <b>{project_total}</b>；所属 {m.communities:,} 个小区总投资合计 "
            f"<b>{money_text(m.communities_total, unit)}</b>；累计完成投资 <b>{money_text(m.completed, unit)}</b>"
            f"（记在项目上 {money_text(m.completed_on_project, unit)}，记在小区上 "
            f"{money_text(m.completed_on_communities, unit)}）。{mode}。"
        )
        scope = self.scope.currentData()
        tree = self.ctx.read(lambda s: overview.funding_tree(s, project_id=self.project_id, of=scope))
        self.money_tree.setHeaderLabels(["资金来源", *(f"{label}（{unit}）" for label in MEASURES.values())])
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

        def add(node: overview.MoneyNode, parent: QTreeWidgetItem | QTreeWidget) -> None:
            item = QTreeWidgetItem(
                parent, [node.name, *(money_text(node.amounts[k], unit, with_unit=False) for k in MEASURES)]
            )
            for i in range(1, 1 + len(MEASURES)):
                item.setTextAlignment(i, right)
            if not any(node.amounts.values()):
                for i in range(1 + len(MEASURES)):
                    item.setForeground(i, colours.qcolor("faint"))
            for child in node.children:
                add(child, item)
            item.setExpanded(any(node.amounts.values()))

        for root in tree:
            add(root, self.money_tree)

    def _current_community_id(self) -> str:
        index = self.community_view.currentIndex()
        if not index.isValid() or not self.community_view.selectionModel().hasSelection():
            return ""
        row = self.communities.row_mapping(index.row())
        return str(row["id"]) if row else ""

    def _community_activated(self, index) -> None:
        if not index.isValid():
            return
        row = self.communities.row_mapping(index.row())
        if row:
            self.community_activated.emit(dict(row))
