"""Opening a ledger file safely and reading one sheet's cells (python-calamine: fast, merged ranges too).

Before any parser sees a file we check what it is, from its first bytes: an .xlsx is a zip; an encrypted
(password-protected) workbook or an old .xls is an OLE compound file (D0 CF 11 E0); anything else is not
Excel. Files and sheets above the size limits are refused rather than read into memory. XML parsing by
openpyxl (used for reports and mapping files) is hardened by defusedxml, which openpyxl picks up when it
is installed.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oldcomm_desktop.core.errors import OldcommError

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableFile(OldcommError):
    """The file is not an Excel workbook we can read; the message says why, in Chinese."""


@dataclass
class Sheet:
    name: str
    cells: list[list[Any]]  # rows of values; '' for empty cells; merged areas filled from their first cell
    merged: list[tuple[int, int, int, int]]  # (first row, first col, last row, last col), 0-based


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
    if sheet is None or sheet == "":
        name = names[0]
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
    return Sheet(name, cells, merged)


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
