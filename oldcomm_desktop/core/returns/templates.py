"""Filling a county's .xlsx template, streamed: styles, merged headers, widths, print settings, formulas kept.

The convention (README, "报表模板约定"):

- **Placeholders** anywhere in a cell's text: `{{title}}` (the return's title, with "（草稿）" on a draft),
  `{{area}}`, `{{period}}` (2026年1–5月), `{{period_key}}` (2026-05), `{{unit}}` (填报单位), `{{filled_by}}`,
  `{{reviewer}}`, `{{phone}}`, `{{date}}` (填报日期), `{{money_unit}}`, `{{notes}}` (the rounding footnote).
  "填报单位：{{unit}}" becomes "填报单位：城关街道".
- **The data row**: the first row with a cell `{{row.CODE}}` (CODE from the return's field list, e.g.
  `{{row.name}}`, `{{row.total_investment}}`). It is written once per data row with that row's styles and
  number formats; a formula in it (`=N5-R5`) is moved to each row as Excel would when copying it.
- **Optional style rows** right under it: a row with `{{subtotal.CODE}}` cells styles the 小计 rows, one with
  `{{total.CODE}}` the 合计 row (else they take the data row's style in bold).
- `{{total.CODE}}` anywhere outside the marker rows (another sheet, the header, the footer): the written 合计
  of CODE (a number when alone in the cell), so a cover sheet can carry the totals beside the title, period
  and signature fields.
- Rows above are the header, rows below the footer. The whole workbook is carried: every sheet (placeholders
  filled on each), styles, merges, widths, heights, print settings, conditional formatting, data validation,
  comments, defined names. On the data sheet the rows go in as an Excel row insert puts them: references
  below the marker rows move down and ranges over them grow over the written rows (`RowShift`), in formulas
  on every sheet, names, rule and validation ranges, the print area and the filter.

Streaming: the template is read with openpyxl; the output is an openpyxl write-only workbook into which the
sheets are copied cell by cell, while the data rows go as row XML into a file of their own (`_DataRows`)
spliced into the data sheet at save, so 200,000 rows need no more memory than 10.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from copy import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.returns.printing import PrintedRow

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_0-9]+)?)\s*\}\}")
TOTAL_MARKER = re.compile(r"^\s*\{\{\s*total\.([a-z_0-9]+)\s*\}\}\s*$")
MARKER = re.compile(r"^\s*\{\{\s*(row|subtotal|total)\.([a-z_0-9]+)\s*\}\}\s*$")
HEADER_KEYS = (
    "title",
    "area",
    "period",
    "period_key",
    "unit",
    "filled_by",
    "reviewer",
    "phone",
    "date",
    "money_unit",
    "notes",
)


class Cancelled(OldcommError):
    """The clerk cancelled a long export; nothing was written."""

    def __init__(self) -> None:
        super().__init__("已取消，未生成文件")


@dataclass
class TemplateInfo:
    """What a template says: where the data row is and which field codes it uses."""

    sheet: str
    data_row: int
    codes: dict[int, str]  # column index → field code in the data row
    style_rows: dict[str, int] = field(default_factory=dict)  # subtotal / total → row index
    placeholders: set[str] = field(default_factory=set)


def inspect_template(path: Path, known_codes: Iterable[str] | None = None) -> TemplateInfo:
    """Find the data row; refuse a template without one, or with a field code the return does not have."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path)
    except Exception as exc:  # any unreadable file gets the same Chinese message
        raise OldcommError(f"模板文件 {path} 无法打开（{type(exc).__name__}）：请确认它是 .xlsx 文件") from None
    try:
        return _inspect(wb, path, known_codes)
    finally:
        wb.close()


def _inspect(wb: Any, path: Path, known_codes: Iterable[str] | None) -> TemplateInfo:
    known = set(known_codes) if known_codes is not None else None
    for ws in wb.worksheets:
        info: TemplateInfo | None = None
        placeholders: set[str] = set()
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                placeholders.update(PLACEHOLDER.findall(cell.value))
                m = MARKER.match(cell.value)
                if not m:
                    continue
                which, code = m.groups()
                if known is not None and code not in known:
                    raise OldcommError(
                        f"模板 {path.name} 的工作表“{ws.title}”{cell.coordinate} 单元格字段代码“{code}”不认识；"
                        f"可用的代码：{'、'.join(sorted(known))}"
                    )
                if which == "row":
                    if info is None:
                        info = TemplateInfo(ws.title, cell.row, {})
                    if cell.row == info.data_row:
                        info.codes[cell.column] = code
                elif info is not None:
                    info.style_rows.setdefault(which, cell.row)
        if info is not None:
            info.placeholders = placeholders
            _check_totals(wb, info, path, known)
            return info
    raise OldcommError(f"模板 {path.name} 中没有数据行：请在表头下一行的单元格写上字段代码，如 {{{{row.name}}}}")


def _check_totals(wb: Any, info: TemplateInfo, path: Path, known: set[str] | None) -> None:
    """`{{total.CODE}}` outside the data sheet's marker rows is the written 合计 of CODE (every sheet, the
    header and the footer are written after the rows); `{{row.…}}`/`{{subtotal.…}}` belong to marker rows."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or "{{" not in cell.value:
                    continue
                for name in PLACEHOLDER.findall(cell.value):
                    if "." not in name:
                        continue
                    which, code = name.split(".", 1)
                    where = f"模板 {path.name} 的工作表“{ws.title}”{cell.coordinate} 单元格"
                    if ws.title == info.sheet and cell.row >= info.data_row and MARKER.match(cell.value):
                        continue  # the data row or a style row
                    if which != "total":
                        raise OldcommError(f"{where}的“{{{{{name}}}}}”只能写在数据表的数据行（或小计、合计样式行）")
                    if known is not None and code not in known:
                        raise OldcommError(f"{where}字段代码“{code}”不认识；可用的代码：{'、'.join(sorted(known))}")


def _fill_text(text: str, values: Mapping[str, Any]) -> str:
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "") or ""), text)


def _style_of(cell: Any, target: Any) -> None:
    if cell.has_style:
        target.font = copy(cell.font)
        target.fill = copy(cell.fill)
        target.border = copy(cell.border)
        target.alignment = copy(cell.alignment)
        target.number_format = cell.number_format
        target.protection = copy(cell.protection)


def fill(
    template: Path,
    rows: Iterable[PrintedRow],
    out: Path,
    header: Mapping[str, Any],
    *,
    known_codes: Iterable[str] | None = None,
    date_codes: Iterable[str] = (),
    progress: Any = None,
    expected: int = 0,
) -> int:
    """Write `rows` into a copy of `template` at `out`; returns the number of rows written.

    Every sheet of the template is carried over (cells, styles, merges, widths, heights, print settings,
    conditional formatting, data validation, sheet and workbook defined names); the data sheet gets the rows
    as if inserted in Excel, so references below the marker rows move down and ranges over them grow.
    The file appears at `out` only when complete (written beside it, then renamed), so a cancelled or failed
    export leaves whatever was there before.
    """
    from openpyxl import Workbook, load_workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formula.translate import Translator
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    template = Path(template)
    try:
        src_wb = load_workbook(template)
    except Exception as exc:
        raise OldcommError(f"模板文件 {template} 无法打开（{type(exc).__name__}）：请确认它是 .xlsx 文件") from None
    info = _inspect(src_wb, template, known_codes)
    src = src_wb[info.sheet]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    _copy_workbook_settings(src_wb, wb)
    pairs = []
    for sheet in src_wb.worksheets:  # created in the template's order; each is written when its turn comes
        target = wb.create_sheet(sheet.title)
        _copy_sheet_settings(sheet, target)
        pairs.append((sheet, target))
    ws = wb[info.sheet]
    values = header  # read lazily: the footer may depend on what the rows added up to

    skip_rows = {info.data_row, *info.style_rows.values()}
    last_marker = max(skip_rows)
    max_col = src.max_column

    # one prototype style array per column for each row kind; formulas in the data row per column
    date_set = set(date_codes)

    def protos(r: int, bold: bool) -> list[Any]:
        arr = []
        for c in range(1, max_col + 1):
            sc = src.cell(row=r, column=c)
            proto = WriteOnlyCell(ws)
            _style_of(sc, proto)
            if info.codes.get(c) in date_set and proto.number_format == "General":
                proto.number_format = "yyyy-mm-dd"
            if bold:
                f = copy(proto.font) if proto.has_style else Font()
                proto.font = Font(name=f.name, sz=f.sz, b=True, color=f.color)
            # the private style array is not in openpyxl's stubs; sharing it keeps streaming fast
            arr.append(proto._style if proto.has_style else None)  # type: ignore[attr-defined]
        return arr

    styles = {
        "data": protos(info.data_row, False),
        "subtotal": protos(info.style_rows["subtotal"], False)
        if "subtotal" in info.style_rows
        else protos(info.data_row, True),
        "total": protos(info.style_rows["total"], False) if "total" in info.style_rows else protos(info.data_row, True),
    }
    formulas = {
        c: v
        for c in range(1, max_col + 1)
        if isinstance(v := src.cell(row=info.data_row, column=c).value, str) and v.startswith("=")
    }
    origin_row = info.data_row
    plan = [(c, info.codes.get(c), formulas.get(c)) for c in range(1, max_col + 1)]

    def ordinary_cells(row: PrintedRow, dest: int) -> list[Any]:
        """A row as openpyxl cells: a data row with formulas, or a value the quick writer does not know."""
        cells = []
        vals = row.values
        for (c, code, formula), st in zip(plan, styles[row.kind], strict=True):
            cell = WriteOnlyCell(ws)
            cell.row, cell.column = dest, c
            if code is not None:
                _bind(cell, vals.get(code))
            elif formula is not None:
                cell.value = Translator(formula, origin=f"{get_column_letter(c)}{origin_row}").translate_formula(
                    f"{get_column_letter(c)}{dest}"
                )
            if st is not None:
                cell._style = st  # type: ignore[attr-defined]  # shared, never changed: the writer only reads it
            cells.append(cell)
        return cells

    for _sheet, target in pairs:
        _stream_cells(target)
    data_rows = _DataRows(ws, plan, styles, ordinary_cells, quick=not formulas, directory=out.parent)

    written = 0
    dest = info.data_row
    try:
        for row in rows:
            data_rows.write(row, dest)
            dest += 1
            written += 1
            if progress is not None and written % 1000 == 0:
                if getattr(progress, "cancelled", False):
                    raise Cancelled()
                progress.report(written, max(expected, written), f"已写入 {written:,} 行")
    except BaseException:
        src_wb.close()
        data_rows.discard()
        for _sheet, target in pairs:
            _abandon(target)
        raise
    moved = RowShift(info.sheet, info.data_row, last_marker, info.style_rows.get("total"), dest - 1)

    # header: written now, after the rows (they wait in their own file), so its formulas and `{{total.…}}`
    # fields can point at the written rows and the 合计
    for r in range(1, info.data_row):
        ws.append(_copy_row(src, ws, r, r, values, moved))
    data_rows.end(written)

    # footer
    for r in range(last_marker + 1, _last_row(src) + 1):
        ws.append(_copy_row(src, ws, r, moved.row(r, "single"), values, moved))

    # merged cells: header ones stay, footer ones move down, none inside the data rows
    for rng in src.merged_cells.ranges:
        if rng.max_row < info.data_row:
            ws.merged_cells.add(rng.coord)
        elif rng.min_row > last_marker:
            shifted = copy(rng)
            shifted.shift(0, moved.delta)
            ws.merged_cells.add(shifted.coord)

    # the other sheets (a cover page, notes, lists for validation), now that the totals are known
    for sheet, target in pairs:
        if sheet is src:
            continue
        for r in range(1, _last_row(sheet) + 1):
            target.append(_copy_row(sheet, target, r, r, values, moved))
        for rng in sheet.merged_cells.ranges:
            target.merged_cells.add(rng.coord)
    for sheet, target in pairs:
        _copy_sheet_tail(sheet, target, moved)
    for name, dn in src_wb.defined_names.items():
        wb.defined_names[name] = _moved_name(dn, moved)
    src_wb.close()

    fd, tmp = tempfile.mkstemp(prefix=".oldcomm-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        ws.close()
        data_rows.splice()
        wb.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        data_rows.discard()
        raise
    if progress is not None:
        progress.report(written, written, "完成")
    return written


# -- moving references as Excel does when rows are inserted ---------------------------------------------------
_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)$")
_ROWS = re.compile(r"^(\$?)(\d+)$")


@dataclass(frozen=True)
class RowShift:
    """Where the data sheet's template rows went: the marker rows became `first`..`last`, rows below moved."""

    sheet: str
    first: int  # the data row (unchanged)
    last_marker: int  # the template's last marker row (data, 小计 or 合计 style row)
    total_marker: int | None
    last: int  # the last written row (the 合计)

    @property
    def delta(self) -> int:
        return self.last - self.last_marker

    def row(self, r: int, how: str) -> int:
        """`how`: start or end of a range (a range over the marker rows spans all written rows), or single
        (a single cell on the 合计 style row is the written 合计; on the other marker rows the first row)."""
        if r < self.first:
            return r
        if r > self.last_marker:
            return r + self.delta
        if how == "start":
            return self.first
        if how == "end" or r == self.total_marker:
            return self.last
        return self.first


def _move_ref(ref: str, on_data_sheet: bool, moved: RowShift) -> str:
    sheet_part = ""
    if "!" in ref:
        sheet_part, ref = ref.rsplit("!", 1)
        name = sheet_part.strip("'").replace("''", "'")
        on_data_sheet = name == moved.sheet
        sheet_part += "!"
    if not on_data_sheet:
        return sheet_part + ref
    parts = ref.split(":")
    if len(parts) > 2:
        return sheet_part + ref
    out = []
    for i, part in enumerate(parts):
        how = "single" if len(parts) == 1 else ("start" if i == 0 else "end")
        m = _CELL.match(part)
        if m:
            out.append(f"{m.group(1)}{m.group(2)}{m.group(3)}{moved.row(int(m.group(4)), how)}")
            continue
        m = _ROWS.match(part)
        if m and len(parts) == 2:
            out.append(f"{m.group(1)}{moved.row(int(m.group(2)), how)}")
            continue
        out.append(part)  # a whole column, a name: unchanged
    return sheet_part + ":".join(out)


def move_formula(formula: str, sheet: str | None, moved: RowShift) -> str:
    """`formula` (with or without "=") with its references to the data sheet moved by `moved`.

    `sheet` is the sheet the formula lives on (references without a sheet name are to it); None for
    workbook-level names, whose references always name their sheet."""
    from openpyxl.formula.tokenizer import Token, Tokenizer

    eq = formula.startswith("=")
    try:
        tok = Tokenizer(formula if eq else "=" + formula)
    except Exception:  # not a formula openpyxl can read: leave it as the template has it
        return formula
    here = sheet == moved.sheet
    text = "".join(
        _move_ref(t.value, here, moved) if t.type == Token.OPERAND and t.subtype == Token.RANGE else t.value
        for t in tok.items
    )
    return ("=" if eq else "") + text


def _move_range(coord: str, sheet: str, moved: RowShift) -> str:
    """A range a rule or list applies to: on the data row it grows over every written row (on the 合计 style
    row alone it is the written 合计)."""
    if sheet != moved.sheet:
        return coord
    m = _CELL.match(coord)
    if m and int(m.group(4)) != moved.total_marker:
        coord = f"{coord}:{coord}"
    first, _, second = _move_ref(coord, True, moved).partition(":")
    return first if not second or first == second else f"{first}:{second}"


def _moved_name(dn: Any, moved: RowShift) -> Any:
    new = copy(dn)
    if dn.value and not str(dn.value).startswith('"'):
        new.value = move_formula(str(dn.value), None, moved)
    return new


# -- copying a sheet --------------------------------------------------------------------------------------------
def _copy_workbook_settings(src_wb: Any, wb: Any) -> None:
    wb.calculation = copy(src_wb.calculation)
    wb.calculation.fullCalcOnLoad = True  # the copied formulas carry no cached values: let Excel/WPS compute
    wb._active_sheet_index = src_wb._active_sheet_index
    with contextlib.suppress(Exception):
        wb.properties = copy(src_wb.properties)


def _copy_sheet_settings(src: Any, ws: Any) -> None:
    """What a write-only sheet must know before its first row: columns, views, sheet format and properties;
    and the print settings (written at the end, set here because they do not depend on the rows)."""
    for key, dim in src.column_dimensions.items():
        ws.column_dimensions[key] = copy(dim)
        ws.column_dimensions[key].parent = ws
    ws.sheet_format = copy(src.sheet_format)
    ws.sheet_properties = copy(src.sheet_properties)
    ws.sheet_state = src.sheet_state
    ws.page_setup = copy(src.page_setup)
    ws.page_setup._parent = ws
    ws.print_options = copy(src.print_options)
    ws.page_margins = copy(src.page_margins)
    ws.HeaderFooter = copy(src.HeaderFooter)
    ws.views = copy(src.views)
    ws.protection = copy(src.protection)
    ws.row_breaks = copy(src.row_breaks)
    ws.col_breaks = copy(src.col_breaks)
    if src.print_title_rows:
        ws.print_title_rows = src.print_title_rows
    if src.print_title_cols:
        ws.print_title_cols = src.print_title_cols


def _copy_sheet_tail(src: Any, ws: Any, moved: RowShift) -> None:
    """What is written after the rows: conditional formatting, data validation, filters, print area, names —
    on the data sheet with their ranges over the marker rows grown to the written rows."""
    from openpyxl.worksheet.datavalidation import DataValidation

    title = src.title
    for cf in src.conditional_formatting:
        sqref = " ".join(_move_range(str(r.coord), title, moved) for r in cf.sqref.ranges)
        for rule in cf.rules:
            new = copy(rule)
            if rule.formula:
                new.formula = [move_formula(str(f), title, moved) for f in rule.formula]
            ws.conditional_formatting.add(sqref, new)
    for dv in src.data_validations.dataValidation:
        new_dv = copy(dv)
        assert isinstance(new_dv, DataValidation)
        new_dv.sqref = " ".join(_move_range(str(r.coord), title, moved) for r in dv.sqref.ranges)
        if dv.formula1:
            new_dv.formula1 = move_formula(str(dv.formula1), title, moved)
        if dv.formula2:
            new_dv.formula2 = move_formula(str(dv.formula2), title, moved)
        ws.data_validations.append(new_dv)
    if src.auto_filter.ref:
        ws.auto_filter = copy(src.auto_filter)
        ws.auto_filter.ref = _move_range(src.auto_filter.ref, title, moved)
    if src.print_area:
        areas = []
        for part in str(src.print_area).split(","):
            ref = part.rsplit("!", 1)[-1]
            areas.append(_move_range(ref, title, moved).replace("$", ""))
        ws.print_area = areas
    for name, dn in src.defined_names.items():
        ws.defined_names[name] = _moved_name(dn, moved)


def _last_row(sheet: Any) -> int:
    """The last row with a cell, or with a height, hidden state or outline level of its own."""
    sized = [r for r, d in sheet.row_dimensions.items() if d.ht is not None or d.hidden or d.outlineLevel]
    return max([sheet.max_row, *sized])


def _copy_row(src: Any, ws: Any, r: int, dest: int, values: Mapping[str, Any], moved: RowShift | None) -> list[Any]:
    """Template row `r` as cells for row `dest` of `ws`: placeholders filled, formulas' references moved
    (only once the rows are written: `moved` None leaves them), styles, comments and the row's height."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet.dimensions import RowDimension

    cells: list[Any] = []
    for c in range(1, src.max_column + 1):
        sc = src._cells.get((r, c))
        if sc is None:
            cells.append(None)
            continue
        v = sc.value
        if isinstance(v, str):
            if v.startswith("=") and moved is not None:
                v = move_formula(v, src.title, moved)
            elif "{{" in v:
                m = TOTAL_MARKER.match(v)
                v = values.get(f"total.{m.group(1)}") if m else _fill_text(v, values)
        cell = WriteOnlyCell(ws, value=v)
        _style_of(sc, cell)
        if sc.comment is not None:
            cell.comment = copy(sc.comment)
        if sc.hyperlink is not None:
            cell.hyperlink = copy(sc.hyperlink)
        cells.append(cell)
    while cells and cells[-1] is None:
        cells.pop()
    cells = [x if x is not None else WriteOnlyCell(ws) for x in cells]
    dim = src.row_dimensions.get(r) if r in src.row_dimensions else None
    if dim is not None and (dim.ht is not None or dim.hidden or dim.outlineLevel):
        ws.row_dimensions[dest] = RowDimension(
            ws,
            index=dest,
            ht=dim.ht,
            customHeight=dim.ht is not None,
            hidden=dim.hidden,
            outlineLevel=dim.outlineLevel,
        )
    return cells


ProgressFn = Callable[[int, int, str], None]
_NUMBERS = (int, Decimal, float)


def _bind(cell: Any, value: Any) -> None:
    """Set a cell's value; numbers and dates directly (openpyxl's general binder is the slow part of a big
    return), anything else through openpyxl's own checks (strings: illegal characters, formulas)."""
    if value is None:
        return
    t = type(value)
    if t in _NUMBERS:
        cell._value, cell.data_type = value, "n"
    elif t is date:
        cell._value, cell.data_type = value, "d"
    else:
        cell.value = value


_EXCEL_DAY0 = date(1899, 12, 30).toordinal()
# openpyxl's ILLEGAL_CHARACTERS_RE, and what XML 1.0 forbids besides (lone surrogates, U+FFFE, U+FFFF)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class _DataRows:
    """The data rows as `<row>` XML text in a file of their own, spliced into the sheet when it is saved.

    openpyxl's write-only sheet writes each cell through a stack of lxml context managers and looks its style
    up in a hashed list for every cell: ~20 µs a cell, 200,000 rows × 34 columns = over two minutes. Here each
    column's style id is found once per row kind and each value is formatted by its type, as openpyxl writes
    it: numbers as written (a Decimal keeps its places exactly), text as an inline string, dates as Excel
    serials (openpyxl's default). A row with a formula or a value of another type is made of openpyxl cells
    and serialised by openpyxl's own cell writer. The sheet gets one marker row where the data rows go, its
    footer rows are numbered past them, and at save the marker row is replaced by this file's rows; styles,
    the rest of the sheet, the workbook and the zip are openpyxl's.
    """

    TOKEN = "oldcomm-data-rows-c2f0e9d4a7b14c5e"  # ASCII: the sheet's XML may write other text as &#…;

    def __init__(
        self,
        ws: Any,
        plan: list[tuple[int, str | None, str | None]],
        styles: dict[str, list[Any]],
        ordinary: Callable[[PrintedRow, int], list[Any]],
        *,
        quick: bool,
        directory: Path,
    ) -> None:
        from openpyxl.utils import get_column_letter

        self.ws, self.ordinary, self.quick = ws, ordinary, quick
        registry = ws.parent._cell_styles
        self.columns = {
            kind: [
                (code, f'<c r="{get_column_letter(c)}\x00"' + (f' s="{registry.add(st)}"' if st is not None else ""))
                for (c, code, _f), st in zip(plan, arr, strict=True)
            ]
            for kind, arr in styles.items()
        }
        fd, self.path = tempfile.mkstemp(prefix=".oldcomm-rows-", suffix=".xml", dir=directory)
        self.fh = open(fd, "w", encoding="utf-8", errors="replace", newline="")  # closed in splice or discard
        self.rows = 0
        self.offset = 0  # the footer's rows come after the written rows, not after the one marker row
        ws._get_writer()
        writer = ws._writer
        write_row, values_to_row = writer.write_row, ws._values_to_row

        def offset_write_row(xf: Any, row: Any, row_idx: int) -> None:
            write_row(xf, row, row_idx + self.offset)

        def offset_values_to_row(values: Any, row_idx: int) -> Any:
            return values_to_row(values, row_idx + self.offset)

        writer.write_row = offset_write_row
        ws._values_to_row = offset_values_to_row

    def write(self, row: PrintedRow, dest: int) -> None:
        text = self.quick_xml(row) if self.quick else None
        if text is None:
            text = self.ordinary_xml(row, dest)
        self.fh.write(text.replace("\x00", str(dest)))
        self.rows += 1

    def quick_xml(self, row: PrintedRow) -> str | None:
        """The row's XML with "\\0" where its row number goes; None if a value needs openpyxl's writer."""
        vals = row.values
        parts = ['<row r="\x00">']
        add = parts.append
        for code, head in self.columns[row.kind]:
            v = vals.get(code) if code is not None else None
            if v is None or v == "":
                if ' s="' in head:  # a styled empty cell (its border, its fill) is written, as openpyxl does
                    add(head + "/>")
                continue
            t = type(v)
            if t is str:
                if not v.isprintable():  # cheap for the usual text; the rare control character goes
                    v = _ILLEGAL.sub("", v)
                    if not v:
                        if ' s="' in head:
                            add(head + "/>")
                        continue
                if "&" in v or "<" in v or ">" in v:
                    v = v.translate(_ESCAPES)
                space = ' xml:space="preserve"' if v[0].isspace() or v[-1].isspace() else ""
                add(f'{head} t="inlineStr"><is><t{space}>{v}</t></is></c>')
            elif t is int:
                add(f'{head} t="n"><v>{v}</v></c>')
            elif t is Decimal:
                if not v.is_finite():
                    return None
                add(f'{head} t="n"><v>{v:f}</v></c>')
            elif t is date:
                days = v.toordinal() - _EXCEL_DAY0
                add(f'{head} t="n"><v>{days - 1 if 0 < days <= 60 else days}</v></c>')
            elif t is bool:
                add(f'{head} t="b"><v>{int(v)}</v></c>')
            else:
                return None
        add("</row>")
        return "".join(parts)

    def ordinary_xml(self, row: PrintedRow, dest: int) -> str:
        from openpyxl.cell._writer import etree_write_cell
        from openpyxl.xml.functions import Element, tostring

        el = Element("row", {"r": str(dest)})

        class _Into:
            write = el.append

        for cell in self.ordinary(row, dest):
            if cell._value is None and not cell.has_style:
                continue
            etree_write_cell(_Into, self.ws, cell, cell.has_style)
        text = tostring(el, encoding="unicode")  # type: ignore[call-overload]  # lxml's and ElementTree's both take it
        text = str(text)
        xml_ns = ' xmlns:ns0="http://www.w3.org/XML/1998/namespace"'  # ElementTree without lxml may write this
        if xml_ns in text:
            text = text.replace(xml_ns, "").replace(' ns0:space="', ' xml:space="')
        return text

    def end(self, written: int) -> None:
        """After the last data row: the marker row in the sheet, and the footer numbered past the rows."""
        from openpyxl.cell import WriteOnlyCell

        if written:
            self.ws.append([WriteOnlyCell(self.ws, value=self.TOKEN)])
            self.offset = written - 1

    def splice(self) -> None:
        """Replace the (closed) sheet's marker row with the rows file, in the sheet's own temporary file."""
        self.fh.close()
        sheet = Path(self.ws._writer.out)
        if self.rows:
            data = sheet.read_bytes()  # the sheet without its data rows: header, marker, footer, settings
            i = data.find(self.TOKEN.encode())
            start, end = data.rfind(b"<row", 0, i), data.find(b"</row>", i) + len(b"</row>")
            if i < 0 or start < 0 or end < len(b"</row>"):
                raise OldcommError("生成报表时出错：数据行的位置丢失")
            joined = sheet.with_name(sheet.name + ".joined")
            with joined.open("wb") as fh, open(self.path, "rb") as rows:
                fh.write(data[:start])
                shutil.copyfileobj(rows, fh, 1 << 20)
                fh.write(data[end:])
            os.replace(joined, sheet)
        Path(self.path).unlink(missing_ok=True)

    def discard(self) -> None:
        with contextlib.suppress(Exception):
            self.fh.close()
        Path(self.path).unlink(missing_ok=True)


def _abandon(ws: Any) -> None:
    """Finish and delete the write-only sheet's temporary file (openpyxl would only remove it at exit)."""
    with contextlib.suppress(Exception):
        ws.close()
        Path(ws._writer.out).unlink(missing_ok=True)


def _stream_cells(ws: Any) -> None:
    """Let the write-only sheet take our ready-made cells as they are.

    openpyxl's write-only `append` first tries each item as a value and only on a ValueError (with the cell's
    repr in the message) takes it as a cell — for every styled cell. Every item we append is a cell, so the
    sheet's row converter is replaced by one that only numbers them. Falls back silently if openpyxl changes.
    """
    if not hasattr(ws, "_values_to_row"):
        return

    def cells_to_row(values: list[Any], row_idx: int):  # a generator, as openpyxl's is
        for col_idx, cell in enumerate(values, 1):
            cell.column = col_idx
            cell.row = row_idx
            yield cell

    ws._values_to_row = cells_to_row
