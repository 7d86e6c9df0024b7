"""设置: how money is shown, who works on this database, the rules that differ by place, and the catalogues.

The rules (eligibility cut-off and extension, consent thresholds, the monthly return's due day) are
checked by `core.editable_settings` before they are stored, and each save is an undoable command. The
item-type catalogue is a list on the list-page kit (gui/catalogues/item_types.py: a county adds, renames,
retires and deletes unused entries; its actions fill the 编辑 menu while its tab is shown), and so is the
funding-source tree (gui/catalogues/funding_sources.py: add under a source, rename, delete an unused one).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import catalogues, divisions, editable_settings, workspace
from oldcomm_desktop.core.errors import OldcommError, StaleRecord, ValidationError
from oldcomm_desktop.gui import colours, commands
from oldcomm_desktop.gui.context import MONEY_UNITS, AppContext
from oldcomm_desktop.gui.dialogs.record_form import RecordForm
from oldcomm_desktop.gui.pages.base import Page

ROLES = {"clerk": "填报员", "reviewer": "审核员", "county": "县级管理员"}
MODES = {workspace.TOWNSHIP: "乡镇（街道）版", workspace.COUNTY: "县级汇总版"}


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(colours.text_style("secondary"))
    return label


class SettingsPage(Page):
    title = "设置"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.tabs.addTab(self._general_tab(), "常规")
        self.tabs.addTab(self._rules_tab(), "规则设置")
        self.tabs.addTab(self._item_types_tab(), "改造内容目录")
        self.tabs.addTab(self._sources_tab(), "资金来源目录")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tabs)
        ctx.money_unit_changed.connect(self._show_money_unit)
        ctx.data_changed.connect(self._data_changed)
        self.tabs.currentChanged.connect(lambda _i: self._tab_changed())
        self.reload()

    # -- 常规 ----------------------------------------------------------------------------------------
    def _general_tab(self) -> QWidget:
        self.workspace_label = QLabel()
        self.workspace_label.setObjectName("workspace_info")
        self.workspace_label.setTextFormat(Qt.TextFormat.RichText)
        about = QGroupBox("本数据库")
        QVBoxLayout(about).addWidget(self.workspace_label)

        money = QGroupBox("金额显示单位")
        self.unit_buttons = QButtonGroup(self)
        row = QHBoxLayout(money)
        for unit in MONEY_UNITS:
            b = QRadioButton(unit)
            b.setObjectName(f"unit_{unit}")
            self.unit_buttons.addButton(b)
            row.addWidget(b)
            b.toggled.connect(lambda on, u=unit: on and self.ctx.set_money_unit(u))
        row.addSpacing(16)
        row.addWidget(_muted("表格和概览中的金额按此单位显示；数据库中始终按“元”精确到分保存，报表按规定单位输出。"), 1)

        people = QGroupBox("操作员")
        self.operator_list = QListWidget()
        self.operator_list.setObjectName("operators")
        self.operator_list.setMaximumHeight(140)
        self.operator_list.setMaximumWidth(520)
        self.operator_name = QLineEdit()
        self.operator_name.setObjectName("operator_name")
        self.operator_name.setPlaceholderText("姓名")
        self.operator_name.setMaxLength(50)
        self.operator_role = QComboBox()
        self.operator_role.setObjectName("operator_role")
        for code, label in ROLES.items():
            self.operator_role.addItem(label, code)
        self.add_operator_button = QPushButton("添加操作员")
        self.add_operator_button.setObjectName("add_operator")
        self.add_operator_button.clicked.connect(self.add_operator)
        self.operator_name.returnPressed.connect(self.add_operator)
        self.operator_message = QLabel()
        self.operator_message.setObjectName("operator_message")
        self.operator_message.setStyleSheet(colours.text_style("error"))
        add_row = QHBoxLayout()
        self.operator_name.setMaximumWidth(220)
        add_row.addWidget(self.operator_name)
        add_row.addWidget(self.operator_role)
        add_row.addWidget(self.add_operator_button)
        add_row.addStretch(1)
        pv = QVBoxLayout(people)
        pv.addWidget(_muted("每次修改都记下操作员姓名（修改记录中可查）。启动时选择当前操作员。"))
        pv.addWidget(self.operator_list)
        pv.addLayout(add_row)
        pv.addWidget(self.operator_message)

        notices = QGroupBox("整改通知单编号")
        self.notice_short = QLineEdit()
        self.notice_short.setObjectName("notice_short_name")
        self.notice_short.setMaxLength(8)
        self.notice_short.setMaximumWidth(160)
        self.notice_example = QLabel()
        self.notice_example.setObjectName("notice_example")
        save_short = QPushButton("保存简称")
        save_short.setObjectName("save_notice_short_name")
        save_short.clicked.connect(self.save_notice_short_name)
        self.notice_short.returnPressed.connect(self.save_notice_short_name)
        nrow = QHBoxLayout(notices)
        nrow.addWidget(QLabel("本单位简称："))
        nrow.addWidget(self.notice_short)
        nrow.addWidget(save_short)
        nrow.addWidget(self.notice_example, 1)
        self.notice_box = notices

        tab = QWidget()
        v = QVBoxLayout(tab)
        v.addWidget(about)
        v.addWidget(money)
        v.addWidget(notices)
        v.addWidget(people)
        v.addStretch(1)
        return tab

    def _notice_township(self) -> str | None:
        """The unit whose notice series this database gives out: the township, or the county office (its
        notices are numbered in its own series, core/notice_numbers.py)."""
        return self.ctx.read(workspace.own_code)

    def _show_notice_short_name(self) -> None:
        from datetime import date

        from oldcomm_desktop.core import notice_numbers

        code = self._notice_township()
        self.notice_box.setVisible(code is not None)
        if code is None:
            return
        short = self.ctx.read(lambda s: notice_numbers.short_name(s, code))
        self.notice_short.setText(short)
        self.notice_example.setText(f"编号形如 {short}整改〔{date.today().year}〕001号；清空后保存恢复默认")

    def save_notice_short_name(self) -> bool:
        from oldcomm_desktop.core import notice_numbers
        from oldcomm_desktop.core.errors import OldcommError

        code = self._notice_township()
        if code is None:
            return False
        text = self.notice_short.text()
        try:
            self.ctx.write(lambda s: notice_numbers.set_short_name(s, code, text), table="setting")
        except OldcommError as exc:
            self.notice_example.setText(str(exc))
            return False
        self._show_notice_short_name()
        return True

    def _show_money_unit(self, unit: str | None = None) -> None:
        unit = unit or self.ctx.money_unit
        for b in self.unit_buttons.buttons():
            if b.text() == unit and not b.isChecked():
                blocked = b.blockSignals(True)
                b.setChecked(True)
                b.blockSignals(blocked)

    def add_operator(self) -> bool:
        name = self.operator_name.text().strip()
        role = self.operator_role.currentData()
        existing = [
            self.operator_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.operator_list.count())
        ]
        if name in existing:
            self.operator_message.setText(f"“{name}”已在操作员名单中")
            return False
        try:
            commands.perform(
                self.ctx,
                f"添加操作员“{name}”",
                lambda s: workspace.add_operator(s, name, role=role),
                lambda s: editable_settings.remove_operator(s, name),
                table="operator",
            )
        except OldcommError as exc:
            self.operator_message.setText(str(exc))
            return False
        self.operator_message.clear()
        self.operator_name.clear()
        return True

    # -- 规则设置 ------------------------------------------------------------------------------------
    def _rules_tab(self) -> QWidget:
        self.rules_form = RecordForm(list(editable_settings.fields().values()))
        self.rules_form.setObjectName("rules_form")
        self.rules_form.changed.connect(self._rules_edited)
        self.save_rules_button = QPushButton("保存")
        self.save_rules_button.setObjectName("save_rules")
        self.save_rules_button.clicked.connect(self.save_rules)
        self.reset_rules_button = QPushButton("放弃修改")
        self.reset_rules_button.setObjectName("reset_rules")
        self.reset_rules_button.clicked.connect(self._load_rules)
        self.rules_message = QLabel()
        self.rules_message.setObjectName("rules_message")
        self.rules_message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_rules_button)
        buttons.addWidget(self.reset_rules_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.rules_message, 1)
        notes = _muted(
            "建成年份：截止年份（含）之前建成的小区在改造范围内；截止年份之后、可延伸年份（含）之前建成的，"
            "录入时需要确认，且其户数占当年计划的比例不超过上限。<br>"
            "意愿征询（《民法典》第二百七十八条）：参与表决的业主人数和专有面积都不低于所设比例，"
            "且同意的人数和面积都超过参与表决部分的所设比例，才算通过。各地规定不同，请按本地文件设置。<br>"
            "月报报送日：每月向上级报送进度月报表的日期。"
        )
        notes.setTextFormat(Qt.TextFormat.RichText)
        inner = QWidget()
        v = QVBoxLayout(inner)
        group = QGroupBox("各地不同的规则")
        group.setMaximumWidth(640)
        gv = QVBoxLayout(group)
        gv.addWidget(self.rules_form)
        gv.addLayout(buttons)
        v.addWidget(group)
        v.addWidget(notes)
        v.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        return scroll

    def _read_rules(self) -> tuple[dict, int | None]:
        def read(s):
            version = editable_settings.version(s) if hasattr(editable_settings, "version") else None
            return editable_settings.current(s), version

        values, version = self.ctx.read(read)
        shown = {k: (str(v) if isinstance(v, int) else v) for k, v in values.items()}  # years: no "2,000"
        return shown, version

    def _load_rules(self) -> None:
        shown, self.rules_version = self._read_rules()
        blocked = self.rules_form.blockSignals(True)
        self.rules_form.set_values(shown)
        self.rules_form.blockSignals(blocked)
        self.rules_form.clear_problems()
        self._rules_edited()

    def _stale_rules(self, exc: StaleRecord, typed: dict) -> None:
        """Someone saved the rules since this page loaded them: say who and when; on 重新载入 show theirs with
        this clerk's changes on top (still unsaved), so nothing typed is lost."""
        from oldcomm_desktop.gui import stale

        if stale.ask_reload(self, exc):
            shown, self.rules_version = self._read_rules()
            blocked = self.rules_form.blockSignals(True)
            stale.reapply(self.rules_form, shown, typed)
            self.rules_form.blockSignals(blocked)
            self._rules_edited()
            self._say_rules(
                f"已重新载入 {stale.who_and_when(exc)} 保存的设置；你改过的项仍是你填写的值，核对后再按“保存”。",
                error=True,
            )
        else:
            self._say_rules(f"未保存：{exc}\n{stale.KEPT}", error=True)

    def _rules_edited(self) -> None:
        dirty = bool(self.rules_form.values(only_changed=True))
        self.save_rules_button.setEnabled(dirty)
        self.reset_rules_button.setEnabled(dirty)

    def _say_rules(self, text: str, *, error: bool = False) -> None:
        self.rules_message.setStyleSheet(colours.text_style("error" if error else "ok"))
        self.rules_message.setText(text)

    def save_rules(self) -> bool:
        changes = self.rules_form.values(only_changed=True)
        if not changes:
            return True
        old = self.ctx.read(lambda s: editable_settings.stored(s, list(changes)))
        box = {"v": self.rules_version}  # the version the clerk loaded; each undo/redo step moves it on

        def step(fn, values):
            def run(s):
                result = fn(s, values, **commands.versioned(fn, box["v"]))
                if hasattr(editable_settings, "version"):
                    box["v"] = editable_settings.version(s)
                return result

            return run

        try:
            commands.perform(
                self.ctx,
                "修改规则设置",
                step(editable_settings.update, changes),
                step(editable_settings.put_stored, old),
                table="setting",
            )
        except StaleRecord as exc:
            self._stale_rules(exc, changes)
            return False
        except ValidationError as exc:
            unplaced = self.rules_form.show_problems(exc)
            self._say_rules("未保存：" + ("；".join(unplaced) if unplaced else "请按红字修改后再保存"), error=True)
            return False
        except OldcommError as exc:
            self._say_rules(f"未保存：{exc}", error=True)
            return False
        self._load_rules()
        self._say_rules("已保存。（编辑 → 撤销 或 Ctrl+Z 可以恢复原来的设置）")
        return True

    # -- catalogues (on the list-page kit: gui/catalogues/) ----------------------------------------------
    def _item_types_tab(self) -> QWidget:
        from oldcomm_desktop.gui.catalogues.item_types import ItemTypesPanel

        self.item_types = ItemTypesPanel(self.ctx)
        tab = QWidget()
        v = QVBoxLayout(tab)
        v.addWidget(self.item_types, 1)
        return tab

    def _catalogue_panel(self) -> Page | None:
        """The catalogue list shown on the current tab, if any: its actions fill the 编辑 menu."""
        panel = self.tabs.currentWidget().findChild(Page)
        return panel if isinstance(panel, Page) else None

    def _tab_changed(self) -> None:
        panel = self._catalogue_panel()
        if panel is not None:
            panel.activate()
        show_actions = getattr(self.window(), "_show_page_actions", None)  # the 编辑 menu follows the tab
        if callable(show_actions) and self.isVisible():
            show_actions(self)

    def _sources_tab(self) -> QWidget:
        from oldcomm_desktop.gui.catalogues.funding_sources import FundingSourcesPanel

        self.sources = FundingSourcesPanel(self.ctx)
        tab = QWidget()
        v = QVBoxLayout(tab)
        v.addWidget(self.sources, 1)
        return tab

    # -- loading -------------------------------------------------------------------------------------
    def reload(self) -> None:
        def read(s):
            own = workspace.own_code(s)
            return {
                "mode": workspace.mode(s),
                "own": own,
                "own_name": catalogues.get_setting(s, "own_division_name") or divisions.name_of(s, own),
                "operators": [(o.name, o.role) for o in workspace.operators(s)],
            }

        d: dict[str, Any] = self.ctx.read(read)
        where = self.ctx.db.path or self.ctx.db.url
        self.workspace_label.setText(
            f"<b>{d['own_name']}</b>（{d['own']}）　{MODES.get(d['mode'], d['mode'] or '')}<br>"
            + colours.span("secondary", f"数据库：{where}")
        )
        self._show_money_unit()
        self._show_notice_short_name()
        self._fill_operators(d["operators"])
        self._load_rules()

    def _fill_operators(self, operators: list[tuple[str, str]]) -> None:
        self.operator_list.clear()
        for name, role in operators:
            me = "（当前）" if name == self.ctx.operator else ""
            self.operator_list.addItem(f"{name}　{ROLES.get(role, role)}{me}")
            self.operator_list.item(self.operator_list.count() - 1).setData(Qt.ItemDataRole.UserRole, name)

    def _data_changed(self, table: str) -> None:
        if table in ("operator", "*"):
            self._fill_operators(self.ctx.read(lambda s: [(o.name, o.role) for o in workspace.operators(s)]))
        if table == "setting" or (table == "*" and not self.rules_form.values(only_changed=True)):
            self._load_rules()  # an undo or redo of a save; unsaved edits are kept otherwise

    # -- Page ----------------------------------------------------------------------------------------
    def apply_filters(self, filters: dict) -> None:
        """{"tab": "rules" | "general" | "item_types" | "sources"}."""
        order = ["general", "rules", "item_types", "sources"]
        if filters.get("tab") in order:
            self.tabs.setCurrentIndex(order.index(filters["tab"]))

    def status_text(self) -> str:
        panel = self._catalogue_panel()
        if panel is not None:
            return panel.status_text()
        return f"金额单位：{self.ctx.money_unit}；操作员：{self.ctx.operator}"

    def edit_actions(self) -> list[QAction]:
        panel = self._catalogue_panel()
        return panel.edit_actions() if panel is not None else []

    def new_record(self) -> None:
        panel = self._catalogue_panel()
        if panel is not None:
            panel.new_record()

    def focus_search(self) -> None:
        panel = self._catalogue_panel()
        if panel is not None:
            panel.focus_search()

    def save_state(self) -> None:
        for panel in self.findChildren(Page):
            panel.save_state()

    def sample_views(self) -> list[tuple[str, Any]]:
        return [
            (name, lambda i=i: self.tabs.setCurrentIndex(i))
            for i, name in enumerate(("general", "rules", "item_types", "sources"))
            if i > 0
        ]
