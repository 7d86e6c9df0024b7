"""The community form: the core's ~40 community fields in five tabs, saved through undoable commands.

It is a RecordDialog (Enter saves, Esc cancels, the core's messages beside the fields, ConfirmationNeeded
asked) whose single long form is replaced by one RecordForm per section, so a clerk is not scrolling
through consent figures to fix a household count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QComboBox, QScrollArea, QTabWidget, QWidget

from oldcomm_desktop.core import communities
from oldcomm_desktop.core import community_detail as cd
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.gui import commands
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.dialogs.record_form import Choices, RecordDialog, RecordForm
from oldcomm_desktop.gui.list_page import township_choices

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "基本信息",
        (
            "name",
            "township_code",
            "project_id",
            "village_code",
            "address",
            "year_built",
            "buildings",
            "households",
            "floor_area",
            "contact_person",
            "contact_phone",
        ),
    ),
    (
        "改造计划",
        (
            "plan_year",
            "batch",
            "start_kind",
            "planned_start",
            "planned_completion",
            "total_investment",
            "progress_percent",
            "in_statistics",
            "statistics_code",
            "livelihood_project",
        ),
    ),
    (
        "意愿征询",
        (
            "consent_date",
            "consent_owners_total",
            "consent_owners_participating",
            "consent_owners_for",
            "consent_owners_against",
            "consent_area_total",
            "consent_area_participating",
            "consent_area_for",
            "consent_area_against",
            "satisfaction_percent",
        ),
    ),
    (
        "长效管理",
        (
            "management_mode",
            "owners_committee",
            "owners_committee_date",
            "maintenance_fund_collected",
            "maintenance_fund_topped_up",
            "property_fee",
        ),
    ),
    ("备注", ("notes",)),
)


YEAR_FIELDS = ("year_built", "plan_year")


class SectionedForm(QTabWidget):
    """Several RecordForms in tabs that answer like one (values, set_values, show_problems)."""

    def __init__(self, sections: Sequence[tuple[str, Sequence[str]]], spec: Mapping, choices: Mapping[str, Choices]):
        super().__init__()
        self.setObjectName("sections")
        self.forms: list[RecordForm] = []
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict = {}
        for title, names in sections:
            form = RecordForm([spec[n] for n in names], choices={k: v for k, v in choices.items() if k in names})
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(form)
            self.addTab(scroll, title)
            self.forms.append(form)
            self.widgets.update(form.widgets)
            self.errors.update(form.errors)

    def set_values(self, values: Mapping[str, Any]) -> None:
        for form in self.forms:
            form.set_values({k: v for k, v in values.items() if k in form.widgets})

    def raw_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for form in self.forms:
            out.update(form.raw_values())
        return out

    def values(self, *, only_changed: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for form in self.forms:
            out.update(form.values(only_changed=only_changed))
        return out

    def clear_problems(self) -> None:
        for form in self.forms:
            form.clear_problems()

    def show_problems(self, error: ValidationError) -> list[str]:
        """Each message under its field, on whichever tab; the first tab with a problem comes forward."""
        first = None
        for i, form in enumerate(self.forms):
            mine = [p for p in error.problems if p.field in form.widgets]
            if mine:
                if first is None:
                    first = i
                    self.setCurrentIndex(i)
                form.show_problems(ValidationError(mine))
            else:
                form.clear_problems()
        return [str(p) for p in error.problems if p.field not in self.widgets]


ADD_VILLAGE = "__add_village__"


class CommunityDialog(RecordDialog):
    """New or edit a community; `record_id` None means new. `saved_id` holds the record's id after saving."""

    def __init__(
        self,
        ctx: AppContext,
        record_id: str | None = None,
        *,
        defaults: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
    ):
        self.ctx = ctx
        self.record_id = record_id
        self.saved_id: str | None = record_id
        values = dict(defaults or {})
        version = None
        if record_id:
            values, version = self._load()
        else:
            values = self._shown(values)
        name = values.get("name") or ""
        super().__init__(
            f"修改小区 — {name}" if record_id else "新建小区",
            [],
            self._save_record,
            only_changed=record_id is not None,
            version=version,
            reload=self._load if record_id else None,
            parent=parent,
        )
        choices: dict[str, Choices] = {
            "township_code": lambda: township_choices(ctx),
            "project_id": lambda: ctx.read(cd.project_choices),
            "village_code": lambda: ctx.read(cd.village_choices),
        }
        form = SectionedForm(SECTIONS, communities.FIELDS, choices)
        old = self.form
        layout = self.layout()
        scroll = layout.itemAt(0).widget()
        layout.replaceWidget(scroll, form)
        scroll.hide()  # gone at once, not only when the deferred delete runs
        scroll.deleteLater()
        old.deleteLater()
        self.form = form  # what RecordDialog.try_save reads and writes
        form.set_values(values)
        township = form.widgets["township_code"]
        assert isinstance(township, QComboBox)
        township.currentIndexChanged.connect(self._township_changed)
        self._township_changed()
        form.set_values(values)  # the narrowed lists may have reset a choice
        self.resize(620, 600)
        form.widgets["name"].setFocus()

    @staticmethod
    def _shown(values: dict[str, Any]) -> dict[str, Any]:
        for key in YEAR_FIELDS:  # a year reads 1995, not 1,995 (the form groups thousands in numbers)
            if values.get(key) is not None:
                values[key] = str(values[key])
        return values

    def _load(self) -> tuple[dict[str, Any], int]:
        """The stored community as the form shows it, and its version (what a save must start from)."""
        rid = self.record_id
        assert rid is not None

        def read(s):
            c = communities.get(s, rid)
            return commands.snapshot(c, communities.FIELDS), c.version

        values, version = self.ctx.read(read)
        return self._shown(values), version

    def _township_changed(self) -> None:
        """Projects and 所属社区 narrow to the chosen township (the core refuses the others anyway)."""
        code = self.form.widgets["township_code"].currentData()
        self._refill("project_id", self.ctx.read(lambda s: cd.project_choices(s, code)))
        self._refill("village_code", self.ctx.read(lambda s: cd.village_choices(s, code)))
        village = self.form.widgets["village_code"]
        if code and village.findData(ADD_VILLAGE) < 0:
            village.addItem("＋ 不在列表中，手工添加…", ADD_VILLAGE)
        if not getattr(self, "_village_hooked", False):
            village.activated.connect(self._village_chosen)
            self._village_hooked = True

    def _village_chosen(self, index: int) -> None:
        """The last entry adds a 社区/村 missing from the national list (a code from 599 down, marked so)."""
        box = self.form.widgets["village_code"]
        if box.itemData(index) != ADD_VILLAGE:
            return
        box.setCurrentIndex(0)
        name, ok = self.ask_village_name()
        township = self.form.widgets["township_code"].currentData()
        if not ok or not name.strip() or not township:
            return
        from oldcomm_desktop.core import national_divisions

        code = self.ctx.write(lambda s: national_divisions.add_by_hand(s, township, name).code, table="division")
        self._township_changed()
        box.setCurrentIndex(max(box.findData(code), 0))

    def ask_village_name(self) -> tuple[str, bool]:
        """Asked in a box of its own (tests replace this)."""
        from PySide6.QtWidgets import QInputDialog

        return QInputDialog.getText(self, "手工添加社区/村", "名称（全国区划代码表中没有的社区或村）：")

    def _refill(self, name: str, options: Sequence[tuple[str, str]]) -> None:
        box = self.form.widgets[name]
        assert isinstance(box, QComboBox)
        keep = box.currentData()
        blocked = box.blockSignals(True)
        box.clear()
        box.addItem("", None)
        for value, label in options:
            box.addItem(label, value)
        box.setCurrentIndex(max(box.findData(keep), 0))
        box.blockSignals(blocked)

    def _save_record(self, values: dict[str, Any], confirm: bool) -> Any:
        if self.record_id is None:
            made: dict[str, str] = {}

            def make(session):
                obj = communities.create(session, values, confirm=confirm)
                made["id"] = obj.id
                return obj

            result = commands.create(
                self.ctx,
                f"新建小区“{values.get('name') or ''}”",
                make,
                communities.delete,
                communities.restore,
                table="community",
            )
            self.saved_id = made["id"]
            return result
        rid = self.record_id
        return commands.edit(
            self.ctx,
            f"修改小区“{self.windowTitle().split(' — ', 1)[-1]}”",
            lambda s: communities.get(s, rid),
            communities.update,
            rid,
            values,
            table="community",
            confirm=confirm,
            version=self.version,
        )


def open_history(ctx: AppContext, record_id: str, title: str, parent: QWidget | None, *, with_children: bool) -> Any:
    from oldcomm_desktop.gui.dialogs.history_dialog import HistoryDialog
    from oldcomm_desktop.gui.widgets import open_dialog

    return open_dialog(HistoryDialog(ctx, record_id, title, with_children=with_children, parent=parent))
