"""Opening a ledger file safely and reading one sheet's cells (python-calamine: fast, merged ranges too).

calamine gives an error cell and a formula saved without its value as an empty cell, and does not say which
rows are hidden; those are read from the sheet's XML beside it (`Sheet.notes`, `Sheet.hidden_rows`) so the
import can say so instead of reading them silently.

Before any parser sees a file we check what it is, from its first bytes: an .xlsx is a zip; an encrypted
(password-protected) workbook or an old .xls is an OLE compound file (D0 CF 11 E0); anything else is not
Excel. Files and sheets above the size limits are refused rather than read into memory. XML parsing by
openpyxl (used for reports and mapping files) is hardened by defusedxml, which openpyxl picks up when it
is installed.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oldcomm_desktop.core.errors import OldcommError

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableFile(OldcommError):
    """The file is not an Excel workbook we can read; the message says why, in Chinese."""


ERROR = "error"  # an error value (#DIV/0!, #REF!, #VALUE!, #N/A …)
NO_VALUE = "formula"  # a formula saved without its computed value


@dataclass(frozen=True)
class CellNote:
    """What a cell read as empty really holds: the reader gives '' for both kinds, which must not pass as an
    empty cell."""

    kind: str  # ERROR | NO_VALUE
    text: str  # the error ("#DIV/0!") or the formula ("=B2*2")


@dataclass
class Sheet:
    name: str
    cells: list[list[Any]]  # rows of values; '' for empty cells; merged areas filled from their first cell
    merged: list[tuple[int, int, int, int]]  # (first row, first col, last row, last col), 0-based
    hidden_rows: frozenset[int] = frozenset()  # 0-based rows hidden in Excel (by hand, a filter or an outline)
    notes: dict[tuple[int, int], CellNote] = field(default_factory=dict)  # (row, col), 0-based
    hidden_columns: frozenset[int] = frozenset()  # 0-based columns hidden in Excel
    chosen: str = ""  # why this sheet was read when none was named (another sheet is hidden …), or ""

    def filled(self, row: int) -> set[int]:
        """The columns of `row` (0-based) whose value was filled in from a merged cell above or to the left: what
        the row does not say itself (a 街道 merged down over its subtotal row)."""
        return {
            c for r0, c0, r1, c1 in self.merged if r0 <= row <= r1 for c in range(c0, c1 + 1) if (row, c) != (r0, c0)
        }


_OS_REASONS = {
    "ENOENT": "无法在该位置创建文件（文件夹不存在或不能写入）",
    "EACCES": "没有写入权限",
    "EPERM": "没有写入权限",
    "EROFS": "该位置是只读的",
    "ENOSPC": "磁盘空间不足",
    "EDQUOT": "磁盘配额已满",
    "EISDIR": "这是一个文件夹",
    "ENOTDIR": "路径中有一段不是文件夹",
    "EEXIST": "路径中有一段是文件而不是文件夹",
    "ENAMETOOLONG": "文件名或路径太长",
    "EBUSY": "文件正被占用",
    "ETXTBSY": "文件正被占用",
    "EINVAL": "文件名不合法",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Chinese (the OS's own text is English or the system's)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    if isinstance(exc, PermissionError) and not name:
        name = "EACCES"
    return _OS_REASONS.get(name, f"系统错误（{name or '未知'}）" if name else "系统错误")


def _ole_kind(path: Path) -> str | None:
    """What an OLE compound file holds, from its stream names (UTF-16 in its directory), not its extension:
    "encrypted" (a password-protected .xlsx: EncryptedPackage), "xls" (Workbook / Book), or None."""
    with path.open("rb") as fh:
        data = fh.read(8 * 1024 * 1024)
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return "encrypted"
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return "xls"
    return None


def check_file(path: Path) -> None:
    """Refuse, with a clear Chinese message, a missing, huge, encrypted, .xls, broken or non-Excel file."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(f"找不到文件 {path}")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(f"文件 {path.name} 是空的")
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"文件 {path.name} 太大（{size // 1024 // 1024} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）"
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        kind = _ole_kind(path)
        if kind == "xls" or (kind is None and path.suffix.lower() == ".xls"):
            raise UnreadableFile(
                f"{path.name} 是旧版 Excel 97-2003（.xls）文件，请在 Excel 或 WPS 中另存为 .xlsx 后再导入"
            )
        raise UnreadableFile(
            f"{path.name} 设置了打开密码（已加密），请在 Excel 或 WPS 中取消密码并另存为 .xlsx 后再导入"
        )
    if not head.startswith(b"PK"):
        raise UnreadableFile(f"{path.name} 不是 Excel 文件（.xlsx），请确认文件类型")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            unpacked = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile(f"{path.name} 已损坏，无法打开（可能没有完整下载或复制）") from None
    if "xl/workbook.xml" not in names:
        raise UnreadableFile(f"{path.name} 不是 Excel 工作簿（可能是 Word 或其他压缩文件）")
    if unpacked > MAX_FILE_BYTES * 10:
        raise UnreadableFile(f"{path.name} 解压后过大，拒绝读取")


def sheet_names(path: Path) -> list[str]:
    check_file(path)
    return list(_open(path).sheet_names)


def _open(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(f"{Path(path).name} 无法读取：文件已损坏或格式不对（{type(exc).__name__}）") from None


def read_sheet(path: Path, sheet: str | int | None = None) -> Sheet:
    """One sheet's cells (the first sheet by default), merged areas filled from their top-left cell."""
    check_file(path)
    wb = _open(path)
    names = list(wb.sheet_names)
    if not names:
        raise UnreadableFile(f"{Path(path).name} 中没有工作表")
    chosen = ""
    if sheet is None or sheet == "":
        name, chosen = _default_sheet(Path(path), names)
    elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        index = int(sheet) - 1
        if not 0 <= index < len(names):
            raise OldcommError(f"没有第 {sheet} 个工作表（共 {len(names)} 个：{'、'.join(names)}）")
        name = names[index]
    else:
        if sheet not in names:
            raise OldcommError(f"没有名为“{sheet}”的工作表（有：{'、'.join(names)}）")
        name = str(sheet)
    try:
        ws = wb.get_sheet_by_name(name)
        if ws.height > MAX_ROWS or ws.width > MAX_COLUMNS:
            raise UnreadableFile(f"工作表“{name}”太大（{ws.height} 行 × {ws.width} 列）")
        cells = [list(r) for r in ws.to_python(skip_empty_area=False)]
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(f"工作表“{name}”无法读取：文件已损坏或格式不对（{type(exc).__name__}）") from None
    _fill_merged(cells, merged)
    hidden, notes, columns = _cell_notes(Path(path), name)
    return Sheet(name, cells, merged, hidden, notes, columns, chosen)


def _default_sheet(path: Path, names: list[str]) -> tuple[str, str]:
    """The sheet read when none is named: the one the workbook opens on when it is visible, else the first
    visible one (a hidden first sheet is often an old copy) — and, when that is not simply the first sheet,
    what to tell the clerk."""
    hidden: set[str] = set()
    active = 0
    try:
        with zipfile.ZipFile(path) as zf:
            for el in _parse_xml(zf.read("xl/workbook.xml")).iter():
                tag = el.tag.rsplit("}", 1)[-1]
                if tag == "sheet" and el.get("state") in ("hidden", "veryHidden"):
                    hidden.add(el.get("name") or "")
                elif tag == "workbookView" and (el.get("activeTab") or "").isdigit():
                    active = int(el.get("activeTab") or 0)
    except (KeyError, OSError, zipfile.BadZipFile, SyntaxError, ValueError):
        return names[0], ""
    visible = [n for n in names if n not in hidden]
    if not visible:
        return names[0], ""
    name = names[active] if active < len(names) and names[active] not in hidden else visible[0]
    if name == names[0]:
        return name, ""
    skipped = [n for n in names if n in hidden]
    why = f"（隐藏的工作表“{'”“'.join(skipped)}”未读）" if skipped else "（打开文件时显示的工作表）"
    return name, f"未指定工作表，读的是“{name}”{why}；要读其他工作表请用 --sheet 指定"


_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*>([^<]*)</")
CHUNK = 8 * 1024 * 1024


def _parse_xml(data: bytes) -> Any:
    from defusedxml import ElementTree  # type: ignore[import-untyped]  # no stubs; refuses entity bombs

    return ElementTree.fromstring(data)


def _sheet_part(zf: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding the sheet called `name` (xl/worksheets/sheet1.xml …), from the workbook's list of
    sheets and its relationships."""
    rid = None
    for el in _parse_xml(zf.read("xl/workbook.xml")).iter():
        if el.tag.rsplit("}", 1)[-1] == "sheet" and el.get("name") == name:
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
    if rid is None:
        return None
    for el in _parse_xml(zf.read("xl/_rels/workbook.xml.rels")).iter():
        if el.get("Id") == rid:
            target = el.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _cell_notes(path: Path, name: str) -> tuple[frozenset[int], dict[tuple[int, int], CellNote], frozenset[int]]:
    """Hidden rows, error cells and formulas without a computed value, from the sheet's XML: calamine reads
    the last two as empty cells and knows nothing of the first. The XML is scanned in pieces cut between
    rows with plain byte searches (a 100,000-row sheet with a formula in every row: ~0.3 s)."""
    hidden: set[int] = set()
    notes: dict[tuple[int, int], CellNote] = {}
    columns: set[int] = set()
    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, name)
            if part is None:
                return frozenset(), {}, frozenset()
            with zf.open(part) as fh:
                rest = b""
                while True:
                    chunk = fh.read(CHUNK)
                    data = rest + chunk
                    if not chunk:
                        _scan(data, hidden, notes, columns)
                        break
                    cut = _row_boundary(data)
                    _scan(data[:cut], hidden, notes, columns)
                    rest = data[cut:]
    except (KeyError, OSError, zipfile.BadZipFile, SyntaxError, ValueError):
        return frozenset(), {}, frozenset()  # calamine read the cells; what it cannot say is then not said
    return frozenset(hidden), notes, frozenset(columns)


def _row_boundary(data: bytes) -> int:
    """Where a piece of sheet XML can be cut without splitting a row: after the last </row>, or before the
    last <row …> whose end is not in the piece."""
    at = data.rfind(b"row>")
    while at > 0:
        lt = data.rfind(b"<", 0, at)
        if data[lt + 1 : lt + 2] == b"/":
            return at + 4
        if b">" not in data[lt:at]:  # an opening <row> (no attributes): cut before it
            return lt
        at = data.rfind(b"row>", 0, at)
    return 0 if len(data) < CHUNK * 4 else len(data)  # no row end at all: keep reading (a bounded amount)


def _position(tag: bytes) -> tuple[int, int] | None:
    m = _REF.search(tag)
    if m is None:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ch - 64
    return int(m.group(2)) - 1, col - 1


def _scan(
    data: bytes, hidden: set[int], notes: dict[tuple[int, int], CellNote], columns: set[int] | None = None
) -> None:
    i = data.find(b'hidden="')
    while i >= 0:
        lt = data.rfind(b"<", 0, i)
        tag = data[lt : data.find(b">", i) + 1]
        if re.match(rb"<(?:\w+:)?row\b", tag) and re.search(rb'\bhidden="(?:1|true)"', tag):
            m = _ROW_NUMBER.search(tag)
            if m:
                hidden.add(int(m.group(1)) - 1)
        elif columns is not None and re.match(rb"<(?:\w+:)?col\b", tag) and re.search(rb'\bhidden="(?:1|true)"', tag):
            lo, hi = re.search(rb'\bmin="(\d+)"', tag), re.search(rb'\bmax="(\d+)"', tag)
            if lo and hi:
                columns.update(range(int(lo.group(1)) - 1, min(int(hi.group(1)), MAX_COLUMNS)))
        i = data.find(b'hidden="', i + 8)
    i = data.find(b't="e"')
    while i >= 0:
        lt = data.rfind(b"<", 0, i)
        end = data.find(b"c>", i)
        where = _position(data[lt:i])
        value = _VALUE.search(data, i, end) if end > 0 else None
        if where is not None:
            text = value.group(1).decode("utf-8", "replace") if value else "#错误"
            notes[where] = CellNote(ERROR, text)
        i = data.find(b't="e"', i + 5)
    i = data.find(b"<f")
    while i >= 0:
        if data[i + 2 : i + 3] in (b">", b" ", b"/"):
            lt = data.rfind(b"<", 0, i)
            end = data.find(b"c>", i)
            tag = data[lt:i]
            where = _position(tag)
            value = _VALUE.search(data, i, end) if end > 0 else None
            if where is not None and not (value and value.group(1)) and b't="str"' not in tag and b't="e"' not in tag:
                formula = _FORMULA.search(data, i, end)
                text = formula.group(1).decode("utf-8", "replace") if formula else ""
                notes[where] = CellNote(NO_VALUE, "=" + _unescape(text) if text else "（共享公式）")
        i = data.find(b"<f", i + 2)


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text)


def cell_ref(row: int, col: int) -> str:
    """Excel's name of a 0-based cell (0, 3 → D1), for messages that point a clerk at a cell."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _fill_merged(cells: list[list[Any]], merged: list[tuple[int, int, int, int]]) -> None:
    """Every cell of a merged area gets the area's value (a 片区 named once for several rows)."""
    for r0, c0, r1, c1 in merged:
        if r0 >= len(cells) or c0 >= len(cells[r0]):
            continue
        value = cells[r0][c0]
        for r in range(r0, min(r1, len(cells) - 1) + 1):
            row = cells[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if row[c] in ("", None):
                    row[c] = value
