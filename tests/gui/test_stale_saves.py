"""Every save carries the version the clerk loaded: a colleague's change in between is never overwritten.

A stale save shows who changed the record and when, keeps the dialog open with what was typed, and
重新载入 shows the colleague's values with the clerk's changes on top; an undo of a record changed since is
refused (issue 14, "Lost update")."""

# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here

from __future__ import annotations

import pytest
from community_fixtures import ctx, open_rectifications, page, select_by_name  # noqa: F401 - fixtures
from PySide6.QtWidgets import QMessageBox
from typing_helpers import type_text

from oldcomm_desktop.core import communities, editable_settings, funding, inspections, items, projects
from oldcomm_desktop.core.errors import StaleRecord
from oldcomm_desktop.gui import stale


def _colleague(ctx, fn) -> None:
    """李四 saves through another session (another window, another PC on the shared server)."""
    with ctx.db.transaction("李四") as s:
        fn(s)


def _set_text(widget, text: str) -> None:  # a QLineEdit or a QPlainTextEdit
    (widget.setPlainText if hasattr(widget, "setPlainText") else widget.setText)(text)


def _text(widget) -> str:
    return widget.toPlainText() if hasattr(widget, "toPlainText") else widget.text()


@pytest.fixture
def asked(monkeypatch) -> list:
    """Answers the stale message with 重新载入 (or 继续编辑 once `asked.append(False)`), recording the text."""
    answers: list = []

    def ask(_parent, exc, *, can_reload=True):
        answers.append(str(exc))
        return not any(a is False for a in answers)

    monkeypatch.setattr(stale, "ask_reload", ask)
    return answers


def test_community_form_stale_save_names_colleague_and_reload_keeps_typing(qtbot, page, ctx, asked) -> None:
    cid = select_by_name(qtbot, page, "幸福里小区")
    dialog = page.edit_current()
    qtbot.waitUntil(dialog.isVisible)
    _colleague(ctx, lambda s: communities.update(s, cid, {"address": "同事改的地址 8 号"}))
    field = dialog.form.widgets["households"]
    field.selectAll()
    type_text(qtbot, field, "321")
    assert not dialog.try_save()
    assert dialog.isVisible(), "the dialog stays open"
    assert asked and "李四" in asked[0] and "修改过" in asked[0]
    assert ctx.read(lambda s: communities.get(s, cid).households) != 321, "nothing was saved"
    # 重新载入: the colleague's address is shown, the clerk's households are still there
    assert field.text() in ("321", "321")
    assert dialog.form.widgets["address"].text() == "同事改的地址 8 号"
    assert "重新载入" in dialog.message.text() and "李四" in dialog.message.text()
    assert dialog.try_save()
    c = ctx.read(lambda s: communities.get(s, cid))
    assert c.households == 321 and c.address == "同事改的地址 8 号", "neither change is lost"


def test_keep_editing_leaves_everything_typed(qtbot, page, ctx, asked) -> None:
    cid = select_by_name(qtbot, page, "幸福里小区")
    dialog = page.edit_current()
    qtbot.waitUntil(dialog.isVisible)
    _colleague(ctx, lambda s: communities.update(s, cid, {"address": "别处"}))
    asked.append(False)  # 继续编辑
    type_text(qtbot, dialog.form.widgets["name"], "（改）")
    assert not dialog.try_save()
    assert dialog.isVisible()
    assert dialog.form.widgets["name"].text().endswith("（改）")
    assert "李四" in dialog.message.text() and "没有丢失" in dialog.message.text()


def test_undo_of_a_record_changed_since_is_refused(qtbot, page, ctx, monkeypatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a, **k: warnings.append(title + text))
    cid = select_by_name(qtbot, page, "幸福里小区")
    dialog = page.edit_current()
    qtbot.waitUntil(dialog.isVisible)
    field = dialog.form.widgets["households"]
    field.selectAll()
    type_text(qtbot, field, "555\n")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    _colleague(ctx, lambda s: communities.update(s, cid, {"households": 777}))
    ctx.undo_stack.undo()
    assert ctx.read(lambda s: communities.get(s, cid).households) == 777, "the colleague's value stays"
    assert warnings and "无法撤销" in warnings[0] and "李四" in warnings[0]
    assert ctx.undo_stack.count() == 0, "the refused step left the undo list"


def test_project_form_carries_its_version(qtbot, ctx, asked) -> None:
    from oldcomm_desktop.gui.pages.projects import ProjectsPage

    p = ProjectsPage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.activate()
    pid = p.table.current_id()
    dialog = p.edit_dialog(pid)
    _colleague(ctx, lambda s: projects.update(s, pid, {"contractor": "同事施工队"}))
    type_text(qtbot, dialog.form.widgets["name"], "二期")
    assert not dialog.try_save()
    assert asked and "李四" in asked[0]
    assert dialog.form.widgets["contractor"].text() == "同事施工队"
    assert dialog.form.widgets["name"].text().endswith("二期")
    assert dialog.try_save()
    saved = ctx.read(lambda s: projects.records.get(s, projects.Project, pid))
    assert saved.contractor == "同事施工队" and saved.name.endswith("二期")


def test_item_dialog_and_delete_from_a_stale_row(qtbot, page, ctx, asked, monkeypatch) -> None:
    from oldcomm_desktop.gui.community.record_dialogs import ItemDialog
    from oldcomm_desktop.gui.pages.items import ItemsPage

    ip = ItemsPage(ctx)
    qtbot.addWidget(ip)
    ip.show()
    ip.table.select_first()
    row = ip.table.current_row()
    iid = str(row["id"])
    dialog = ItemDialog(ctx, str(row["community_id"]), iid)
    _colleague(ctx, lambda s: items.update(s, iid, {"description": "同事写的具体内容"}, confirm=True))
    _set_text(dialog.form.widgets["notes"], "我的备注")
    assert not dialog.try_save()
    assert asked and "李四" in asked[0]
    assert dialog.form.widgets["description"].text() == "同事写的具体内容"
    assert _text(dialog.form.widgets["notes"]) == "我的备注"
    # the table still shows the row as it was before the colleague's save: deleting it is refused too
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a, **k: shown.append(text))
    ip.table.model.refresh = lambda: None  # keep the stale row (as a slow refresh would)
    assert not ip.delete_current()
    assert shown and "李四" in shown[0]
    assert ctx.read(lambda s: items.records.get(s, items.RenovationItem, iid)).deleted_at is None


def test_funding_table_refuses_a_stale_save_and_keeps_the_grid(qtbot, page, ctx, asked) -> None:
    from oldcomm_desktop.gui.community.funding_dialog import FundingDialog

    cid = select_by_name(qtbot, page, "幸福里小区")
    dialog = FundingDialog(ctx, cid)
    lines = ctx.read(lambda s: funding.lines_of(s, cid))
    code = next(iter(lines))
    changed = {k: dict(v) for k, v in lines.items()}
    changed[code]["source_note"] = "同事的说明"
    _colleague(ctx, lambda s: funding.set_lines(s, communities.get(s, cid), changed))
    dialog.set_cell(code, "source_note", "我的说明")
    assert not dialog.try_save()
    assert asked and "李四" in asked[0]
    assert dialog.table.item(dialog.row_of(code), len(funding.MEASURES) + 1).text() == "我的说明"


def test_reply_to_a_rectification_changed_since(qtbot, ctx, asked) -> None:
    from oldcomm_desktop.core import listings
    from oldcomm_desktop.gui.inspection.followup_dialogs import reply_dialog

    open_rectifications(ctx, 1)  # the demo's only rectification is closed
    rows = ctx.read(lambda s: listings.page(s, "rectifications", listings.ListQuery(), 0, 500))
    rid = next(str(r["id"]) for r in rows if inspections.row_state(r) != "closed")
    dialog = reply_dialog(ctx, rid)
    _colleague(ctx, lambda s: inspections.reply(s, rid, "同事回复已整改", inspections.today()))
    _set_text(dialog.form.widgets["reply"], "我的回复已更换")
    assert not dialog.try_save()
    assert asked and "李四" in asked[0]
    assert ctx.read(lambda s: inspections.rectification_detail(s, rid))["reply"] == "同事回复已整改"
    assert _text(dialog.form.widgets["reply"]) == "我的回复已更换", "the clerk's reply stays to re-apply"
    assert dialog.try_save()
    assert ctx.read(lambda s: inspections.rectification_detail(s, rid))["reply"] == "我的回复已更换"


def test_settings_rules_stale_save(qtbot, ctx, asked) -> None:
    from oldcomm_desktop.gui.pages.settings import SettingsPage

    sp = SettingsPage(ctx)
    qtbot.addWidget(sp)
    current = ctx.read(editable_settings.current)
    ints = [k for k, v in current.items() if isinstance(v, int) and not isinstance(v, bool)]
    mine, theirs = ints[0], ints[1]
    _colleague(ctx, lambda s: editable_settings.update(s, {theirs: str(current[theirs])}))
    _set_text(sp.rules_form.widgets[mine], str(current[mine] - 1))
    assert not sp.save_rules()
    assert asked and "修改过" in asked[0]  # settings are no record: the core names no one (yet)
    assert _text(sp.rules_form.widgets[mine]) == str(current[mine] - 1), "what the clerk typed stays"
    assert sp.save_rules()
    assert ctx.read(editable_settings.current)[mine] == current[mine] - 1
    assert StaleRecord.__name__ not in sp.rules_message.text()
