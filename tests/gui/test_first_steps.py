"""A fresh database opens on the four-step guide, not a dashboard of zeros; each step's button opens the
dialog that makes its record (with the only township chosen), and a step is ticked once done."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSettings

from oldcomm_desktop.core import communities, first_steps, milestones, projects
from oldcomm_desktop.core.lifecycle import MILESTONE_KINDS
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.first_steps import TICK, TODO
from oldcomm_desktop.gui.main_window import MainWindow

TOWNSHIP = "341122001000"
KIND = MILESTONE_KINDS[0].code


def _window(qtbot, sqlite_db, tmp_path) -> MainWindow:
    ctx = AppContext(sqlite_db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.go_to("dashboard")
    qtbot.waitUntil(lambda: not page.loading and page.data is not None, timeout=20000)
    return window


def test_a_fresh_database_opens_on_the_guide(qtbot, sqlite_db, tmp_path) -> None:
    window = _window(qtbot, sqlite_db, tmp_path)
    page = window.go_to("dashboard")
    assert page.guide.isVisible() and not page.figures.isVisible()
    assert [m.text() for m in page.guide.marks.values()] == [TODO] * 4
    assert [b.text() for b in page.guide.buttons.values()] == [
        "1. 新建项目",
        "2. 新建小区",
        "3. 添加节点",
        "4. 记录检查",
    ]
    assert page.guide.buttons["project"].isDefault()

    page.guide.buttons["project"].click()
    assert window.current_page() is window.page("projects")
    dialog = window.page("projects").dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.form.widgets["township_code"].currentData() == TOWNSHIP  # the only township, chosen
    dialog.reject()

    window.go_to("dashboard")
    page.guide.buttons["community"].click()
    assert window.current_page() is window.page("communities")
    dialog = window.page("communities").dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.form.widgets["township_code"].currentData() == TOWNSHIP
    dialog.reject()


def test_steps_tick_as_the_ledger_fills(qtbot, sqlite_db, tmp_path) -> None:
    with sqlite_db.transaction("测试员") as s:
        project = projects.create(s, {"name": "2025年城关老旧小区改造", "plan_year": 2025})
        community = communities.create(s, {"name": "幸福里小区", "project_id": project.id})
        milestones.add(s, community, {"kind": KIND, "reached_on": date(2025, 1, 10)})
    with sqlite_db.session() as s:
        assert [st.done for st in first_steps.progress(s)] == [True, True, True, False]
    window = _window(qtbot, sqlite_db, tmp_path)
    page = window.go_to("dashboard")
    assert page.guide.isVisible() and page.figures.isVisible()
    assert [m.text() for m in page.guide.marks.values()] == [TICK, TICK, TICK, TODO]
    assert page.guide.buttons["inspection"].isDefault()
    page.guide.buttons["milestone"].click()  # opens the milestone dialog of the first community
    communities_page = window.page("communities")
    assert communities_page.detail.community_id == community.id
    assert communities_page.detail.tabs.currentWidget() is communities_page.detail.timeline
