"""The whole funding table of one community in one grid: every source × approved / plan / arrived / paid.

Saving hands the grid to funding.set_lines, which checks it all at once (arrived ≤ approved, paid ≤
arrived, the approved amounts add up to the total investment) and changes all or nothing; the previous
table is kept so Ctrl+Z puts it back. Amounts are shown and typed in the unit the clerk chose (元 or 万元),
converted exactly: the core always receives 元.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import communities, funding
from oldcomm_desktop.core import community_detail as cd
from oldcomm_desktop.core.errors import OldcommError, StaleRecord, ValidationError
from oldcomm_desktop.core.money import format_in_unit, parse_in_unit, to_decimal
from oldcomm_desktop.gui import colours, commands
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.widgets import message_label, set_message

MEASURE_KEYS = tuple(funding.MEASURES)
COLUMNS = ("资金来源", *funding.MEASURES.values(), "来源说明")
NOTE_COL = len(COLUMNS) - 1


def _problem_text(p) -> str:  # a FieldProblem
    """set_lines already names the source in its messages; add the measure when the message lacks it."""
    if not p.label or p.label[:2] in p.message:
        return p.message
    return f"{p.message}（{p.label}）"


class FundingDialog(QDialog):
    def __init__(self, ctx: AppContext, community_id: str, *, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.community_id = community_id
        self.unit = ctx.money_unit  # 元 or 万元, as everywhere else in the window
        head = ctx.read(lambda s: cd.header(s, community_id))
        self.total = head.total_investment
        self.setWindowTitle(f"资金来源 — {head.name}")
        self.rows = ctx.read(lambda s: funding.editor_rows(s, community_id))
        self.old_lines = ctx.read(lambda s: funding.lines_of(s, community_id))
        #: The table's version as loaded: a save over a table someone changed since is refused (StaleRecord).
        self.version = self._table_version()
        self.table = QTableWidget(len(self.rows), len(COLUMNS))
        self.table.setObjectName("funding_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        bold = QFont()
        bold.setBold(True)
        #: Cells nothing is typed into (a parent's sums, a retired source with no line): painted "locked" by
        #: `colours_changed`, again when the palette turns dark or light.
        self.locked: list[QTableWidgetItem] = []
        for r, row in enumerate(self.rows):
            shown = "　" * row.depth + row.name + ("（已停用）" if row.retired else "")
            name = QTableWidgetItem(shown)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            name.setData(Qt.ItemDataRole.UserRole, row.code)
            self.table.setItem(r, 0, name)
            for c, key in enumerate(MEASURE_KEYS, start=1):
                item = QTableWidgetItem(format_in_unit(row.values.get(key), self.unit) if row.leaf else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
            self.table.setItem(r, NOTE_COL, QTableWidgetItem(row.source_note or ""))
            recorded = any(v is not None for v in row.values.values()) or bool(row.source_note)
            if not row.leaf or (row.retired and not recorded):
                # parents are sums of their children, a retired source takes no new money: nothing to type
                for c in range(len(COLUMNS)):
                    cell = self.table.item(r, c)
                    cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    if not row.leaf:
                        cell.setFont(bold)
                    self.locked.append(cell)
                if row.retired:
                    name.setToolTip("已停用：不能再记新的资金")
            elif row.retired:
                name.setToolTip("已停用：已记的资金照常修改，不能再用于新的资金")
            elif not row.needs_note:
                self.table.item(r, NOTE_COL).setToolTip("“其他”来源须写明具体来源，其余来源可不填")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for c in range(1, len(COLUMNS)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
        self.sum_label = QLabel()
        self.sum_label.setObjectName("funding_sum")
        self.sum_label.setStyleSheet(colours.text_style("muted"))
        self.message = message_label("funding_message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        hint = QLabel(f"只在最末级来源上填写金额，上级为下级之和。金额单位：{self.unit}。")
        hint.setObjectName("funding_hint")
        hint.setStyleSheet(colours.text_style("muted"))
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.sum_label)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.colours_changed()
        self.table.itemChanged.connect(lambda _i: self._show_sum())
        self._show_sum()
        self.resize(980, 620)

    def colours_changed(self) -> None:
        """Paint the locked cells in the palette's "locked" colour (colours.apply calls this on a switch)."""
        grey = QBrush(colours.qcolor("locked"))
        for cell in self.locked:
            cell.setBackground(grey)

    # -- reading the grid ---------------------------------------------------------------------------
    def row_of(self, code: str) -> int:
        return next(i for i, r in enumerate(self.rows) if r.code == code)

    def set_cell(self, code: str, measure: str, text: str) -> None:
        """Type into a cell (tests and keyboard-less callers); `measure` is a key of funding.MEASURES or
        "source_note"."""
        col = NOTE_COL if measure == "source_note" else MEASURE_KEYS.index(measure) + 1
        self.table.item(self.row_of(code), col).setText(text)

    def lines(self) -> dict[str, dict[str, Any]]:
        """The grid as set_lines takes it: a leaf with anything typed in becomes a line; blanks are None."""
        out: dict[str, dict[str, Any]] = {}
        for r, row in enumerate(self.rows):
            if not row.leaf:
                continue
            values: dict[str, Any] = {
                k: parse_in_unit(self.table.item(r, c).text().strip(), self.unit) or None
                for c, k in enumerate(MEASURE_KEYS, start=1)
            }
            note = self.table.item(r, NOTE_COL).text().strip() or None
            if any(v is not None for v in values.values()) or note:
                out[row.code] = {**values, "source_note": note}
        return out

    def _show_sum(self) -> None:
        """The approved amounts against the total investment, as the clerk types (the core checks on save)."""
        total = Decimal(0)
        bad = False
        for line in self.lines().values():
            try:
                total += to_decimal(line["approved"]) if line["approved"] else Decimal(0)
            except ValueError:
                bad = True
        unit = self.unit
        text = f"批复（概算）资金合计 {format_in_unit(total, unit)} {unit}"
        if self.total is not None:
            diff = self.total - total
            text += f"；总投资 {format_in_unit(self.total, unit)} {unit}"
            text += "，一致" if diff == 0 else f"，相差 {format_in_unit(diff, unit)} {unit}"
        if bad:
            text += "（有金额不是数字）"
        self.sum_label.setText(text)

    def _stale(self, exc: StaleRecord) -> None:
        """The table changed since it was opened: the grid keeps what was typed; 重新载入 takes the stored table
        as the new starting point (what undo puts back, the version the save carries) without touching the grid."""
        from oldcomm_desktop.gui import stale

        if stale.ask_reload(self, exc):
            self.old_lines = self.ctx.read(lambda s: funding.lines_of(s, self.community_id))
            self.version = self._table_version()
            set_message(
                self.message,
                f"已重新载入 {stale.who_and_when(exc)} 保存的资金表作为基准；表中仍是你填写的金额，核对后再按“保存”。",
            )
        else:
            set_message(self.message, f"{exc}\n{stale.KEPT}")

    # -- saving -------------------------------------------------------------------------------------
    def _table_version(self) -> int | None:
        return self.ctx.read(lambda s: funding.table_version_of(s, self.community_id))

    def try_save(self) -> bool:
        new = self.lines()
        old = self.old_lines
        cid = self.community_id
        box = {"v": self.version}  # each step starts from the version the previous one left

        def step(lines: dict) -> Any:
            def run(s: Any) -> Any:
                target = communities.get(s, cid)
                result = funding.set_lines(s, target, lines, **commands.versioned(funding.set_lines, box["v"]))
                if hasattr(funding, "table_version"):
                    s.flush()
                    box["v"] = funding.table_version(s, target)
                return result

            return run

        try:
            commands.perform(self.ctx, "修改资金来源", step(new), step(old), table="funding_line")
        except StaleRecord as exc:
            self._stale(exc)
            return False
        except ValidationError as exc:
            set_message(self.message, "\n".join(_problem_text(p) for p in exc.problems))
            return False
        except OldcommError as exc:
            set_message(self.message, str(exc))
            return False
        self.accept()
        return True
