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
- Rows above are the header, rows below the footer (moved down; their merges and formulas move with them).
  Column widths, row heights of header and footer, merged cells, freeze panes, page setup, margins, print
  titles and header/footer text are kept. Only the sheet holding the data row is filled.

Streaming: the template (a few rows) is read with openpyxl; the output is an openpyxl write-only workbook
into which the header is copied cell by cell, then the data rows are streamed with the marker row's
styles reused as they are (one style array per column), so 200,000 rows need no more memory than 10.
"""

from __future__ import annotations

import contextlib
import os
import re
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

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
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
                        f"模板 {path.name} 的 {cell.coordinate} 单元格字段代码“{code}”不认识；"
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
            return info
    raise OldcommError(f"模板 {path.name} 中没有数据行：请在表头下一行的单元格写上字段代码，如 {{{{row.name}}}}")


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

    The file appears at `out` only when complete (written beside it, then renamed), so a cancelled or failed
    export leaves whatever was there before.
    """
    from openpyxl import Workbook, load_workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formula.translate import Translator
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.dimensions import RowDimension

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
    ws = wb.create_sheet(src.title)
    values = header  # read lazily: the footer may depend on what the rows added up to

    # sheet-level settings, before the first row (openpyxl writes columns and views at the first append)
    for key, dim in src.column_dimensions.items():
        ws.column_dimensions[key] = copy(dim)
        ws.column_dimensions[key].parent = ws
    ws.sheet_format = copy(src.sheet_format)
    ws.sheet_properties = copy(src.sheet_properties)
    ws.page_setup = copy(src.page_setup)
    ws.page_setup._parent = ws
    ws.print_options = copy(src.print_options)
    ws.page_margins = copy(src.page_margins)
    ws.HeaderFooter = copy(src.HeaderFooter)
    ws.views = copy(src.views)
    if src.print_title_rows:
        ws.print_title_rows = src.print_title_rows
    if src.print_title_cols:
        ws.print_title_cols = src.print_title_cols
    if src.freeze_panes:
        ws.freeze_panes = src.freeze_panes

    skip_rows = {info.data_row, *info.style_rows.values()}
    last_marker = max(skip_rows)
    max_col = src.max_column

    def copy_row(r: int, dest: int) -> list[Any]:
        cells = []
        for c in range(1, max_col + 1):
            sc = src.cell(row=r, column=c)
            v = sc.value
            if isinstance(v, str):
                if v.startswith("=") and dest != r:
                    v = Translator(v, origin=sc.coordinate).translate_formula(f"{get_column_letter(c)}{dest}")
                elif "{{" in v:
                    v = _fill_text(v, values)
            # the stub narrows `value` to str/float/datetime; openpyxl takes any cell value (Decimal, date, rich text)
            cell = WriteOnlyCell(ws, value=v)  # type: ignore[arg-type]
            _style_of(sc, cell)
            cells.append(cell)
        if r in src.row_dimensions and src.row_dimensions[r].ht is not None:
            ws.row_dimensions[dest] = RowDimension(ws, index=dest, ht=src.row_dimensions[r].ht, customHeight=True)
        return cells

    # header
    for r in range(1, info.data_row):
        ws.append(copy_row(r, r))

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

    written = 0
    dest = info.data_row
    _stream_cells(ws)
    for row in rows:
        style = styles[row.kind]
        cells = []
        vals = row.values
        for (c, code, formula), st in zip(plan, style, strict=True):
            cell = WriteOnlyCell(ws)
            if code is not None:
                _bind(cell, vals.get(code))
            elif formula is not None:
                cell.value = Translator(formula, origin=f"{get_column_letter(c)}{origin_row}").translate_formula(
                    f"{get_column_letter(c)}{dest}"
                )
            if st is not None:
                cell._style = st  # type: ignore[attr-defined]  # shared, never changed: the writer only reads it
            cells.append(cell)
        ws.append(cells)
        dest += 1
        written += 1
        if progress is not None and written % 1000 == 0:
            if getattr(progress, "cancelled", False):
                src_wb.close()
                _abandon(ws)
                raise Cancelled()
            progress.report(written, max(expected, written), f"已写入 {written:,} 行")
    shift = dest - 1 - last_marker

    # footer
    for r in range(last_marker + 1, src.max_row + 1):
        ws.append(copy_row(r, r + shift))

    # merged cells: header ones stay, footer ones move down, none inside the data rows
    for rng in src.merged_cells.ranges:
        if rng.max_row < info.data_row:
            ws.merged_cells.add(rng.coord)
        elif rng.min_row > last_marker:
            moved = copy(rng)
            moved.shift(0, shift)
            ws.merged_cells.add(moved.coord)
    if src.print_area:
        last_col = get_column_letter(max_col)
        ws.print_area = f"A1:{last_col}{src.max_row + shift}"
    src_wb.close()

    fd, tmp = tempfile.mkstemp(prefix=".oldcomm-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if progress is not None:
        progress.report(written, written, "完成")
    return written


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
