"""The first-run dialog picks the unit from the national list (name or pinyin at each level), a county
registers its townships with codes, and a township missing from the list is added by hand (marked so)."""

from __future__ import annotations

from oldcomm_desktop.core import divisions, national_divisions, workspace
from oldcomm_desktop.gui.dialogs.first_run import FirstRunDialog
from oldcomm_desktop.storage.database import open_database


def _dialog(qtbot, tmp_path):
    db = open_database(tmp_path / "new.sqlite3")
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    return db, dialog


def _pick(dialog, *texts: str) -> None:
    for level, text in zip(("province", "city", "county", "township"), texts, strict=False):
        assert dialog.pickers[level].choose(text), f"{level}: nothing matches {text!r}"


def test_township_by_pinyin_at_every_level(qtbot, tmp_path) -> None:
    db, dialog = _dialog(qtbot, tmp_path)
    assert not dialog.pickers["city"].isEnabled()  # nothing to pick before the province
    _pick(dialog, "ah", "滁州", "lax", "xaz")
    assert dialog.chosen() == ("341122100000", "新安镇", False)
    assert "341122100000" in dialog.code_label.text()
    completer = dialog.pickers["township"].completer()
    completer.setCompletionPrefix("xa")  # what typing xa in the box offers
    assert completer.currentCompletion() == "新安镇"
    dialog.operator.setText("张三")
    dialog.try_accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    with db.session() as s:
        assert workspace.own_code(s) == "341122100000"
        assert divisions.name_of(s, "341122000000") == "来安县"  # the county's name from the list, not 本县
    db.close()


def test_a_county_registers_its_townships(qtbot, tmp_path) -> None:
    db, dialog = _dialog(qtbot, tmp_path)
    dialog.county.setChecked(True)
    assert not dialog.pickers["township"].isVisible()
    _pick(dialog, "安徽", "czs", "来安")
    dialog.operator.setText("李四")
    dialog.try_accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    with db.session() as s:
        assert workspace.mode(s) == workspace.COUNTY
        codes = [d.code for d in divisions.townships(s)]
    assert codes == [t.code for t in national_divisions.children("341122000000")]
    db.close()


def test_a_township_not_in_the_list_is_added_by_hand(qtbot, tmp_path) -> None:
    db, dialog = _dialog(qtbot, tmp_path)
    _pick(dialog, "安徽", "滁州", "来安")
    dialog.by_hand.setText("来安新城管委会")
    assert "手工添加" in dialog.code_label.text()
    dialog.operator.setText("王五")
    dialog.try_accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    with db.session() as s:
        code = workspace.own_code(s)
    assert code == "341122599000" and not national_divisions.listed(code)
    db.close()
