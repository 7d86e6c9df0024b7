"""Money in the unit the clerk chose inside forms too: a form shows 元 amounts in 万元 (exactly, every fen
kept) with 万元 beside the field, takes what is typed in 万元 back to 元 exactly, and follows 元 when chosen."""

from __future__ import annotations

from decimal import Decimal

from community_fixtures import ctx, page, select_by_name  # noqa: F401 - fixtures
from typing_helpers import type_text

from oldcomm_desktop.core import communities
from oldcomm_desktop.core.model import Community, RenovationItem
from oldcomm_desktop.core.money import format_in_unit, parse_in_unit
from oldcomm_desktop.gui.community.record_dialogs import ItemDialog


def test_conversion_is_exact() -> None:
    assert format_in_unit(Decimal("30000000"), "万元") == "3,000.00"
    assert format_in_unit(Decimal("1234567.89"), "万元") == "123.456789"
    assert format_in_unit(Decimal("1234567.80"), "万元") == "123.45678"
    assert format_in_unit(Decimal("1234567.89"), "元") == "1,234,567.89"
    assert parse_in_unit("123.456789", "万元") == Decimal("1234567.89")
    assert parse_in_unit("１,２３４.５", "万元") == Decimal("12345000")
    assert parse_in_unit("abc", "万元") == "abc"  # the core names what is wrong with it
    assert parse_in_unit("12.5", "元") == "12.5"


def _unit_beside(form, name: str) -> str:
    """The unit label beside a money field (a community's form is several RecordForms in tabs)."""
    part = next(f for f in getattr(form, "forms", [form]) if name in f.widgets)
    return part.money_labels[name].text()


def test_community_form_in_wan_yuan_round_trips_exactly(qtbot, page, ctx) -> None:  # noqa: F811
    ctx.set_money_unit("万元")
    cid = select_by_name(qtbot, page, "幸福里小区")
    with ctx.db.transaction("测试员") as s:
        communities.update(s, cid, {"total_investment": "30000000"})
    dialog = page.edit_current()
    field = dialog.form.widgets["total_investment"]
    assert field.text() == "3,000.00" and _unit_beside(dialog.form, "total_investment") == "万元"
    assert dialog.form.values(only_changed=True) == {}  # shown in 万元, nothing changed
    field.clear()
    type_text(qtbot, field, "3123.456789")
    assert dialog.form.values(only_changed=True) == {"total_investment": Decimal("31234567.89")}
    dialog.reject()


def test_item_dialog_follows_the_chosen_unit(qtbot, page, ctx) -> None:  # noqa: F811
    cid = select_by_name(qtbot, page, "幸福里小区")
    item_id = ctx.read(
        lambda s: s.query(RenovationItem.id).filter(RenovationItem.community_id == cid).limit(1).scalar()
    )
    stored = ctx.read(lambda s: s.get(RenovationItem, item_id).investment)
    ctx.set_money_unit("元")
    dialog = ItemDialog(ctx, cid, item_id, parent=page)
    assert dialog.form.widgets["investment"].text() == format_in_unit(stored, "元")
    assert _unit_beside(dialog.form, "investment") == "元"
    dialog.reject()
    ctx.set_money_unit("万元")
    dialog = ItemDialog(ctx, cid, item_id, parent=page)
    assert dialog.form.widgets["investment"].text() == format_in_unit(stored, "万元")
    assert _unit_beside(dialog.form, "investment") == "万元"
    field = dialog.form.widgets["investment"]
    field.clear()
    type_text(qtbot, field, "1.2345")
    assert dialog.try_save(confirm=True)
    assert ctx.read(lambda s: s.get(RenovationItem, item_id).investment) == Decimal("12345.00")
    assert ctx.read(lambda s: s.get(Community, cid).name) == "幸福里小区"
