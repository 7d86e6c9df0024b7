"""Importing a ledger: the dry run (what would happen to each row, and does the file add up) and the import.

    plan = ledger.plan(session, path, ledger.Options(sheet=None, add_townships=False))
    plan.rows, plan.counts(), plan.checks, plan.unknown_townships, plan.questions   # the dry run
    ledger.apply(session, plan)                                                      # all rows, one transaction

Communities are matched by township + name (simplified, list numbers stripped) and, when the file names a
known 所属社区, that 社区 too, so importing the same file twice changes nothing; two rows of one file are
never merged into one community. A figure merged over several rows is never counted once per row.
Status words and dates become milestones (the status follows from them as for any
community); communities without a project column get one project per township for the file. Rows that fail
are listed with their reason (and can be written to an .xlsx with a reason column); the rest are written in
one transaction through the bulk path, and a failure or cancel leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import collector, communities, divisions, workspace
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.importing import bulk, columns, values, workbook
from oldcomm_desktop.core.importing import header as headers
from oldcomm_desktop.core.importing import rows as kinds
from oldcomm_desktop.core.importing.reconcile import FIGURES, Check, Line, reconcile
from oldcomm_desktop.core.lifecycle import ACCEPTED, PLANNED, STARTED, STATUS_LABELS, STATUSES, WITHDRAWN
from oldcomm_desktop.core.model import Community, Division, Milestone, Project
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.core.money import format_quantity

NEW, UPDATED, UNCHANGED, REJECTED, SKIPPED = "new", "updated", "unchanged", "rejected", "skipped"
ACTION_LABELS = {NEW: "新增", UPDATED: "更新", UNCHANGED: "无变化", REJECTED: "拒绝", SKIPPED: "跳过"}
SUFFIXES = ("街道办事处", "办事处", "街道", "镇", "乡")
_OFFICE_IN_TITLE = re.compile(r"(?<!街道)办事处")


@dataclass
class Options:
    sheet: str | int | None = None
    mapping: dict[str, Any] | None = None  # a mapping file's content (columns, units, year)
    add_townships: bool = False  # county mode: register townships the file names and the database lacks
    year: int | None = None  # for dates without a year, when the title names none
    confirm: bool = False  # answer the questions a single edit asks (extension years …) with yes


@dataclass
class RowResult:
    row: int  # Excel row number (1-based)
    kind: str  # rows.COMMUNITY, SUBTOTAL …
    name: str
    action: str  # new | updated | unchanged | rejected | skipped
    reason: str = ""
    flags: list[str] = field(default_factory=list)  # approximations and guesses the clerk should see
    cells: list[Any] = field(default_factory=list)
    asks: bool = False  # rejected only because a question was not confirmed (Options.confirm answers it)

    @property
    def shown_reason(self) -> str:
        """The reason as the dry run shows it: a long cell quoted in it cut with … (`values.shortened_quotes`);
        the report keeps it whole."""
        return values.shortened_quotes(self.reason)

    @property
    def shown_flags(self) -> list[str]:
        """The hints as the dry run shows them (see `shown_reason`)."""
        return [values.shortened_quotes(f) for f in self.flags]


@dataclass
class LedgerPlan:
    path: Path
    sheet: str
    header: headers.Header
    mapping: dict[int, str]
    units: dict[str, str]
    year: int | None
    rows: list[RowResult]
    checks: list[Check]
    unknown_townships: list[str]
    questions: list[str]  # what the import must not guess (a unit): asked; `Options.confirm` answers yes
    bulk_plan: bulk.Plan
    new_townships: dict[str, str] = field(default_factory=dict)  # code -> name, registered on apply
    answers: list[str] = field(default_factory=list)  # the questions answered by `Options.confirm`
    samples: list[list[str]] = field(default_factory=list)  # per column, the first values under its header
    year_assumed: bool = False  # `year` is only the title's as-of date (截至2024年6月底), not a year of work
    notices: list[str] = field(default_factory=list)  # about the sheet and its columns (two 户数 columns …)

    @property
    def asking_rows(self) -> list[RowResult]:
        """Rows refused only for a question a single edit asks (built in the extension years …)."""
        return [r for r in self.rows if r.action == REJECTED and r.asks]

    def counts(self) -> dict[str, int]:
        out = {NEW: 0, UPDATED: 0, UNCHANGED: 0, REJECTED: 0, SKIPPED: 0}
        for r in self.rows:
            out[r.action] += 1
        return out

    @property
    def mismatches(self) -> list[Check]:
        return [c for c in self.checks if not c.agrees]


# what a township's government or office adds to its name: 城关街道办事处 and 城关办事处 are 城关街道, 城关镇人民政府
# 城关镇, 城关乡政府 城关乡 (the name says its kind, so 城关街道办事处 is never taken for 城关镇)
_OFFICES = (
    ("街道办事处", "街道"),
    ("街道办", "街道"),
    ("办事处", "街道"),
    ("人民政府", ""),
    ("政府", ""),
)


@functools.lru_cache(maxsize=10_000)
def township_full(name: str) -> str:
    """A township's name as the division list writes it, whatever office the ledger names it by: 城关街道办事处 →
    城关街道, 城关镇人民政府 → 城关镇; other names only normalised."""
    text = values.normalise(name)
    for office, kind in _OFFICES:
        if text.endswith(office) and len(text) > len(office):
            base = text[: -len(office)]
            return base if not kind or base.endswith(kind) else base + kind
    return text


@functools.lru_cache(maxsize=10_000)
def township_key(name: str) -> str:
    """A township's name without its kind (城关 for 城关镇, 城关街道 and 城关街道办事处): how ledgers also write it."""
    key = township_full(name)
    for suffix in SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def name_key(name: Any) -> str:
    return values.community_name(name)


def _cell(row: list[Any], col: int | None) -> Any:
    if col is None or col >= len(row):
        return None
    v = row[col]
    return None if v == "" else v


_PERCENT = {"progress_percent": "%"}  # a 形象进度 cell may say 80%
# what a field measures, for the units a line above the table gives (单位：万元、平方米)
_QUANTITY = {"total_investment": "money", "floor_area": "area", "renovation_area": "area", "land_area": "area"}


def _national_children(code: str) -> list[Any]:
    """The units directly under `code` in the national division list (none for a code it does not have)."""
    from oldcomm_desktop.core import national_divisions

    return national_divisions.children(code) if national_divisions.listed(code) else []


def _village_key(name: str) -> str:
    """一街社区, 一街社区居委会 and 一街 alike; 李庄村 and 李庄 alike."""
    text = values.normalise(name)
    for tail in ("社区居民委员会", "村民委员会", "社区居委会", "居委会", "村委会", "社区", "村"):
        if text.endswith(tail) and len(text) > len(tail):
            return text[: -len(tail)]
    return text


@collector.paused()
def plan(session: Session, path: Path, options: Options | None = None) -> LedgerPlan:
    """The dry run: read, map, classify, match and check every row; nothing is written."""
    options = options or Options()
    path = Path(path)
    sheet = workbook.read_sheet(path, options.sheet)
    head = headers.find(sheet.cells, columns.known_headers(session, options.mapping))
    if head is None:
        others = [n for n in workbook.sheet_names(path) if n != sheet.name]
        more = (
            f"；工作簿中还有工作表{'、'.join(f'“{n}”' for n in others)}，台账在其中的话请指定工作表（命令行用 --sheet）"
            if others
            else ""
        )
        raise OldcommError(f"工作表“{sheet.name}”中找不到表头（前 20 行中没有“小区名称”“户数”这样的列名）{more}")
    labels = head.labels
    year = options.year or head.year
    assumed = head.year_as_of and not options.year  # only an as-of date's year: said wherever it is used
    units: dict[str, str] = {}
    if options.mapping is not None:
        mapping, units, file_year = columns.from_json(options.mapping, labels)
        year = options.year or file_year or year
        assumed = assumed and not file_year
    else:
        saved = columns.remembered(session, labels)
        same = columns.by_position(saved, labels) if saved else None
        if saved and same is not None:  # the same header as last time: the same columns, by position
            mapping = same
            units = {str(k): str(v) for k, v in (saved.get("units") or {}).items()}
        elif saved:
            mapping, units, _ = columns.from_json(saved, labels)
        else:
            mapping = columns.propose(labels, sheet.hidden_columns)
    summary = columns.is_summary_header(labels)
    if "name" not in mapping.values():
        if summary:
            raise OldcommError(
                f"工作表“{sheet.name}”不是小区清单：表头有“{summary}”，每行是片区或项目的汇总（含小区个数），"
                "不能作为小区导入"
            )
        raise OldcommError(f"工作表“{sheet.name}”没有“小区名称”列，请在对应关系中指定哪一列是小区名称")
    if "floor_area" not in mapping.values() and "renovation_area" in mapping.values():
        col = next(c for c, f in mapping.items() if f == "renovation_area")
        mapping[col] = "floor_area"  # 改造面积 stands in for 建筑面积 only when the sheet has no 建筑面积
    for col, f in mapping.items():
        if col in head.units and f not in units:
            units[f] = head.units[col]
        elif f not in units and _QUANTITY.get(f) in head.sheet_units:  # 单位：万元 above the table
            units[f] = head.sheet_units[_QUANTITY[f]]
    unconvertible = {  # 建筑面积（亩）: refused, neither read as m² nor asked about
        f: u
        for c, f in mapping.items()
        if f in _QUANTITY and f not in units and c < len(labels) and (u := values.unconvertible_unit(labels[c] or ""))
    }
    col_of = {f: c for c, f in mapping.items()}
    questions, answers = [], []
    confirmed: set[str] = set()
    asked = _unit_questions(sheet.cells[head.data_start :], col_of, {**units, **unconvertible}, labels)
    for question, f, unit in asked:
        if options.confirm:  # the clerk saw the question and answered yes: the proposed unit
            units[f] = unit
            confirmed.add(f)
            answers.append(f"已确认：“{labels[col_of[f]] or columns.LABELS[f]}”按{unit}导入")
        else:
            questions.append(question)
    merged = _merged_figures(sheet, head, mapping, labels)
    builder = _Builder(session, options, col_of, units, year, head, path)
    builder.merged = merged
    builder.confirmed = confirmed
    builder.unconvertible = unconvertible
    builder.year_assumed = assumed
    results: list[RowResult] = []
    lines: list[Line] = []
    noted = _row_notes(sheet, mapping)
    name_col = col_of["name"]
    classified = [kinds.classify(sheet.cells[r], mapping, labels) for r in range(head.data_start, len(sheet.cells))]
    parts = _breakdown_rows(sheet, head.data_start, classified, name_col)
    headings = _heading_rows(sheet, head.data_start, classified, mapping, builder.heading)
    context: dict[int, _Heading] = {}  # the headings the rows below are under, by level
    ended = False  # a note (注：…) or a total after the communities: what is under it is the notes block
    seen_community = False
    for r in range(head.data_start, len(sheet.cells)):
        row = sheet.cells[r]
        k = classified[r - head.data_start]
        bad = noted.get(r)
        if k.kind in (kinds.BLANK, kinds.NAMELESS) and bad and any(col == name_col for col, _ in bad):
            k = kinds.Kind(kinds.COMMUNITY)  # its name is an error value: refused, not passed over as empty
        cell = _cell(row, col_of.get("name"))
        name = values.shown(cell).strip() if cell is not None else ""
        res = RowResult(r + 1, k.kind, name, SKIPPED, cells=list(row))
        if k.kind in (kinds.BLANK, kinds.HEADER):
            continue
        results.append(res)
        if r in parts:
            res.kind = kinds.PART
            res.reason = f"{parts[r]}行下的“其中”分项（不导入，不计入{parts[r]}）"
            continue
        if ended and r not in headings and k.kind in (kinds.COMMUNITY, kinds.NAMELESS) and _one_text(sheet, r):
            k = kinds.Kind(kinds.FOOTER)  # 2.户数以…为准。 under 注：1.…, merged across the row or not
            res.kind = k.kind
        if k.kind == kinds.FOOTER or (k.kind == kinds.TOTAL and seen_community):
            ended = True
        elif k.kind == kinds.COMMUNITY:
            seen_community = True
        if r in headings:
            res.kind, res.reason = kinds.HEADING, kinds.KIND_LABELS[kinds.HEADING]
            found_heading = builder.heading(headings[r]) or _Heading(headings[r], _heading_parts(headings[r])[0])
            context = {level: h for level, h in context.items() if level < found_heading.level}
            context[found_heading.level] = found_heading
            continue
        if k.kind == kinds.TOTAL:
            context = {}  # a grand total closes every group
        elif k.kind == kinds.SUBTOTAL:  # a township's 小计 closes its group: the rows after it are not its
            context = {level: h for level, h in context.items() if not h.township}
        if k.kind in (kinds.SUBTOTAL, kinds.TOTAL):
            res.reason = kinds.KIND_LABELS[k.kind]
            label = _total_label(row, sheet.filled(r), mapping)
            res.name = label
            lines.append(Line(r + 1, k.kind, label, "", _figures(row, col_of, units)))
        elif k.kind == kinds.BATCH:
            res.action = REJECTED
            res.reason = f"这一行代表一批 {k.batch_size} 个小区，不是一个小区；请逐个小区列出后再导入"
        elif k.kind in (kinds.PART, kinds.FOOTER):
            res.reason = kinds.KIND_LABELS[k.kind]
        elif k.kind == kinds.NAMELESS and _only_zeros(row, mapping):
            res.reason = TEMPLATE_ROW
        elif k.kind == kinds.NAMELESS:
            res.action = REJECTED
            shown = labels[name_col] or "小区名称"
            res.reason = f"这一行有数字，但“{shown}”是空的，未导入；请补上小区名称，或删去这一行"
        else:
            figures = builder.add(res, row, bad or (), hidden=r in sheet.hidden_rows, under=list(context.values()))
            # the file's own arithmetic: every community row counts, imported or not
            group = _cell(row, col_of.get("district")) or _cell(row, col_of.get("township")) or ""
            if figures is None:
                figures = _figures(row, col_of, units)
            for f in FIGURES:  # a merged figure counts once, on the range's first community row
                m = merged.get((r, f))
                if m is not None and r != m.rows[0]:
                    figures.pop(f, None)
            lines.append(Line(r + 1, "community", name, values.normalise(str(group)), figures))
    bulk_plan = builder.finish(results)
    return LedgerPlan(
        path=path,
        sheet=sheet.name,
        header=head,
        mapping=mapping,
        units=units,
        year=year,
        rows=results,
        checks=reconcile(lines),
        unknown_townships=sorted(builder.unknown),
        questions=questions,
        answers=answers,
        bulk_plan=bulk_plan,
        new_townships=builder.new_townships,
        samples=headers.samples(sheet.cells, head, mapping),
        year_assumed=assumed,
        notices=[
            *([sheet.chosen] if sheet.chosen else []),
            *columns.alike(labels, mapping, sorted(sheet.hidden_columns)),
            *columns.hidden_imported(labels, mapping, sheet.hidden_columns),
        ],
    )


@functools.cache
def _zero_refused(f: str) -> bool:
    """Whether a single edit refuses 0 for a community field (户数, 楼栋数, 建筑面积, 建成年份 …): asked of the
    field's own parser, so a template's pre-filled 0 there is read as not filled instead of refusing the row."""
    try:
        communities.FIELDS[f].parse(0)
    except ValueError:
        return True
    return False


TEMPLATE_ROW = "空白模板行（没有小区名称，数字都是 0），已跳过"


def _only_zeros(row: list[Any], mapping: dict[int, str]) -> bool:
    """Whether every imported cell of a row is empty or 0: a template's pre-filled line, not a community."""
    for col in mapping:
        v = _cell(row, col)
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        try:
            n = values.parse_number(v)
        except ValueError:
            return False
        if n is not None and n.value != 0:
            return False
    return True


HINT = "导入提示："  # the line of a community's 备注 that holds an import's hints


def _notes(found: dict[str, Any] | None, column: bool, cell: Any, flags: list[str]) -> str | None:
    """The 备注 to write, or None to leave it as it is.

    A stored community keeps the clerk's own lines unless the file has a 备注 column of its own (a cell of it
    replaces them); the import's hints go on one line of their own (`HINT`), replacing an earlier import's line,
    so they never overwrite what a clerk wrote. An import of the same file again keeps the first import's hint
    line (its words may differ: "…已清除" is said once), so nothing changes the second time."""
    stored = str((found or {}).get("notes") or "")
    lines = stored.split("\n") if stored else []
    own = [line for line in lines if not _nfkc(line).startswith(_nfkc(HINT))]  # stored text is NFKC: 导入提示:
    earlier = [line for line in lines if _nfkc(line).startswith(_nfkc(HINT))]
    base = ([str(cell).strip()] if cell is not None else []) if column and (cell is not None or not found) else own
    hint = [HINT + "；".join(flags)] if flags else []
    if found and hint and earlier and base == own:
        hint = earlier
    new = "\n".join(x for x in base + hint if x)
    if found:
        return None if _nfkc(new) == _nfkc(stored) else (new or None)
    return new or None


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _row_notes(sheet: workbook.Sheet, mapping: dict[int, str]) -> dict[int, list[tuple[int, workbook.CellNote]]]:
    """Per row, the imported columns whose cell is an error value or a formula without its value."""
    out: dict[int, list[tuple[int, workbook.CellNote]]] = defaultdict(list)
    for (r, col), note in sorted(sheet.notes.items()):
        if col in mapping:
            out[r].append((col, note))
    return out


def _one_text(sheet: workbook.Sheet, r: int) -> bool:
    """A row that holds one text of its own (a line of notes typed in the first cell, or merged across the row
    and filled into every cell), with no second value beside it."""
    filled = sheet.filled(r)
    own = [c for c, cell in enumerate(sheet.cells[r]) if c not in filled and values.shown(cell).strip()]
    return len(own) == 1 and not isinstance(sheet.cells[r][own[0]], (int, float))


def _total_label(row: list[Any], filled: set[int], mapping: dict[int, str]) -> str:
    """A subtotal's or total's name as the row itself writes it (片区小计, 城关街道 | 小计, 合计): its own text cells up
    to the one holding the word, never a 街道 filled down into it from a merged cell above, nor its 序号 (一、)."""
    parts = []
    for col, cell in enumerate(row):
        if col in filled or not isinstance(cell, str):
            continue
        text = values.normalise(cell)
        if text and not (mapping.get(col) == "seq" and values.list_number(text + "、") is not None):
            parts.append(text)
            if "小计" in text or any(w in text for w in kinds.TOTAL_WORDS):
                break
    return "".join(parts)


def _breakdown_rows(sheet: workbook.Sheet, start: int, classified: list[kinds.Kind], name_col: int) -> dict[int, str]:
    """The rows that break a total or subtotal down (其中：1.新开工, 2.续建 …), by sheet row, with the word of the
    row they belong to (合计 / 小计): not communities, and not counted.

    A run of such rows starts with a 其中 row right under a total or subtotal and goes on while the list numbers
    do. Under one that closes a group (community rows above it) the run is its breakdown. Under one that opens the
    list (a 合计 or 全县小计 first) it is its breakdown only when community rows follow it straight away; else the
    run *is* the list (合计 first, then 其中：1.城东小区, 2.城西小区 … and nothing else), and those are communities.
    """
    found: dict[int, str] = {}
    seen = 0  # community rows since the last total or subtotal
    i = 0
    n = len(classified)
    while i < n:
        k = classified[i].kind
        if k == kinds.COMMUNITY:
            seen += 1
            i += 1
            continue
        if k not in (kinds.TOTAL, kinds.SUBTOTAL):
            i += 1
            continue
        word = "合计" if k == kinds.TOTAL else "小计"
        closing, seen = seen > 0, 0
        run: list[int] = []
        last: int | None = 0
        j = i + 1
        while j < n and classified[j].kind in (kinds.COMMUNITY, kinds.PART, kinds.BLANK):
            if classified[j].kind == kinds.BLANK:
                j += 1
                continue
            cell = _cell(sheet.cells[start + j], name_col)
            name = values.normalise(values.shown(cell).strip()) if cell is not None else ""
            if classified[j].kind == kinds.PART:
                last = -1 if last == 0 else last
            else:
                last = _breakdown(name, last or 0) if last is not None else None
            if last is None:
                break
            run.append(j)
            j += 1
        followed = j < n and classified[j].kind == kinds.COMMUNITY
        if run and (closing or followed):
            found.update((start + x, word) for x in run if classified[x].kind == kinds.COMMUNITY)
        i = j if run and (closing or followed) else i + 1
    return found


_CHINESE_LIST_NUMBER = re.compile(r"[(（]?[一二三四五六七八九十]+[、.．)）]")


def _own_cells(sheet: workbook.Sheet, r: int, across: dict[int, list[tuple[int, int]]]) -> list[Any]:
    """A row's cells without those a merge across the row filled in (一、新开工项目 merged over A:E says it once);
    `across`: the merges by their first row, (first column, last column)."""
    row = sheet.cells[r]
    if r not in across:
        return row
    row = list(row)
    for c0, c1 in across[r]:
        for c in range(c0 + 1, min(c1 + 1, len(row))):
            row[c] = None
    return row


def _heading_rows(
    sheet: workbook.Sheet,
    start: int,
    classified: list[kinds.Kind],
    mapping: dict[int, str],
    meaning: Callable[[str], _Heading | None],
) -> dict[int, str]:
    """The sheet rows that title a group of the list, with their text (一、新开工项目 | 二、续建项目, （一）城关街道,
    城关街道（5个）): nothing in any imported column but the 序号 and the name, in a list whose community rows hold
    more than a name and are numbered otherwise (1, 2 …); either a Chinese-numeral list number, or a text that
    names a township or a status (`meaning`). They were imported as communities named 新开工项目; a plain list of
    names, or one numbered 一、二、 throughout, has none."""
    numbered = sorted(c for c, f in mapping.items() if f in ("seq", "name"))
    others = [c for c, f in mapping.items() if f not in ("seq", "name")]
    found: dict[int, str] = {}
    across: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for r0, c0, _r1, c1 in sheet.merged:
        across[r0].append((c0, c1))
    filled = False  # a community row holding more than a name, numbered otherwise (1, 2 …)
    cols = sorted(mapping)

    def one_across(i: int) -> str | None:
        """The text of a row merged across every imported column that holds nothing else (二、续建项目 merged
        over A:F lands in whichever column comes first: 序号, or 乡镇（街道） when the list has one)."""
        r = start + i
        if not cols or not any(c0 <= cols[0] and c1 >= cols[-1] for c0, c1 in across.get(r, [])):
            return None
        own = [v for v in _own_cells(sheet, r, across) if v is not None and values.shown(v).strip()]
        return own[0].strip() if len(own) == 1 and isinstance(own[0], str) else None

    lone = {i: t for i, k in enumerate(classified) if k.kind == kinds.COMMUNITY and (t := one_across(i))}
    last = max((i for i, k in enumerate(classified) if k.kind == kinds.COMMUNITY and i not in lone), default=-1)
    for i, k in enumerate(classified):
        if k.kind not in (kinds.COMMUNITY, kinds.BATCH):
            continue
        if i in lone:
            if i < last:  # a heading titles rows below it; a merged line after the last row is a note
                found[start + i] = lone[i]
            continue
        row = _own_cells(sheet, start + i, across)
        texts = [v.strip() for v in (_cell(row, c) for c in numbered) if isinstance(v, str)]
        chinese = any(_CHINESE_LIST_NUMBER.match(values.normalise(t)) for t in texts)
        if any(_cell(row, c) is not None for c in others):
            filled = filled or (not chinese and k.kind == kinds.COMMUNITY)
        elif chinese or (texts and meaning("".join(texts)) is not None):
            found[start + i] = "".join(texts)
    return found if filled else {}


# how a group heading is numbered: 一、 (a group) over （一） (a part of it) over no number
_HEADING_NUMBER = (
    re.compile(r"^[一二三四五六七八九十]+[、.．]"),
    re.compile(r"^[(（][一二三四五六七八九十]+[)）]、?"),
    re.compile(r"^\d{1,3}[、.．](?!\d)"),
)
_HEADING_COUNT = re.compile(r"[(（]?(?:共|计)?\d+个(?:小区|项目)?[)）]?$")  # 城关街道（5个）
_HEADING_TAIL = re.compile(r"(?:的)?(?:改造)?(?:项目|小区)(?:清单|名单)?$")  # 新开工项目, 拟改造小区


@dataclass(frozen=True)
class _Heading:
    """What a group heading says of the rows under it (until the next heading of its level or above)."""

    text: str  # as the sheet writes it
    level: int  # 1: 一、 2: （一） 3: no Chinese number
    township: str | None = None  # the township it names (its name, as a township cell would hold it)
    status: str | None = None  # a status the rows without their own take (续建: started; 计划, 拟: planned)
    start_kind: str | None = None  # new | continued (新开工 / 续建)

    @property
    def understood(self) -> bool:
        return bool(self.township or self.status or self.start_kind)


def _heading_parts(text: str) -> tuple[int, str, bool]:
    """(level, the heading without its number and count, whether a number or a count marks it as a heading)."""
    core = values.normalise(text)
    level, marked = 3, False
    for i, pattern in enumerate(_HEADING_NUMBER):
        m = pattern.match(core)
        if m:
            core, level, marked = core[m.end() :], min(i + 1, 3), True
            break
    counted = _HEADING_COUNT.search(core)
    if counted and counted.start() > 0:
        core, marked = core[: counted.start()], True
    return level, core, marked


def _heading_status(words: str) -> tuple[str | None, str | None]:
    """(status, start kind) a heading's words give: 续建 is started (the works began in an earlier year); 新开工
    is a start planned for the plan year, which says nothing sure of the status (the rows keep their own); 计划
    and 拟 are planned; other status words (已完工项目, 在建项目) as in a status cell; (None, None) otherwise."""
    bare = _HEADING_TAIL.sub("", words)
    bare = re.sub(r"^\d{4}年(?:度)?", "", bare)
    kind = "continued" if "续建" in bare else ("new" if "新开工" in bare else None)
    if bare.startswith(values.NOT_YET) or bare in ("计划", "储备", "谋划"):
        return (values.parse_status(bare) if bare in ("储备", "谋划") else PLANNED), kind
    if kind == "continued":
        return STARTED, kind
    if kind == "new":
        return None, kind
    if not bare or len(bare) > 6:
        return None, None
    try:
        return values.parse_status(bare), None
    except ValueError:
        return None, None


def _breakdown(name: str, last: int) -> int | None:
    """Whether a row under a total is part of its breakdown (其中：1.城东区, then 2.城西区 …): the list number
    it carries (-1 for a 其中 row without one), or None once the rows are communities again. A 其中 row
    anywhere under the total belongs to it; a numbered row only when it continues the 其中 row's numbering."""
    number = values.list_number(name)
    if name.startswith("其中"):
        return number if number is not None else -1
    if last > 0 and number == last + 1:
        return number
    return None


ADDITIVE = ("buildings", "households", "floor_area", "total_investment")  # figures that add up over rows


@dataclass
class _Merged:
    """A figure in a cell merged over several community rows. Filling it down (right for a 片区 or 街道 name)
    would count it once per row; it belongs to the rows together: to their project when the file's project
    column groups exactly those rows and it is money, else to no one row (left out, with a hint)."""

    field: str
    ref: str  # the merged range as Excel names it (D2:D4)
    first: int  # Excel rows of the range
    last: int
    raw: Any
    rows: list[int]  # 0-based indexes of the community rows inside it
    project: str | None = None  # the project (normalised name) the money goes on


def _merged_figures(
    sheet: workbook.Sheet, head: headers.Header, mapping: dict[int, str], labels: list[str]
) -> dict[tuple[int, str], _Merged]:
    """(0-based row, field) -> the merged figure that row shares with others, for every merged cell of an
    additive column that covers more than one community row."""
    cells = sheet.cells
    col_field = {c: f for c, f in mapping.items() if f in ADDITIVE}
    project_col = next((c for c, f in mapping.items() if f == "project"), None)
    township_col = next((c for c, f in mapping.items() if f == "township"), None)
    by_project: dict[tuple[str, str], list[int]] | None = None

    def key(r: int) -> tuple[str, str]:  # a project is one township's: 城关街道's A项目 is not 柳林镇's
        township = _cell(cells[r], township_col) if township_col is not None else None
        return values.normalise(str(township or "")), values.normalise(str(_cell(cells[r], project_col) or ""))

    out: dict[tuple[int, str], _Merged] = {}
    for r0, c0, r1, c1 in sheet.merged:
        if r1 <= r0 or r0 < head.data_start or r0 >= len(cells):
            continue
        for col in range(c0, c1 + 1):
            f = col_field.get(col)
            if f is None:
                continue
            span = range(r0, min(r1, len(cells) - 1) + 1)
            rows = [r for r in span if kinds.classify(cells[r], mapping, labels).kind == kinds.COMMUNITY]
            if len(rows) < 2:
                continue  # one community (and its 其中 part below, say): nothing is counted twice
            ref = f"{workbook.cell_ref(r0, c0)}:{workbook.cell_ref(r1, c1)}"
            m = _Merged(f, ref, r0 + 1, r1 + 1, cells[r0][c0], rows)
            if f == "total_investment" and project_col is not None:
                names = {key(r) for r in rows}
                group = names.pop() if len(names) == 1 else ("", "")
                if group[1]:
                    if by_project is None:
                        by_project = defaultdict(list)
                        for r in range(head.data_start, len(cells)):
                            if _cell(cells[r], project_col) is not None:
                                by_project[key(r)].append(r)
                    members = [
                        r
                        for r in by_project.get(group, [])
                        if kinds.classify(cells[r], mapping, labels).kind == kinds.COMMUNITY
                    ]
                    if members == rows:
                        m.project = group[1]
            for r in rows:
                out[(r, f)] = m
    return out


WAN_LOOKING = 50  # a bare floor area below this many is more likely 万平方米 than square metres (a whole community)


def _unit_questions(
    data: list[list[Any]], col_of: dict[str, int], units: dict[str, str], labels: list[str]
) -> list[tuple[str, str, str]]:
    """A 建筑面积 without a unit whose bare values look like 万平方米 is asked about, never guessed: (the question,
    the field, the proposed unit). Only the bare figures are looked at: a cell that writes its unit or magnitude
    (1.2万平方米, 31.5万m2, 1.2万) is converted as it says whatever the answer, so a few of those beside bare 0.8
    and 2.35 neither hide the question nor make bare 3500 and 12000 万平方米."""
    col = col_of.get("floor_area")
    if col is None or "floor_area" in units:
        return []
    label = labels[col] if col < len(labels) and labels[col] else columns.LABELS["floor_area"]
    numbers = []
    written: Counter[str] = Counter()  # unit words cells write for themselves
    for row in data:
        v = _cell(row, col)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            numbers.append(float(v))
        elif isinstance(v, str):
            try:
                n = values.parse_number(v)
            except ValueError:
                continue
            if n is not None and n.unit is None:
                numbers.append(float(n.value))
            elif n is not None and n.unit is not None:
                written[n.unit] += 1
    if numbers:
        numbers.sort()
        median = numbers[len(numbers) // 2]
        if median < WAN_LOOKING:
            beside = (
                "（另有 " + "、".join(f"{k} {n} 格" for k, n in written.items()) + " 写明了单位，按所写单位换算）"
                if written
                else ""
            )
            question = (
                f"“{label}”列没有写单位，未写单位的数值（中位数 {median:g}）看起来是万平方米{beside}。"
                "请确认按万平方米导入（命令行 --confirm），或在对应关系文件中写明建筑面积的单位："
                '"units": {"floor_area": "万平方米"}（或 "平方米"）'
            )
            return [(question, "floor_area", "万平方米")]
    return []


def _figures(row: list[Any], col_of: dict[str, int], units: dict[str, str]) -> dict[str, Decimal]:
    out = {}
    for key in FIGURES:
        try:
            n = values.parse_number(_cell(row, col_of.get(key)), default_unit=units.get(key))
        except ValueError:
            continue
        if n is not None:
            out[key] = n.value
    return out


_CENT = Decimal("0.01")
# what a date field's words say, for a phrase found in another field's column (2022年底完工 under 开工时间)
_MOVED = {
    "start_date": "开工",
    "completion_date": "完工",
    "planned_start": "计划开工",
    "planned_completion": "计划完工",
}


def _date_field(words: str) -> str | None:
    """The date field a phrase's words name: 开工 → start_date, 完工/竣工/验收 → completion_date, a plan (计划…开工)
    → planned_start / planned_completion, 退出 → withdrawal; None for words that name no milestone (完成招标) or
    deny one (未完工 as of a date is no date of a milestone)."""
    try:
        status = values.parse_status(words) if words else None
    except ValueError:
        return None
    text = values.normalise(words)
    if status is None or text.startswith(("未", "尚未")):  # 未完工 as of a date is no date of a milestone
        return None
    if text.startswith(("前", "之前", "以前")):  # 2024年6月底前完工: a deadline, the planned date
        return "planned_start" if "开工" in text else "planned_completion"
    if status == WITHDRAWN:
        return "withdrawal"
    done = any(w in text for w in ("完工", "竣工", "验收", "完成"))
    if status == PLANNED:
        if not text.startswith(values.NOT_YET):
            return None
        return "planned_completion" if done else ("planned_start" if "开工" in text else None)
    if status == STARTED:  # 2023年3月施工中 says the works were going on then, not when they started
        return "start_date" if "开工" in text or "进场" in text else None
    return "completion_date" if done or status == ACCEPTED else None


def _same_day(a: values.Day, b: values.Day) -> bool:
    """Whether two dates agree at the precision the less precise one is written to (2023年3月 and 2023-03-15 do)."""
    if "year" in (a.precision, b.precision):
        return a.value.year == b.value.year
    if "month" in (a.precision, b.precision):
        return (a.value.year, a.value.month) == (b.value.year, b.value.month)
    return a.value == b.value


def _day_text(d: values.Day) -> str:
    v = d.value
    if d.precision == "year":
        return f"{v.year}年"
    return f"{v.year}年{v.month}月" if d.precision == "month" else v.isoformat()


_STAGE = {s: i for i, s in enumerate(STATUSES) if s != WITHDRAWN}  # the order progress goes; withdrawn apart


def _rounded(f: str, kind: str, v: Decimal, raw: Any, flags: list[str], label: str = "") -> Decimal:
    """A figure a formula left with more places than is kept (268/3 万元, 12345.678 m², 99.99999999999999 户):
    rounded as a return would show it, with a hint, instead of refusing the row. A real fraction of a count
    (12.5 户) is still refused by the field's own rule."""
    if kind == "int":
        whole = v.to_integral_value(ROUND_HALF_UP)
        if v != whole and abs(v - whole) < Decimal("0.000001"):
            return whole
        return v
    if v == v.quantize(_CENT):
        return v
    kept = v.quantize(_CENT, ROUND_HALF_UP)
    step = "分" if f == "total_investment" else "0.01 平方米"
    flags.append(f"{label or columns.LABELS[f]}“{values.shown(raw)}”按两位小数（{step}）四舍五入")
    return kept


NUMBER_FIELDS = (
    ("buildings", "int"),
    ("households", "int"),
    ("floor_area", "dec"),
    ("total_investment", "dec"),
    ("progress_percent", "int"),
)


class _Builder:
    """Turns community rows into bulk rows: matched or new communities, their projects and milestones."""

    def __init__(
        self,
        session: Session,
        options: Options,
        col_of: dict[str, int],
        units: dict[str, str],
        year: int | None,
        head: headers.Header,
        path: Path,
    ):
        self.session, self.options, self.col_of, self.units, self.year = session, options, col_of, units, year
        self.head, self.path = head, path
        self.field_at = {col: f for f, col in col_of.items()}
        self.milestone_from: dict[tuple[str, str], str] = {}  # (community, kind) -> the column its date came from
        self.today = date.today()
        self.mode = workspace.mode(session)
        self.own = workspace.own_code(session)
        self.townships: dict[str, str] = {}
        for d in divisions.townships(session):
            self.townships.setdefault(township_key(d.name), d.code)
        self.names = {d.code: d.name for d in divisions.townships(session)}
        # a township's full name, and the names without 镇/乡/街道 that two registered townships share (城关镇 and
        # 城关街道 are both 城关): a row must write such a township in full
        self.full_names = {township_full(name): code for code, name in self.names.items()}
        sharing: dict[str, list[str]] = defaultdict(list)
        for name in self.names.values():
            sharing[township_key(name)].append(name)
        self.shared = {key: sorted(names) for key, names in sharing.items() if len(names) > 1}
        self.own_name = self.names.get(self.own or "", "") if self.mode == workspace.TOWNSHIP else ""
        # county mode and no 乡镇 column (a plain list of names): the one registered township the title names, or
        # the ones it could name (城关… with 城关镇 and 城关街道 registered), which its rows' refusals list
        self.title_township: str | None = None
        self.title_candidates: list[str] = []
        if "township" not in col_of and self.mode != workspace.TOWNSHIP:
            self.title_township, self.title_candidates = self._title_township(values.normalise(head.title))
        self.unknown: set[str] = set()
        self.new_townships: dict[str, str] = {}
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.labels: dict[str, list[str]] = defaultdict(list)
        self.by_result: dict[str, RowResult] = {}  # community id -> row result
        # township + name -> the file's earlier rows of that name: (Excel row, 社区 key, 社区 code)
        self.seen: dict[tuple[str, str], list[tuple[int, str, str | None]]] = defaultdict(list)
        self.claimed: set[str] = set()  # stored communities a row of this file already matched
        self.village_names: dict[str, str] = {}
        self.memo: dict[str, dict[tuple[type, Any], tuple[bool, Any]]] = defaultdict(dict)
        self.township_memo: dict[Any, tuple[str | None, str]] = {}
        self.villages: dict[str, dict[str, str]] = {}  # township -> 社区/村 name key -> code
        self.listed: dict[str, str] | None = None  # the county's townships in the national list (asked once)
        self.number_columns = [
            (f, col_of[f], kind, functools.partial(values.parse_number, default_unit=units.get(f) or _PERCENT.get(f)))
            for f, kind in NUMBER_FIELDS
            if f in col_of
        ]
        self.year_columns = [(f, col_of[f]) for f in ("year_built", "plan_year") if f in col_of]
        self.date_columns = [
            (f, col_of[f])
            for f in ("planned_start", "planned_completion", "start_date", "completion_date")
            if f in col_of
        ]
        self.parse_date = functools.partial(values.parse_date, year=year)
        self.unconvertible: dict[str, str] = {}  # field -> the unit its header names that nothing converts
        self.merged: dict[tuple[int, str], _Merged] = {}  # figures shared by several rows (see _merged_figures)
        self.project_money: dict[tuple[str, str], Decimal] = {}  # (township, project name) -> its merged 总投资
        self.resplit: set[str] = set()  # projects whose unsplit figure this file's community figures replace
        self.confirmed: set[str] = set()  # fields whose unit is the answer to a question, not the file's word
        self.year_assumed = False  # `year` is only the title's as-of date (截至2024年6月底): each use is flagged
        # floor area from a column headed only 面积 or 改造面积 (no 建筑面积 beside it): taken as 建筑面积, said on
        # each row
        self.area_stand_in = columns.stand_in_area(self._label("floor_area")) if "floor_area" in col_of else None
        self.existing = self._existing()
        self.projects: dict[tuple[str, str], str] = {
            (str(p.township_code), values.normalise(p.name)): p.id
            for p in session.scalars(select(Project).where(Project.deleted_at.is_(None)))
        }

    def _title_township(self, title: str) -> tuple[str | None, list[str]]:
        """(the registered township a title names, else the names of those it could be): a full name (城关镇) first,
        then a name without 镇/乡/街道 (城关), which two townships may share."""
        title = _OFFICE_IN_TITLE.sub("街道办事处", title)  # 城关办事处… is 城关街道's, never 城关镇's
        full = [code for code, name in self.names.items() if township_full(name) in title]
        named = full or [code for code, name in self.names.items() if (key := township_key(name)) and key in title]
        if len(named) == 1:
            return named[0], []
        return None, sorted(self.names[code] for code in named)

    def _existing(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """Stored communities by township + name; one township may hold one name in several 社区."""
        found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        q = select(
            Community.id,
            Community.township_code,
            Community.name,
            Community.floor_area,
            Community.total_investment,
            Community.status,
            Community.village_code,
            Community.notes,
            Community.project_id,
        ).where(Community.deleted_at.is_(None))
        for cid, code, name, area, investment, status, village, notes, pid in self.session.execute(q):
            found[(str(code), name_key(name))].append(
                {
                    "id": cid,
                    "floor_area": area,
                    "total_investment": investment,
                    "status": status,
                    "village_code": village,
                    "notes": notes,
                    "project_id": pid,
                }
            )
        return found

    def _village_name(self, code: str) -> str:
        if code not in self.village_names:
            name = self.session.scalar(select(Division.name).where(Division.code == code))
            self.village_names[code] = str(name or code)
        return self.village_names[code]

    def _same_in_file(
        self, key: tuple[str, str], row: int, village: str, village_code: str | None, flags: list[str]
    ) -> str:
        """Why this row repeats an earlier row of the file ("" when it does not). Two rows of one name are two
        communities only when both name a known 社区 and the 社区 differ; two rows are never merged."""
        has_column = "village" in self.col_of
        for earlier, their_village, their_code in self.seen.get(key, []):
            if _village_key(their_village) == _village_key(village):
                what = "乡镇、所属社区和名称都相同" if has_column and village else "乡镇和名称相同"
                return f"与第 {earlier} 行是同一个小区（{what}）"
            if their_code is None or village_code is None:
                unknown = [f"“{v}”" for v, c in ((their_village, their_code), (village, village_code)) if v and not c]
                why = (
                    f"所属社区{'、'.join(unknown)}不在本乡镇（街道）的社区（村）名单中"
                    if unknown
                    else "有一行没有填写所属社区"
                )
                return (
                    f"与第 {earlier} 行小区名称相同，无法确定是不是同一个小区（{why}）；"
                    "请写明已登记的所属社区，或在小区名称中加以区分"
                )
            flags.append(f"与第 {earlier} 行同名，所属社区不同（“{their_village}”与“{village}”），按两个小区导入")
        self.seen[key].append((row, village, village_code))
        return ""

    def _stored(self, key: tuple[str, str], village: str, village_code: str | None) -> tuple[dict | None, str]:
        """(the stored community this row is, why it cannot be told). With its 社区 known: the one of that
        社区, else the only one of that name without a 社区; without: the only one of that name."""
        candidates = [e for e in self.existing.get(key, []) if e["id"] not in self.claimed]
        if village_code:
            same = [e for e in candidates if e["village_code"] == village_code]
            blank = [e for e in candidates if not e["village_code"]]
            found = same[0] if same else (blank[0] if len(blank) == 1 else None)
            return found, ""
        if len(candidates) <= 1:
            return (candidates[0] if candidates else None), ""
        theirs = "、".join(
            sorted({self._village_name(e["village_code"]) if e["village_code"] else "未填所属社区" for e in candidates})
        )
        if "village" not in self.col_of:
            missing = "表中没有所属社区列"
        elif village:
            missing = f"所属社区“{village}”不在本乡镇（街道）的社区（村）名单中"
        else:
            missing = "这一行没有填写所属社区"
        return None, (
            f"本乡镇（街道）已有 {len(candidates)} 个名为“{key[1]}”的小区（{theirs}），{missing}，无法确定是哪一个"
        )

    def _township(self, raw: Any) -> tuple[str | None, str]:
        """(code, why not) for the township a row names."""
        if raw in (None, ""):
            if self.mode == workspace.TOWNSHIP:
                return self.own, ""
            if "township" in self.col_of:
                return None, "没有填写乡镇（街道）"
            if self.title_township:
                return self.title_township, ""
            if self.title_candidates:
                return None, (
                    f"表中没有“乡镇（街道）”列，标题“{self.head.title}”可能指"
                    f"{'、'.join(self.title_candidates)}中的任何一个，无法确定是哪个乡镇（街道）："
                    "请在表中加一列乡镇（街道），或在列的对应关系中指定哪一列是乡镇（街道）"
                )
            return None, (
                "表中没有“乡镇（街道）”列，标题中也没有写明是哪个乡镇（街道）：县级数据库中每个小区都要属于一个"
                "乡镇（街道），请在表中加一列乡镇（街道）后再导入"
            )
        text = values.normalise(str(raw))
        key = township_key(text)
        full = township_full(text)
        if self.mode == workspace.TOWNSHIP:
            # 城关 is the own 城关镇, and so is 城关镇人民政府; 城关街道 (another township of the same name) is not
            if full == township_full(self.own_name) or text == self.own or full == key == township_key(self.own_name):
                return self.own, ""
            if key == township_key(self.own_name):  # 城关街道's ledger saying 城关镇: renamed, or a namesake
                return None, (
                    f"属于“{text}”，不是本乡镇（街道）{self.own_name}的小区；如果是本乡镇（街道）改名前的名称"
                    f"（如撤镇设街道），请把表中的名称改为{self.own_name}"
                )
            return None, f"属于“{text}”，不是本乡镇（街道）{self.own_name}的小区"
        if len(text) == 12 and text.isdigit():  # a code: one of this county's registered townships, or asked
            if text in self.names or text in self.new_townships:
                return text, ""
            listed = self._listed().get(text)
            if text[:6] != (self.own or "")[:6] or listed is None:
                return None, f"乡镇（街道）代码“{text}”不是本县已登记或全国区划代码表中的乡镇（街道）"
            self.unknown.add(f"{listed}（{text}）")
            if not self.options.add_townships:
                return None, f"乡镇（街道）“{listed}”（{text}）未登记；确认无误后可选择“添加乡镇”（--add-townships）"
            self.new_townships[text] = listed
            self.townships.setdefault(township_key(listed), text)
            self.full_names.setdefault(township_full(listed), text)
            return text, ""
        code = self.full_names.get(full)
        if code:
            return code, ""
        kind = full != key  # the row says 镇, 乡 or 街道: a township of the same name and another kind is not it
        if key in self.shared and not kind:
            return None, f"乡镇（街道）“{text}”可能是{'、'.join(self.shared[key])}中的任何一个，请写全称"
        code = self.townships.get(key)
        if code and not (kind and self._has_kind(code)):
            return code, ""
        self.unknown.add(text)
        if not self.options.add_townships:
            if code:  # 城关镇 where 城关街道 is registered: renamed (撤镇设街道), or truly another township
                same = self.shared.get(key) or [self.names.get(code) or self.new_townships.get(code, "")]
                return None, (
                    f"乡镇（街道）“{text}”未登记，已登记的有{'、'.join(same)}；如果是同一个乡镇（街道）（如撤镇设街道），"
                    f"请把表中的名称改为{'或'.join(same)}；确是另一个乡镇（街道）时，"
                    "可选择“添加乡镇”（命令行 --add-townships）"
                )
            return None, f"乡镇（街道）“{text}”未登记；确认无误后可选择“添加乡镇”（命令行 --add-townships）"
        division_list = self._listed().items()
        national = {township_full(n): (c, n) for c, n in division_list}.get(full) or (
            None if kind else {township_key(n): (c, n) for c, n in division_list}.get(key)
        )
        if national is not None and national[0] not in self.names and national[0] not in self.new_townships:
            code, text = national  # the national list's code and full name (蓼城 → 蓼城街道 …001)
        else:
            code, text = self._new_code(full), full
        self.townships.setdefault(key, code)  # a bare 城关 stays the registered 城关街道 whatever the rows' order
        self.full_names[township_full(text)] = code
        self.new_townships[code] = text
        return code, ""

    def _has_kind(self, code: str) -> bool:
        """Whether a township's registered (or just added) name says its kind (城关镇; not a bare 城关)."""
        name = self.names.get(code) or self.new_townships.get(code) or ""
        return township_full(name) != township_key(name)

    def _listed(self) -> dict[str, str]:
        """This county's townships in the national division list, code -> name (empty for a county not in it)."""
        if self.listed is None:
            self.listed = {e.code: e.name for e in _national_children((self.own or "")[:6] + "000000")}
        return self.listed

    def _new_code(self, name: str) -> str:
        """A code for a township missing from the national list, in the range of its kind (街道 001–099, 镇
        100–199, 乡 200–399, others 400–599) from the top down, never a code the national list gives another
        township (listed codes are handed out from the bottom)."""
        county = (self.own or "")[:6]
        lo, hi = (
            (1, 99)
            if name.endswith(("街道", "办事处"))
            else (100, 199)
            if name.endswith("镇")
            else ((200, 399) if name.endswith("乡") else (400, 599))
        )
        used = {d.code for d in self.session.scalars(select(Division).where(Division.code.like(f"{county}%")))}
        used |= set(self.new_townships) | set(self._listed())
        for n in range(hi, lo - 1, -1):
            code = f"{county}{n:03d}000"
            if code not in used:
                return code
        raise OldcommError(f"本县已没有可用于“{name}”的乡镇代码")

    def _parsed(self, f: str, parse: Callable[[Any], Any], raw: Any) -> tuple[bool, Any]:
        """(True, parse(raw)) or (False, the ValueError), each distinct cell value of a column parsed once:
        a ledger repeats its townships, years, statuses and counts. The key holds the value's type, so 1,
        1.0 and True are parsed apart."""
        memo = self.memo[f]
        try:
            key = (type(raw), raw)
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # not hashable: parse it as it is
            key = None
        try:
            hit: tuple[bool, Any] = (True, parse(raw))
        except ValueError as exc:
            hit = (False, exc)
        if key is not None:
            memo[key] = hit
        return hit

    def add(
        self,
        res: RowResult,
        row: list[Any],
        unread: Sequence[tuple[int, workbook.CellNote]] = (),
        *,
        hidden: bool = False,
        under: Sequence[_Heading] = (),
    ) -> dict[str, Decimal] | None:
        """Make the row's bulk rows; return its figures for reconciliation (None: not parsed here).

        `unread`: cells the reader gave as empty that hold an error or an uncomputed formula — the field is left
        out and the row says which cell (the whole row is refused when it is the name or the township).
        `under`: the group headings above the row (（一）城关街道, 二、续建项目): what they say fills what the row
        leaves empty (its township, status, 新开工/续建), each said in the row's hints; the row's own cells win."""
        c = self.col_of
        width = len(row)
        flags: list[str] = []
        for col, note in unread:
            f = self.field_at[col]
            label = self._label(f)
            what = f"{label}（{workbook.cell_ref(res.row - 1, col)}）" + (
                f"是 Excel 错误值“{note.text}”"
                if note.kind == workbook.ERROR
                else f"是公式“{note.text}”，文件中没有计算结果（请在 Excel 或 WPS 中打开并保存后再导入）"
            )
            if f in ("name", "township"):
                res.action, res.reason = REJECTED, f"{what}，这一行无法导入"
                return None
            flags.append(f"{what}，未导入")
        if hidden:
            flags.append("隐藏行：这一行在 Excel 中是隐藏的，已照常导入，请核对是否应当导入")
        raw_township = _cell(row, c.get("township"))
        by_heading = {
            aspect: h
            for h in sorted(under, key=lambda h: h.level)
            for aspect in ("township", "status", "start_kind")
            if getattr(h, aspect)
        }
        if raw_township is None and "township" in by_heading:
            h = by_heading["township"]
            raw_township = h.township
            if self.mode != workspace.TOWNSHIP:
                flags.append(f"乡镇（街道）按分组标题“{h.text}”记为{h.township}")
        for h in under:
            if not h.understood:
                flags.append(f"在分组标题“{h.text}”下")
        try:
            code, why = self.township_memo[raw_township]
        except (KeyError, TypeError):
            code, why = self._township(raw_township)
            with contextlib.suppress(TypeError):
                self.township_memo[raw_township] = (code, why)
        if code is None:
            res.action, res.reason = REJECTED, why
            return None
        if code == self.title_township and raw_township is None:
            flags.append(f"表中没有乡镇（街道）列，按标题中的“{self.names.get(code, code)}”导入")
        name = values.community_name(_cell(row, c.get("name")))
        if values.is_bare_number(name):
            flags.append(f"小区名称只有数字“{name}”，请核对这一列填的是不是小区名称")
        if values.is_masked(name):
            flags.append(f"名称含隐去的字（{name}）")
        key = (code, name_key(name))
        raw_village = _cell(row, c.get("village"))
        village = values.normalise(str(raw_village)) if raw_village is not None else ""
        village_code = self._village(code, village) if village else None
        why = self._same_in_file(key, res.row, village, village_code, flags)
        if not why:
            found, why = self._stored(key, village, village_code)
        if why:
            res.action, res.reason = REJECTED, why
            return None
        if found is not None:
            self.claimed.add(found["id"])
        elif village_code and self.existing.get(key):
            others = "、".join(
                sorted(
                    {
                        self._village_name(e["village_code"]) if e["village_code"] else "未填所属社区"
                        for e in self.existing[key]
                    }
                )
            )
            flags.append(f"本乡镇（街道）已有同名小区（{others}），所属社区不同，作为另一个小区新增")
        data: dict[str, Any] = {"name": name, "township_code": code}
        problems: list[str] = []
        figures: dict[str, Decimal] = {}
        for f, col, kind, parse in self.number_columns:
            raw = row[col] if col < width else None
            if raw is None or raw == "":
                continue
            if f in self.unconvertible:
                problems.append(
                    f"{self._label(f)}：列名中的单位“{self.unconvertible[f]}”无法换算"
                    "（只认 万元、元、亿元、平方米、万平方米 这样的单位），请换算后再导入"
                )
                continue
            ok, n = self._parsed(f, parse, raw)
            if not ok:
                problems.append(f"{self._label(f)}：{n}")
                continue
            if n is None:
                continue
            if f == "floor_area" and self.area_stand_in:
                flags.append(
                    f"“{self._label(f)}”列{self.area_stand_in}，按建筑面积导入（如不是建筑面积，请在列的对应关系中改正）"
                )
            if f in self.confirmed:
                n = self._plausible(f, raw, n, data, flags)
            elif f == "floor_area" and n.unit is None and 0 < n.value < WAN_LOOKING:
                # a column read as square metres (most of its bare figures are), yet this one looks like 万平方米
                flags.append(
                    f"{self._label(f)}“{values.shown(raw)}”没有写单位，按平方米导入；一个小区不会这么小，"
                    "如是万平方米请写明单位（如 0.8万平方米）"
                )
            if n.approximate:
                flags.append(f"{self._label(f)}为约数（{values.shown(raw)}）")
            if n.note:
                flags.append(f"{self._label(f)}：{n.note}")
            v = n.value
            if f in FIGURES:
                figures[f] = v
            shared = self.merged.get((res.row - 1, f))
            if shared is not None:
                self._shared(shared, f, v, found, data, flags)
                continue
            if f == "progress_percent" and v <= 1 and isinstance(raw, float):
                v = v * 100
            if found and found.get(f) is not None and v != found[f] and values.agrees_as_written(found[f], n):
                v = found[f]  # the file shows the stored figure rounded (a return we exported): not a change
            if v == 0 and _zero_refused(f):
                # a template pre-filled with 0: not filled, rather than a figure the single edit refuses
                flags.append(f"{self._label(f)}填的是 0，按未填写处理")
                continue
            v = _rounded(f, kind, v, raw, flags, self._label(f))
            data[f] = int(v) if kind == "int" and v == v.to_integral_value() else v
        for f, col in self.year_columns:
            raw = row[col] if col < width else None
            if raw is None or raw == "":
                continue
            if values.shown(raw).strip() == "0" and _zero_refused(f):  # a template's 0 建成年份: not filled
                flags.append(f"{self._label(f)}填的是 0，按未填写处理")
                continue
            ok, y = self._parsed(f, values.parse_year, raw)
            if not ok:
                problems.append(f"{self._label(f)}：{y}")
                continue
            if y is not None:
                if y.approximate:
                    flags.append(f"{self._label(f)}不确切（{y.note}）")
                if y.value is not None:
                    data[f] = y.value
        if "plan_year" not in data and "plan_year" not in c and self.year:
            data["plan_year"] = self.year
            if self.year_assumed:
                flags.append(f"改造年度按标题中截至日期的年份记为 {self.year} 年，请核对（或导入时给出年份：--year）")
        dates: dict[str, date] = {}
        days: dict[str, values.Day] = {}  # the dates as read, for comparing a date a phrase gives with a column's
        phrased: list[tuple[str, values.Dated, str, Any]] = []  # (field, date, column, cell) from phrases
        for f, col in self.date_columns:
            raw = row[col] if col < width else None
            if raw is None or raw == "":
                continue
            ok, d = self._parsed(f, self.parse_date, raw)
            if not ok:
                # a date in a phrase (2023年3月15日开工, 2022年底完工): the date goes to the milestone its words name
                unread_dates: list[str] = []
                found_dates = self._phrase(f, raw, unread_dates)
                if found_dates is None or any(t == "withdrawal" for t, _ in found_dates):
                    problems.append(unread_dates[0] if unread_dates else f"{self._label(f)}：{d}")
                    continue
                for target, dated in found_dates:
                    if target != f and f in ("start_date", "completion_date"):
                        flags.append(
                            f"{self._label(f)}“{values.shown(raw)}”写的是{_MOVED[target]}，"
                            f"按{self._label(target)}导入，请核对"
                        )
                    phrased.append((target if f in ("start_date", "completion_date") else f, dated, f, raw))
                continue
            if d is not None:
                if d.doubt:
                    flags.append(f"{self._label(f)} {values.shown(raw)} {d.doubt}，请核对")
                elif d.precision == "month":
                    flags.append(f"{self._label(f)}只写到月，按当月 1 日记录")
                flags += self._year_assumed(d, f"{self._label(f)}“{values.shown(raw)}”")
                dates[f] = d.value
                days[f] = d
        for f in ("address", "batch", "contact_person", "contact_phone"):
            v = _cell(row, c.get(f))
            if v is not None:
                data[f] = values.normalise(str(v)) if f != "address" else str(v).strip()
        kind = _cell(row, c.get("start_kind"))
        if kind is not None:
            text = values.normalise(str(kind))
            found_kind = "continued" if "续建" in text else ("new" if "新开工" in text or text == "新建" else None)
            if found_kind:
                data["start_kind"] = found_kind
            else:
                flags.append(f"新开工/续建“{kind}”无法识别，未导入")
        elif "start_kind" in by_heading:
            h = by_heading["start_kind"]
            data["start_kind"] = h.start_kind
            shown_kind = "续建" if h.start_kind == "continued" else "新开工"
            flags.append(f"新开工/续建按分组标题“{h.text}”记为{shown_kind}")
            if h.start_kind == "new" and h.status is None and _cell(row, c.get("status")) is None:
                flags.append(f"分组标题“{h.text}”未说明是否已开工，状态未据此改动")
        if raw_village is not None:
            if village_code:
                data["village_code"] = village_code
            else:
                flags.append(f"所属社区“{raw_village}”不在本乡镇（街道）的社区（村）名单中，未导入")
        word = _cell(row, c.get("status"))
        ok, status = self._parsed("status", values.parse_status, word) if word is not None else (True, None)
        heading_status = by_heading.get("status") if word is None else None
        if ok and status is not None:
            # a date in the status cell (2023年3月15日开工, 2021年12月已完工): the words give the status, the date
            # the date of the milestone they name
            for target, dated in self._phrase("status", word, flags) or ():
                phrased.append((target, dated, "status", word))
        if not ok and self._only_a_date(word):
            # 2023.6 or a date cell under 状态: no word, so no status and no milestone (as a phrase with no word)
            flags.append(f"{self._label('status')}“{values.shown(word)}”是日期，没有写状态，未据此记录状态")
        elif not ok:
            problems.append(f"{self._label('status')}：{status}")
        if not ok:
            status = None
        sources = self._phrased_dates(phrased, dates, days, flags)
        if heading_status is not None and heading_status.status:
            actual = "completed" if "completion_date" in dates else ("started" if "start_date" in dates else None)
            shown_status = STATUS_LABELS.get(heading_status.status, heading_status.status)
            if actual is None:  # the row says nothing of its status: the heading's, said
                status, word = heading_status.status, heading_status.text
                flags.append(f"状态按分组标题“{heading_status.text}”记为{shown_status}")
            elif actual != heading_status.status:  # the row's own dates win
                flags.append(f"分组标题“{heading_status.text}”为{shown_status}，本行有开工/完工时间，按时间记录")
        pool = status == "reserve" and "plan_year" not in c and data.get("plan_year") == self.year
        if pool:
            # 储备 / 谋划: in the project pool, in no annual plan; the title's year is not its plan year
            del data["plan_year"]
            flags[:] = [x for x in flags if not x.startswith("改造年度按标题")]
            flags.append(f"状态为“{values.shown(word)}”（储备），未按标题记入 {self.year} 年度计划")
        for f in ("planned_start", "planned_completion"):
            if f in dates:
                data[f] = dates[f]
        if problems:
            res.action, res.reason = REJECTED, "；".join(problems)
            return None
        notes = _notes(found, "notes" in c, _cell(row, c.get("notes")), flags)
        if notes is not None:
            data["notes"] = notes
        res.flags = flags
        project = _cell(row, c.get("project"))
        if pool and project is None:
            pass  # a 储备 row joins no project of the title's year (a new community would take that year from it)
        elif project is not None or not found:  # a matched community keeps its project unless the file names one
            data["project_id"] = self._project(code, project)
        if data.get("total_investment") is not None:
            self._split_again(data.get("project_id") or (found or {}).get("project_id"), flags)
        cid = found["id"] if found else new_id()
        data["id"] = cid
        self.rows["community"].append(data)
        self.labels["community"].append(f"第 {res.row} 行")
        self.by_result[cid] = res
        res.action = UPDATED if found else NEW
        self._milestones(res, cid, status, dates, word, found, sources)
        return figures if len(figures) == sum(1 for f in FIGURES if f in c) else None

    def _only_a_date(self, raw: Any) -> bool:
        """Whether a cell holds a date and nothing else (2023.6, 2023年6月, a date cell)."""
        try:
            return self.parse_date(raw) is not None
        except ValueError:
            return False

    def heading(self, text: str) -> _Heading | None:
        """What a group heading's text says (一、新开工项目, （一）城关街道, 城关街道（5个）, 一、城关街道续建项目), or
        None when it names no township and no status: a registered township (full name, or the name without its
        kind no two share), or a township name a list number or a count marks as a heading (in a county, unknown
        ones are listed as in a township cell; a township's ledger refuses rows under another township's)."""
        level, core, marked = _heading_parts(text)
        township = None
        for name in sorted(self.full_names, key=len, reverse=True):
            if core.startswith(name):
                township, core = name, core[len(name) :]
                break
        else:
            key = township_key(core)
            if core and core in (key, township_full(core)) and key in self.townships and key not in self.shared:
                township, core = core, ""
            elif marked and core.endswith(("街道", "镇", "乡", "办事处")):  # a township's ledger refuses its rows
                township, core = core, ""
        status, kind = _heading_status(core) if core else (None, None)
        if core and (status or kind) is None and township:
            return None  # 城关街道幸福里: a township's name before other words is a community's name
        if not (township or status or kind) or not (marked or township or _HEADING_TAIL.search(core)):
            return None
        return _Heading(text, level, township, status, kind)

    def _phrase(self, f: str, raw: Any, problems: list[str]) -> list[tuple[str, values.Dated]] | None:
        """The dates a phrase in a cell holds (2023年3月15日开工, 已于2023年3月开工, 2022年底完工, 2022.12竣工), each
        with the date field its words name (开工: start_date, 完工/竣工: completion_date, 计划…开工: planned_start);
        None when the cell holds no date, or a date whose words name no milestone. A date that does not exist, or
        has no year, is said in `problems` (a status cell passes its hints instead: its word still counts)."""
        if not isinstance(raw, str):
            return None
        ok, parsed = self._parsed(f + ":dates", functools.partial(values.dates_in_text, year=self.year), raw)
        if not ok:
            what = "日期未导入" if f == "status" else "这一行无法导入"
            problems.append(f"{self._label(f)}“{values.shown(raw)}”中{parsed}，{what}")
            return None
        found, _ = parsed
        out: list[tuple[str, values.Dated]] = []
        for dated in found:
            target = _date_field(dated.words)
            if target is None:
                if f != "status":
                    return None
                if dated.day.precision == "year":  # 2024年计划: the plan's year, no milestone's date
                    continue
                problems.append(
                    f"{self._label(f)}“{values.shown(raw)}”中的日期 {dated.written} "
                    "不能确定是哪个进度节点的日期，未导入"
                )
                continue
            out.append((target, dated))
        return out or None

    def _phrased_dates(
        self,
        phrased: list[tuple[str, values.Dated, str, Any]],
        dates: dict[str, date],
        days: dict[str, values.Day],
        flags: list[str],
    ) -> dict[str, str]:
        """Put the dates phrases give into `dates` (a column's own date wins; one that disagrees is named in the
        hints); return, per date field, the column a phrase's date came from."""
        sources: dict[str, str] = {}
        for target, dated, f, raw in phrased:
            where = f"{self._label(f)}“{values.shown(raw)}”"
            d = dated.day
            if target in days:
                if not _same_day(days[target], d):
                    theirs = self._label(target) if target in self.col_of else sources.get(target, "")
                    flags.append(
                        f"{where}中的日期 {dated.written} 与{theirs}“{_day_text(days[target])}”不一致，"
                        f"按{theirs}导入，请核对"
                    )
                continue
            if d.precision == "year":
                flags.append(f"{where}中的日期只写到年（{dated.written}），按 {d.value.isoformat()} 记录，请核对")
            elif d.precision == "month":
                flags.append(f"{where}中的日期只写到月（{dated.written}），按当月 1 日记录")
            flags += self._year_assumed(d, f"{where}中的日期")
            dates[target], days[target] = d.value, d
            sources[target] = f"{where}"
        return sources

    def _year_assumed(self, d: Any, what: str) -> list[str]:
        """The hint for a date written without its year (3月15日), which took the year of the sheet's title."""
        if not (d.sheet_year and self.year_assumed):
            return []
        return [f"{what}没有写年份，按标题中截至日期的年份记为 {self.year} 年，请核对（或导入时给出年份：--year）"]

    def _label(self, f: str, fallback: str = "") -> str:
        """The column's header as the file writes it (户数（户）, 建筑面积/万平方米), which a clerk can find in the
        sheet; the field's Chinese name for what no column holds (a plan year from the title)."""
        col = self.col_of.get(f)
        if col is not None and col < len(self.head.labels) and self.head.labels[col]:
            return self.head.labels[col]
        return columns.LABELS.get(f) or fallback or "其他"

    def _problem(self, o: bulk.RowOutcome, problem: Any) -> str | None:
        """A rule's complaint about one bulk row in the clerk's words: the file's column for a community's
        field, the date column a milestone came from, the project by name; None for a milestone that failed
        only because its community did (the community's own reason says why)."""
        row = self.rows[o.table][o.index]
        if o.table == "community":
            label = self._label(problem.field) if problem.field in self.col_of else problem.label
            return f"{label}：{problem.message}" if label else problem.message
        if o.table == "milestone":
            if problem.field == "community_id":
                return None
            source = self.milestone_from.get((row["community_id"], row["kind"]), "进度节点")
            return f"{source}：{problem.message}"
        if o.table == "project":
            return f"{self.labels['project'][o.index]}：{problem}"
        return str(problem)

    def _plausible(self, f: str, raw: Any, n: values.Number, data: dict[str, Any], flags: list[str]) -> values.Number:
        """A bare figure under a unit the clerk confirmed for the column (万平方米, from the median): a value that
        cannot be 万平方米 — above 100 (a million m²), or over 1,000 m² a household where the plain reading
        gives a household's flat — is the plain unit, as typed; it is not multiplied, and the row says so."""
        bare = values.parse_number(raw)
        if bare is None or bare.unit is not None or n.unit is None:
            return n  # the cell names its unit (0.5万平方米, 800平方米): the cell's word counts
        factor = n.value / bare.value if bare.value else Decimal(1)
        if factor == 1:
            return n
        label = self._label(f)
        v = bare.value
        households = data.get("households")
        count = households if isinstance(households, int) and households > 0 else None
        per_household = v * factor / count if count else None
        if v > 100:
            why = f"按{n.unit}将是 {format_quantity(n.value)} 平方米，一个小区不会这么大"
        elif count and per_household is not None and per_household > 1000 and v / count >= 10:
            why = f"按{n.unit}每户将有 {per_household:,.0f} 平方米（户数 {count}）"
        else:
            if per_household is not None and per_household > 1000:
                flags.append(
                    f"{label}“{values.shown(raw)}”按{n.unit}每户 {per_household:,.0f} 平方米，"
                    f"与户数 {count} 不相符，请核对"
                )
            return n
        flags.append(
            f"{label}“{values.shown(raw)}”明显是平方米（{why}），未乘 1 万，按 {format_quantity(v)} 平方米导入，请核对"
        )
        return bare

    def _shared(
        self, m: _Merged, f: str, v: Decimal, found: dict[str, Any] | None, data: dict[str, Any], flags: list[str]
    ) -> None:
        """A figure merged over several rows goes on their project (money) or on none of them, never on each."""
        label = self._label(f)
        where = f"{label}“{values.shown(m.raw)}”是第 {m.first}–{m.last} 行合并的单元格（{m.ref}）"
        if m.project is None:
            if f != "total_investment":
                how = "请在表中分到各小区"
            elif "project" in self.col_of:
                how = "请在表中分到各小区，或让合并的行正好是同一乡镇（街道）一个项目的全部小区"
            else:
                how = "请在表中分到各小区，或加“项目名称”列"
            flags.append(f"{where}，为这几个小区共有，不能分到各小区，未导入（{how}）")
            return
        self.project_money[(data["township_code"], m.project)] = _rounded(f, "dec", v, m.raw, [])
        hint = f"{where}，记为项目“{m.project}”的总投资，不分到各小区"
        if found and found.get(f) is not None:
            data[f] = None  # the project holds it now: the community's own figure would count it twice
            hint += f"（本小区原有的总投资 {format_quantity(found[f])} 元已清除，以免重复计算）"
        flags.append(hint)

    def _village(self, township: str, name: str) -> str | None:
        """The code of a 社区/村 under `township` named `name` (with or without 社区/村/居委会): the ones this
        database has registered, then the national list. None when neither has it (the clerk is told)."""
        if township not in self.villages:
            known: dict[str, str] = {}
            for e in _national_children(township):
                known.setdefault(_village_key(e.name), e.code)
            q = select(Division.code, Division.name).where(
                Division.level == "village", Division.parent_code == township, Division.deleted_at.is_(None)
            )
            for vcode, vname in self.session.execute(q):
                known[_village_key(vname)] = vcode
            self.villages[township] = known
        return self.villages[township].get(_village_key(name))

    def _project(self, code: str, raw: Any) -> str | None:
        name = values.normalise(str(raw)) if raw not in (None, "") else None
        if name is None:
            base = values.normalise(self.head.title)[:60] or self.path.stem
            township = self.new_townships.get(code) or self.names.get(code) or code
            name = f"{base}（{township}）"
        key = (code, values.normalise(name))
        if key not in self.projects:
            pid = new_id()
            self.projects[key] = pid
            self.rows["project"].append(
                {"id": pid, "name": name, "township_code": code, **({"plan_year": self.year} if self.year else {})}
            )
            self.labels["project"].append(f"项目“{name}”")
        pid = self.projects[key]
        money = self.project_money.pop(key, None)
        if money is not None:  # a 总投资 merged over exactly this project's rows: the project's, not split
            mine = next((r for r in self.rows["project"] if r["id"] == pid), None)
            if mine is None:
                mine = {"id": pid}
                self.rows["project"].append(mine)
                self.labels["project"].append(f"项目“{name}”")
            mine.update(total_investment=money, money_split=False)
        return pid

    def _split_again(self, pid: str | None, flags: list[str]) -> None:
        """A community's own 总投资 under a project whose money is stored as one unsplit figure (an earlier file
        merged it over the project's rows): the ledger now splits it, so the project's figure is cleared (once),
        else both would count."""
        if pid is None or pid in self.resplit:
            return
        self.resplit.add(pid)
        if any(r.get("id") == pid and r.get("money_split") is False for r in self.rows["project"]):
            return  # this file puts the money on the project itself
        stored = self.session.execute(
            select(Project.name, Project.total_investment, Project.money_split).where(Project.id == pid)
        ).first()
        if stored is None or stored.money_split is not False or stored.total_investment is None:
            return
        self.rows["project"].append({"id": pid, "total_investment": None, "money_split": True})
        self.labels["project"].append(f"项目“{stored.name}”")
        flags.append(
            f"项目“{stored.name}”原记为不分小区的总投资 {format_quantity(stored.total_investment)} 元已清除，"
            "改按各小区的总投资计算"
        )

    def _milestones(
        self,
        res: RowResult,
        cid: str,
        status: str | None,
        dates: dict[str, date],
        word: Any,
        found: dict[str, Any] | None,
        sources: dict[str, str] | None = None,
    ) -> None:
        start = dates.get("start_date")
        done = dates.get("completion_date")
        sources = sources or {}
        # dates are never dropped without a word: with no status the actual dates say it; against the status word
        # they are left for the clerk to see (the word is what the ledger says the community is at)
        if status is None and (start or done):
            status = "completed" if done else "started"
            res.flags.append("台账未写状态，按" + ("完工时间记为已完工" if done else "开工时间记为在建"))
        elif status in ("reserve", "planned") and (start or done):
            res.flags.append(f"状态为“{word}”，台账中的开工/完工时间未记为进度节点")
        elif status == "started" and done:
            res.flags.append(f"状态为“{word}”，台账中的完工时间 {done.isoformat()} 未记为完工")
        stored = (found or {}).get("status")
        if status and stored and _STAGE.get(status, 0) < _STAGE.get(stored, 0):  # an older ledger over newer news
            res.flags.append(
                f"台账状态“{word}”早于本数据库中的“{STATUS_LABELS.get(stored, stored)}”，状态未改动（进度只能前进）"
            )
        if status in (None, "reserve", "planned"):
            return
        have: set[str] = set()  # kinds already stored are dropped in finish(), in one query for all rows
        unknown = "台账未写日期，按导入日期记录"
        steps: list[tuple[str, date | None, str]] = []
        if status == "withdrawn":
            steps.append(("withdrawal", dates.get("withdrawal") or done or start, f"台账标注：{word}"))
        else:
            steps.append(("start", start or done, ""))
            if status in ("completed", "accepted"):
                steps.append(("completion", done, ""))
            if status == "accepted":
                steps.append(("acceptance", done, ""))
        for kind, on, reason in steps:
            if kind in have:
                continue
            if on is None:
                on = self.today
                if unknown not in res.flags:
                    res.flags.append(unknown)
                self.milestone_from[(cid, kind)] = f"{self._label('status')}“{word}”（台账未写日期）"
            else:
                source = "start_date" if on == start else "completion_date"
                self.milestone_from[(cid, kind)] = sources.get(source) or self._label(source)
            row = {"community_id": cid, "kind": kind, "reached_on": on, "notes": "由台账导入"}
            if reason:
                row["reason"] = reason
            self.rows["milestone"].append(row)
            self.labels["milestone"].append(f"第 {res.row} 行（进度节点）")

    def finish(self, results: list[RowResult]) -> bulk.Plan:
        # what is stored already: milestone kinds of matched communities
        stored = {e["id"] for entries in self.existing.values() for e in entries}
        ids = [r["id"] for r in self.rows["community"] if r["id"] in stored]
        kinds_of: dict[str, set[str]] = defaultdict(set)
        for start in range(0, len(ids), 500):
            q = select(Milestone.community_id, Milestone.kind).where(
                Milestone.community_id.in_(ids[start : start + 500]), Milestone.deleted_at.is_(None)
            )
            for cid, kind in self.session.execute(q):
                kinds_of[str(cid)].add(kind)
        if kinds_of:
            ms, labels = [], []
            for m, label in zip(self.rows["milestone"], self.labels["milestone"], strict=True):
                if m["kind"] not in kinds_of.get(m["community_id"], set()):
                    ms.append(m)
                    labels.append(label)
            self.rows["milestone"], self.labels["milestone"] = ms, labels
        while True:
            p = bulk.prepare(
                self.session, self.rows, confirm=self.options.confirm, labels=self.labels, period_lock=True
            )
            bad: dict[str, list[str]] = {}
            asking: set[str] = set()
            for o in p.rejected:
                row = self.rows[o.table][o.index]
                cid = row.get("community_id") or (row["id"] if o.table == "community" else None)
                if o.table == "project":
                    cids = [r["id"] for r in self.rows["community"] if r.get("project_id") == row["id"]]
                else:
                    cids = [cid]
                said = [t for t in (self._problem(o, pr) for pr in o.problems) if t]
                for x in cids:
                    bad.setdefault(x, []).extend(said)
                    if o.needs_confirmation:
                        asking.add(x)
            if not bad:
                break
            for cid, why in bad.items():
                res = self.by_result.get(cid)
                if res is not None:
                    res.action, res.reason = REJECTED, "；".join(dict.fromkeys(why)) or "进度节点无法保存"
                    res.asks = cid in asking and bool(why) and all("需要确认" in w for w in why)
            self._drop(set(bad))
        outcome = {o.id: o.action for o in p.outcomes.get("community", [])}
        touched = {self.rows["milestone"][o.index]["community_id"] for o in p.outcomes.get("milestone", [])}
        for cid, res in self.by_result.items():
            if res.action == REJECTED:
                continue
            action = outcome.get(cid)
            if action == bulk.CREATE:
                res.action = NEW
            elif action == bulk.UPDATE or cid in touched:
                res.action = UPDATED
            else:
                res.action = UNCHANGED
        return p

    def _drop(self, cids: set[str]) -> None:
        for table in ("community", "milestone"):
            keep = [
                (r, lab)
                for r, lab in zip(self.rows[table], self.labels[table], strict=True)
                if (r["id"] if table == "community" else r["community_id"]) not in cids
            ]
            self.rows[table] = [r for r, _ in keep]
            self.labels[table] = [lab for _, lab in keep]
        used = {r.get("project_id") for r in self.rows["community"]}
        keep_p = [
            (r, lab) for r, lab in zip(self.rows["project"], self.labels["project"], strict=True) if r["id"] in used
        ]
        self.rows["project"] = [r for r, _ in keep_p]
        self.labels["project"] = [lab for _, lab in keep_p]


def apply(
    session: Session,
    ledger_plan: LedgerPlan,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> str:
    """Write the plan's accepted rows in the caller's transaction; return the audit event's id."""
    if ledger_plan.questions:
        raise OldcommError("导入前需要确认：" + "；".join(ledger_plan.questions))
    if not any(ledger_plan.bulk_plan.rows.values()) and not ledger_plan.bulk_plan.extra_updates:
        return ""  # nothing new: the same file imported again changes nothing, not even the log
    for code, name in ledger_plan.new_townships.items():
        divisions.ensure(session, code, name)
    from oldcomm_desktop.core import national_divisions

    # a 社区/村 found in the national list is registered on first use, as the community form does
    used = {r["village_code"] for r in ledger_plan.bulk_plan.rows.get("community", []) if r.get("village_code")}
    for village in sorted(used):
        national_divisions.ensure_listed(session, village)
    session.flush()
    event = bulk.apply(
        session,
        ledger_plan.bulk_plan,
        source=str(ledger_plan.path.name),
        kind="excel",
        progress=progress,
        cancelled=cancelled,
    )
    columns.remember(session, ledger_plan.header.labels, ledger_plan.mapping, ledger_plan.units)
    return event


def write_report(ledger_plan: LedgerPlan, out: Path, *, only_rejected: bool = True) -> Path:
    """The rejected rows as they were in the file, with 行号 and 原因 columns (an .xlsx a clerk can fix).

    The path is checked before a workbook is made: openpyxl's write-only workbook left unsaved prints its
    generator's error when it is collected, which a clerk must never see."""
    from openpyxl import Workbook

    out = Path(out)
    if out.is_dir():
        raise OldcommError(f"{out} 是一个文件夹：请给出要保存的文件名（如 未导入的行.xlsx）")
    if out.exists() and out.resolve() == Path(ledger_plan.path).resolve():
        raise OldcommError(f"{out} 就是要导入的台账：未导入的行不能存到台账本身，请换一个文件名")
    if out.suffix.lower() != ".xlsx":
        raise OldcommError(f"未导入的行保存为 Excel 工作簿，文件名应以 .xlsx 结尾：{out.name}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("ab"):
            pass  # can be written (a read-only folder, /proc …) before anything is made
    except OSError as exc:
        raise OldcommError(f"无法保存 {out}：{workbook.os_reason(exc)}") from None
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("未导入的行")
    ws.append(["行号", "处理", "原因", "提示", *ledger_plan.header.labels])
    for r in ledger_plan.rows:
        if only_rejected and r.action != REJECTED:
            continue
        ws.append([r.row, ACTION_LABELS[r.action], r.reason, "；".join(r.flags), *[_plain(v) for v in r.cells]])
    try:
        wb.save(out)
    except OSError as exc:
        raise OldcommError(f"无法保存 {out}：{workbook.os_reason(exc)}") from None
    return out


def _plain(v: Any) -> Any:
    return v if isinstance(v, (int, float, str, date)) or v is None else str(v)
