"""月报表: choose a return and a period, check it (审核), export it (草稿 or final), submit it, and — in county
mode — approve it, send it back with an opinion, or reopen it with a reason; its rounds and what changed.

Every action is a core call (`core.returns.checks / export / review`); long ones (export, submit) run in a
worker behind the cancellable progress dialog (`gui.jobs.run_with_progress`).

The findings, the rounds and the differences are lists on the kit (reporting.common.report_table). A
finding's explanation and its comment are row actions (填写说明… F2 or Enter, 批注 / 标记跟进…) that save at
once through `checks.note`; the same QActions fill the row's context menu and the 编辑 menu.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.returns import KINDS, checks, export, review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import Progress, run_with_progress
from oldcomm_desktop.gui.list_page import EDIT_KEYS, RoleTextDelegate, RowActions, is_county, township_choices
from oldcomm_desktop.gui.paged_model import Column
from oldcomm_desktop.gui.reporting.common import kind_combo, period_combo, report_table
from oldcomm_desktop.gui.widgets import ask

SHOWN_FINDINGS = 2000


class ReturnPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.template: Path | None = None
        self.result: checks.CheckResult | None = None
        self.county = False

        self.kind = kind_combo()
        self.period = period_combo()
        from PySide6.QtWidgets import QComboBox

        self.township = QComboBox()
        self.township.setObjectName("township")
        for w in (self.kind, self.period, self.township):
            w.currentIndexChanged.connect(lambda _i: self.refresh_state())
        self.template_label = QLabel("模板：标准模板")
        self.template_label.setObjectName("template_label")
        pick = QPushButton("选择县里模板…")
        pick.setObjectName("pick_template")
        pick.clicked.connect(self.ask_template)
        row1 = QHBoxLayout()
        for label, w in (("报表：", self.kind), ("期间：", self.period), ("乡镇（街道）：", self.township)):
            row1.addWidget(QLabel(label))
            row1.addWidget(w)
        row1.addStretch(1)
        row1.addWidget(self.template_label)
        row1.addWidget(pick)

        self.buttons: dict[str, QPushButton] = {}
        row2 = QHBoxLayout()
        for key, text, slot in (
            ("check", "审核", self.run_check),
            ("export", "导出 Excel…", self.ask_export),
            ("submit", "上报", self.submit),
            ("approve", "审核通过", self.ask_approve),
            ("send_back", "退回修改…", self.ask_send_back),
            ("reopen", "重新打开…", self.ask_reopen),
            ("compare", "与上报时比较", self.compare),
            ("archive", "取出已上报文件…", self.ask_archive),
        ):
            b = QPushButton(text)
            b.setObjectName(key)
            b.clicked.connect(slot)
            self.buttons[key] = b
            row2.addWidget(b)
        row2.addStretch(1)
        self.state = QLabel()
        self.state.setObjectName("state")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)

        self.finding_rows: list[dict[str, Any]] = []
        self.history_rows: list[dict[str, Any]] = []
        self.diff_rows: list[dict[str, Any]] = []
        self.findings = report_table(
            ctx, "findings",
            [Column("level", "级别"), Column("row", "行", align="right"), Column("name", "名称"),
             Column("label", "字段"), Column("message", "问题"), Column("explanation", "说明（提示可填写说明）"),
             Column("annotation", "批注 / 跟进")],
            lambda: self.finding_rows, search_keys=("name", "label", "message", "explanation", "annotation"),
            search_hint="搜索：名称、字段、问题或说明", widths=(50, 50, 150, 110, 240, 180),
        )
        self.findings.add_filter("level", "级别", lambda: [(label, label) for label in checks.LEVEL_LABELS.values()])
        self.findings.view.setItemDelegate(RoleTextDelegate(
            0, lambda r: "error" if r.get("level_code") == "error" else "caution", self.findings.view))
        self.row_actions = RowActions.for_table(self.findings, self)
        explain = self.row_actions.add(
            "填写说明…", "explain_action", self.ask_explain, shortcuts=[*EDIT_KEYS, Qt.Key.Key_F2],
            tip="给选中的审核提示写说明（回车或 F2；随即保存）",
        )
        annotate_action = self.row_actions.add("批注 / 标记跟进…", "annotate_action", self.ask_annotate,
                                               tip="给选中数字写批注，或标记为需跟进")
        self.findings.activated.connect(lambda _id: self.ask_explain())
        check_box = QGroupBox("审核结果")
        cl = QVBoxLayout(check_box)
        cl.addWidget(self.findings)
        # the selected finding in full (its 问题 column is cut at a small width), beside its two actions
        self.finding_detail = QLabel()
        self.finding_detail.setObjectName("finding_detail")
        self.finding_detail.setWordWrap(True)
        self.finding_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings.current_changed.connect(lambda _id: self._show_finding_detail())
        # the current row can move before it is selected (a first check): follow the selection too
        self.findings.view.selectionModel().selectionChanged.connect(lambda *_: self._show_finding_detail())
        self.findings.model.dataChanged.connect(lambda *_: self._show_finding_detail())
        actions = QHBoxLayout()
        actions.addWidget(self.finding_detail, 1)
        actions.addWidget(self.row_actions.button(explain, "explain"))
        actions.addWidget(self.row_actions.button(annotate_action, "annotate"))
        cl.addLayout(actions)

        self.history = report_table(
            ctx, "history",
            [Column("at", "时间"), Column("period", "期间"), Column("kind", "报表"), Column("township", "乡镇（街道）"),
             Column("round", "轮次", align="right"), Column("action", "动作"), Column("operator", "操作员"),
             Column("opinion", "意见/原因")],
            lambda: self.history_rows, search_keys=("township", "action", "operator", "opinion"),
            widths=(120, 70, 80, 100, 40, 70, 70), searchable=False,
        )
        self.diffs = report_table(
            ctx, "diffs",
            [Column("name", "名称"), Column("label", "字段"), Column("archived", "上报时", align="right"),
             Column("current", "现在", align="right")],
            lambda: self.diff_rows, search_keys=("name", "label"), widths=(140, 100, 80), searchable=False,
        )
        hist_box = QGroupBox("报送记录（每一轮都保留）")
        QVBoxLayout(hist_box).addWidget(self.history)
        diff_box = QGroupBox("与上报时比较（哪些数字变了）")
        QVBoxLayout(diff_box).addWidget(self.diffs)

        layout = QVBoxLayout(self)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.state)
        layout.addWidget(self.message)
        layout.addWidget(check_box, 3)
        low = QHBoxLayout()
        low.addWidget(hist_box, 3)
        low.addWidget(diff_box, 2)
        layout.addLayout(low, 2)
        self._loaded = False

    # -- choices --------------------------------------------------------------------------------------
    def load(self) -> None:
        self.county = is_county(self.ctx)
        blocked = self.township.blockSignals(True)
        self.township.clear()
        if self.county:
            self.township.addItem("全县", None)
        for code, name in township_choices(self.ctx):  # township mode: only its own
            self.township.addItem(name, code)
        self.township.blockSignals(blocked)
        self._loaded = True
        self.refresh_state()

    def choice(self) -> tuple[str, Period, str | None]:
        return self.kind.currentData(), Period.parse(self.period.currentData()), self.township.currentData()

    def select(self, kind: str, period: str, township: str | None = None) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))
        i = self.period.findData(period)
        if i < 0:
            self.period.addItem(period, period)
            i = self.period.count() - 1
        self.period.setCurrentIndex(i)
        if township is not None:
            self.township.setCurrentIndex(max(self.township.findData(township), 0))

    def set_template(self, path: Path | None) -> None:
        self.template = path
        self.template_label.setText(f"模板：{path.name}" if path else "模板：标准模板")

    def ask_template(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择县里下发的报表模板", "", "Excel 模板 (*.xlsx)")
        if path:
            self.set_template(Path(path))

    # -- state ---------------------------------------------------------------------------------------
    def refresh_state(self) -> None:
        if not self._loaded:
            return
        kind, period, town = self.choice()

        def read(s):
            sub = review.find(s, kind, period, town) if town else None
            hist = review.history(s, kind=kind, period=period, township=town)
            return (sub.status if sub else None), (sub.rounds if sub else 0), hist, review.due_day(s)

        status, rounds, hist, due_day = self.ctx.read(read)
        due = period.due(due_day)
        label = review.STATUS_LABELS.get(status, "未上报（导出的是草稿）") if status else "未上报（导出的是草稿）"
        self.state.setText(
            f"{KINDS[kind]} {period.label}：{label}" + (f"（第 {rounds} 轮）" if rounds else "") + f"　报送截止：{due}"
        )
        has_town = town is not None
        names = {self.township.itemData(i): self.township.itemText(i) for i in range(self.township.count())}
        b = self.buttons
        b["submit"].setEnabled(has_town and status in (None, review.SENT_BACK, review.REOPENED))
        b["approve"].setEnabled(self.county and status == review.SUBMITTED)
        b["send_back"].setEnabled(self.county and status == review.SUBMITTED)
        b["reopen"].setEnabled(self.county and status == review.APPROVED)
        b["compare"].setEnabled(status is not None)
        b["archive"].setEnabled(status is not None)
        self.history_rows = [
            {
                "id": f"h{i}",
                "at": f"{h.at:%Y-%m-%d %H:%M}",
                "period": h.period,
                "kind": KINDS.get(h.kind, h.kind),
                "township": names.get(h.township, h.township),
                "round": h.round,
                "action": review.ACTION_LABELS.get(h.action, h.action),
                "operator": h.operator or "",
                "opinion": h.opinion or "",
            }
            for i, h in enumerate(hist)
        ]
        self.history.refresh()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(colours.text_style("error" if error else "ok"))
        self.message.setText(text)

    # -- check ---------------------------------------------------------------------------------------
    def run_check(self) -> checks.CheckResult | None:
        kind, period, town = self.choice()
        try:
            self.result = self.ctx.read(lambda s: checks.run(s, kind, period, township=town))
        except OldcommError as exc:
            self._say(str(exc), error=True)
            return None
        shown = self.result.findings[:SHOWN_FINDINGS]
        notes = {
            (rid, field): (comment, follow)
            for rid, field, comment, follow in self.ctx.read(
                lambda s: [
                    (n.record_id, n.field, n.comment, n.follow_up)
                    for n in checks.notes(s, kind, period)
                    if n.rule_code is None
                ]
            )
        }
        self.finding_rows = [
            {
                "id": str(i),
                "level": checks.LEVEL_LABELS[f.level],
                "level_code": f.level,
                "row": f.row or None,
                "name": f.name,
                "label": f.label,
                "message": f.message,
                "explanation": f.explanation or "",
                "annotation": self._annotation(notes.get((f.key, f.field))),
            }
            for i, f in enumerate(shown)
        ]
        self.findings.refresh()
        self.findings.select_first()
        more = len(self.result.findings) - len(shown)
        text = f"审核完成：{len(self.result.errors)} 个错误，{len(self.result.warnings)} 个提示"
        if more:
            text += f"（只列出前 {SHOWN_FINDINGS} 条，全部见 oldcomm return check --json）"
        if self.result.errors:
            self._say(text + "。有错误，不能上报；可以导出草稿。", error=True)
        else:
            self._say(text + "。可以上报。")
        return self.result

    @staticmethod
    def _annotation(note: tuple[str | None, bool] | None) -> str:
        if not note:
            return ""
        comment, follow_up = note
        return ("【需跟进】" if follow_up else "") + (comment or "")

    def edit_actions(self) -> list[QAction]:
        return self.row_actions.actions()

    def _show_finding_detail(self) -> None:
        from html import escape

        row = self.findings.current_row()
        if row is None:
            self.finding_detail.setText("")
            return
        where = f"第 {row['row']} 行 " if row.get("row") else ""
        text = f"{where}{escape(row['name'])}　{escape(row['label'])}：{escape(row['message'])}"
        if row.get("explanation"):
            text += "<br>" + colours.span("secondary", "说明：" + escape(row["explanation"]))
        if row.get("annotation"):
            text += "<br>" + colours.span("secondary", "批注：" + escape(row["annotation"]))
        self.finding_detail.setText(text)

    def _current_finding(self) -> int:
        """The index (in the check's findings) of the selected finding, -1 for none."""
        rid = self.findings.current_id()
        return int(rid) if rid.isdigit() and self.result is not None else -1

    def _show_finding(self, index: int, **values: str) -> None:
        for row in self.finding_rows:
            if row["id"] == str(index):
                row.update(values)
        self.findings.refresh()  # the selection stays on the finding

    def annotate(self, index: int, comment: str, follow_up: bool) -> bool:
        """A comment and a follow-up flag on the figure of a finding (a note kept beside the return)."""
        if self.result is None or not 0 <= index < len(self.finding_rows):
            return False
        f = self.result.findings[index]
        kind, period, _town = self.choice()
        self.ctx.write(
            lambda s: checks.note(s, kind, period, f.key, f.field, comment=comment, follow_up=follow_up),
            table="return_note",
        )
        self._show_finding(index, annotation=self._annotation((comment, follow_up)))
        self._say("已保存批注" + ("，并标记为需跟进" if follow_up else ""))
        return True

    def ask_annotate(self) -> None:
        index = self._current_finding()
        if index < 0:
            self._say("请先在审核结果中选中一行", error=True)
            return
        text, ok = QInputDialog.getText(self, "批注", "对这个数字的批注：")
        if not ok:
            return
        follow = ask(self, "需跟进", "标记为需跟进？")
        self.annotate(index, text, follow)

    def explain(self, index: int, text: str) -> bool:
        """Store the explanation of a finding (a note on its figure), at once; an empty one clears it."""
        if self.result is None or not 0 <= index < len(self.finding_rows):
            return False
        f = self.result.findings[index]
        kind, period, _town = self.choice()
        text = text.strip()
        try:
            self.ctx.write(
                lambda s: checks.note(s, kind, period, f.key, f.field, rule=f.rule, explanation=text),
                table="return_note",
            )
        except OldcommError as exc:
            self._say(f"说明没有保存：{exc}", error=True)
            return False
        f.explanation = text
        self._show_finding(index, explanation=text)
        self._say("已保存说明" if text else "已清除说明")
        return True

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        """One line from the clerk; None when cancelled (tests replace this)."""
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value if ok else None

    def ask_explain(self) -> bool:
        index = self._current_finding()
        if index < 0:
            self._say("请先在审核结果中选中一行", error=True)
            return False
        assert self.result is not None  # a finding is selected
        f = self.result.findings[index]
        text = self.ask_text("填写说明", f"{f.name} {f.label}：{f.message}\n说明：", f.explanation or "")
        return text is not None and self.explain(index, text)

    # -- export and submission -----------------------------------------------------------------------
    def ask_export(self) -> None:
        kind, period, _town = self.choice()
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"{period.key}-{KINDS[kind]}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出报表", str(Path(folder) / name), "Excel 文件 (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, out: Path) -> export.Produced | None:
        kind, period, town = self.choice()
        template = self.template

        def work(progress: Progress) -> export.Produced:
            return self.ctx.read(
                lambda s: export.produce(
                    s,
                    kind,
                    period,
                    out,
                    township=town,
                    template=template,
                    operator=self.ctx.operator,
                    progress=progress,
                )
            )

        try:
            produced = run_with_progress(self, "导出报表", work, label="正在生成报表…")
        except OldcommError as exc:
            self._say(f"没有导出：{exc}", error=True)
            return None
        except OSError as exc:
            self._say(f"没有导出：无法写入 {out}（{exc.strerror or exc}）", error=True)
            return None
        note = "（草稿）" if produced.draft else ""
        self._say(
            f"已导出{note} {produced.rows} 行 → {out}"
            + ("；" + "；".join(produced.totals.notes) if produced.totals.notes else "")
        )
        return produced

    def submit(self) -> bool:
        kind, period, town = self.choice()
        template = self.template

        def work(progress: Progress) -> Any:
            return self.ctx.write(
                lambda s: (
                    review.submit(
                        s, kind, period, township=town, operator=self.ctx.operator, template=template, progress=progress
                    ).rounds
                ),
                table="return_submission",
            )

        try:
            rounds = run_with_progress(self, "上报报表", work, label="正在审核并生成上报文件…")
        except OldcommError as exc:
            self._say(f"没有上报：{exc}", error=True)
            self.refresh_state()
            return False
        self._say(f"已上报（第 {rounds} 轮），上报文件和数字已存档")
        self.refresh_state()
        return True

    def _decide(self, fn: Any, done: str, **kw: Any) -> bool:
        kind, period, town = self.choice()
        try:
            self.ctx.write(
                lambda s: fn(s, kind, period, township=town, operator=self.ctx.operator, **kw),
                table="return_submission",
            )
        except OldcommError as exc:
            self._say(str(exc), error=True)
            return False
        self._say(done)
        self.refresh_state()
        return True

    def approve(self, opinion: str | None = None) -> bool:
        return self._decide(review.approve, "已审核通过，该期已锁定", opinion=opinion)

    def send_back(self, opinion: str) -> bool:
        return self._decide(review.send_back, "已退回修改", opinion=opinion)

    def reopen(self, reason: str) -> bool:
        return self._decide(review.reopen, "已重新打开，该期解除锁定（原因已记入修改记录）", reason=reason)

    def ask_approve(self) -> None:
        text, ok = QInputDialog.getText(self, "审核通过", "审核意见（可不填）：")
        if ok:
            self.approve(text or None)

    def ask_send_back(self) -> None:
        text, ok = QInputDialog.getMultiLineText(self, "退回修改", "退回意见（必填）：")
        if ok:
            self.send_back(text)

    def ask_reopen(self) -> None:
        text, ok = QInputDialog.getMultiLineText(self, "重新打开已审核的报表", "原因（必填，记入修改记录）：")
        if ok:
            self.reopen(text)

    # -- archive -------------------------------------------------------------------------------------
    def compare(self) -> list[review.Difference]:
        kind, period, town = self.choice()

        def read(s):
            archive = review.latest_archive(s, kind, period, town)
            return review.compare(s, archive.id) if archive else []

        try:
            diffs = self.ctx.read(read)
        except OldcommError as exc:
            self._say(str(exc), error=True)
            return []
        self.diff_rows = [
            {
                "id": f"d{i}",
                "name": d.name,
                "label": d.label,
                "archived": "" if d.archived is None else str(d.archived),
                "current": "" if d.current is None else str(d.current),
            }
            for i, d in enumerate(diffs)
        ]
        self.diffs.refresh()
        self._say(f"与上报时相比：{len(diffs)} 处不同" if diffs else "与上报时相比没有变化")
        return diffs

    def ask_archive(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "取出已上报的文件", "", "Excel 文件 (*.xlsx)")
        if path:
            self.save_archive(Path(path))

    def save_archive(self, out: Path) -> bool:
        kind, period, town = self.choice()

        def read(s):
            archive = review.latest_archive(s, kind, period, town)
            return review.archive_file(s, archive.id) if archive else None

        found = self.ctx.read(read)
        if found is None:
            self._say("该期报表尚未上报，没有存档", error=True)
            return False
        out.write_bytes(found[1])
        self._say(f"已取出上报文件 {found[0]} → {out}")
        return True
