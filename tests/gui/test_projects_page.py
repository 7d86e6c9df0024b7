"""项目: create, edit and delete through undoable commands; the selected project's communities and money."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

import pytest
from overview_pages_fixtures import Navigations, ctx, listing_count, show  # noqa: F401
from PySide6.QtWidgets import QComboBox, QMessageBox
from typing_helpers import type_text

from oldcomm_desktop.core import overview, records
from oldcomm_desktop.core.model import Project
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.projects import ProjectsPage


@pytest.fixture
def page(qtbot, ctx: AppContext) -> ProjectsPage:
    return show(qtbot, ProjectsPage(ctx))


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Yes to every question; warnings recorded instead of shown."""
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: said.append(text))
    return said


def _select(page: ProjectsPage, project_id: str) -> None:
    model = page.table.model
    for row in range(model.rowCount()):
        if model.row_id(row) == project_id:
            page.table.view.selectRow(row)
            return
    raise AssertionError(f"{project_id} not shown")


def _project(ctx: AppContext, project_id: str) -> Project | None:
    def read(s):
        p = s.get(Project, project_id)
        return None if p is None or p.deleted_at is not None else p

    return ctx.read(read)


def test_create_edit_delete_and_undo(qtbot, page: ProjectsPage, ctx: AppContext, answers: list[str]) -> None:
    before = page.table.model.shown_count
    dialog = page.new_record()
    form = dialog.form
    type_text(qtbot, form.widgets["name"], "城关街道2026年老旧小区改造项目（十批）")
    township: QComboBox = form.widgets["township_code"]
    township.setCurrentIndex(township.findText("城关街道"))
    type_text(qtbot, form.widgets["plan_year"], "2026")
    type_text(qtbot, form.widgets["contractor"], "青禾县城建工程有限公司")
    assert dialog.try_save()
    created = dialog.result_value
    assert page.table.model.shown_count == before + 1
    assert _project(ctx, created.id).plan_year == 2026

    ctx.undo_stack.undo()
    assert page.table.model.shown_count == before and _project(ctx, created.id) is None
    ctx.undo_stack.redo()  # the same record comes back (ids stay stable)
    assert page.table.model.shown_count == before + 1 and _project(ctx, created.id) is not None

    _select(page, created.id)
    edit = page.edit_current()
    assert edit.form.widgets["plan_year"].text() == "2026"  # a year, not "2,026"
    edit.form.widgets["name"].clear()
    type_text(qtbot, edit.form.widgets["name"], "城关街道2026年老旧小区改造项目（补充）")
    assert edit.try_save()
    assert _project(ctx, created.id).name == "城关街道2026年老旧小区改造项目(补充)"
    ctx.undo_stack.undo()
    assert _project(ctx, created.id).name == "城关街道2026年老旧小区改造项目(十批)"
    ctx.undo_stack.redo()

    _select(page, created.id)
    assert page.delete_current()
    assert _project(ctx, created.id) is None and page.table.model.shown_count == before
    ctx.undo_stack.undo()
    assert _project(ctx, created.id) is not None and not answers


def test_a_project_with_communities_is_not_deleted(page: ProjectsPage, ctx: AppContext, answers: list[str]) -> None:
    page.table.select_first()
    project_id = page.table.current_id()
    assert listing_count(ctx, "communities", project=project_id) > 0
    assert not page.delete_current()
    assert answers and "还有小区" in answers[0]
    assert _project(ctx, project_id) is not None
    assert ctx.undo_stack.count() == 0


def test_required_fields_are_shown_beside_the_form(qtbot, page: ProjectsPage, ctx: AppContext) -> None:
    before = page.table.model.shown_count
    dialog = page.new_record()
    type_text(qtbot, dialog.form.widgets["contractor"], "某公司")
    assert not dialog.try_save()
    assert dialog.form.errors["name"].isVisibleTo(dialog) and "必须填写" in dialog.form.errors["name"].text()
    assert dialog.form.widgets["contractor"].text() == "某公司"  # what was typed stays
    assert page.table.model.shown_count == before and ctx.undo_stack.count() == 0
    dialog.reject()


def test_detail_shows_the_projects_communities_and_money(page: ProjectsPage, ctx: AppContext) -> None:
    page.table.select_first()
    project_id = page.table.current_id()
    detail = page.detail
    n = listing_count(ctx, "communities", project=project_id)
    assert detail.communities.rowCount() == n > 0
    assert detail.tabs.tabText(0) == f"所属小区（{n}）"
    money = ctx.read(lambda s: overview.project_money(s, project_id))
    assert money.communities == n
    tree = ctx.read(lambda s: overview.funding_tree(s, project_id=project_id))
    top = detail.money_tree.topLevelItem(0)
    assert top.text(0) == tree[0].name
    assert top.text(1).replace(",", "") == f"{tree[0].amounts['approved'] / 10000:.2f}"
    detail.scope.setCurrentIndex(detail.scope.findData("project"))
    assert detail.money_tree.topLevelItem(0).text(1) == "0.00"  # the demo records money per community
    name = ctx.read(lambda s: records.get(s, Project, project_id).name)
    assert name in detail.header.text()

    nav = Navigations(ctx)
    page.open_in_communities()
    assert nav.last == ("communities", {"project": project_id})
    first = detail.communities.row_mapping(0)
    detail.community_view.doubleClicked.emit(detail.communities.index(0, 0))
    assert nav.last == ("communities", {"search": first["name"], "community": str(first["id"])})


def test_filters_narrow_the_table(page: ProjectsPage, ctx: AppContext) -> None:
    year = ctx.read(overview.plan_years)[0]
    page.apply_filters({"year": year})
    assert page.table.model.shown_count == listing_count(ctx, "projects", year=year)
    code = page.table.filters["township"].itemData(1)
    page.apply_filters({"township": code})
    assert page.table.model.shown_count == listing_count(ctx, "projects", township=code)
    assert page.table.filters["year"].currentData() is None
