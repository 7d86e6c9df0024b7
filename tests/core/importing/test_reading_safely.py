"""Broken, password-protected, .xls and non-Excel files get a clear Chinese message; fuzzed workbooks never
crash the import and a refusal never changes the database."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.importing import ledger, workbook
from oldcomm_desktop.core.model import AuditEntry, Community, Division, Milestone, Project
from oldcomm_desktop.storage.database import Database
from tests.core.importing.ledgers import messy_county_ledger, write

OLE = workbook.OLE_MAGIC + b"\x00" * 504


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.xlsx", OLE, "设置了打开密码"),
        ("a.xls", OLE, "97-2003"),
        # what the file holds decides, not its name: an old workbook renamed .xlsx, an encrypted one renamed .xls
        ("a.xlsx", OLE + "Workbook".encode("utf-16-le"), "97-2003"),
        ("a.xls", OLE + "EncryptedPackage".encode("utf-16-le"), "设置了打开密码"),
        ("a.xlsx", b"PK\x03\x04 broken", "已损坏"),
        ("a.xlsx", b"%PDF-1.7 not a workbook", "不是 Excel 文件"),
        ("a.csv", "小区名称,户数\n幸福里,10\n".encode(), "不是 Excel 文件"),
        ("a.xlsx", b"", "是空的"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(workbook.UnreadableFile, match=message):
        workbook.read_sheet(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(workbook.UnreadableFile, match="不是 Excel 工作簿"):
        workbook.read_sheet(path)


def test_size_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = messy_county_ledger(tmp_path / "a.xlsx")
    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 100)
    with pytest.raises(workbook.UnreadableFile, match="太大"):
        workbook.read_sheet(path)
    monkeypatch.undo()
    monkeypatch.setattr(workbook, "MAX_ROWS", 5)
    with pytest.raises(workbook.UnreadableFile, match="太大"):
        workbook.read_sheet(path)


def test_sheets_by_name_or_number(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.xlsx", [["说明"]], title="封面", extra_sheets={"台账": [["小区名称", "户数"], ["甲", 1]]}
    )
    assert workbook.sheet_names(path) == ["封面", "台账"]
    assert workbook.read_sheet(path, "台账").cells[1] == ["甲", 1.0]
    assert workbook.read_sheet(path, "2").name == "台账"
    with pytest.raises(OldcommError, match="没有名为“汇总”的工作表"):
        workbook.read_sheet(path, "汇总")


def _state(db: Database) -> tuple:
    with db.transaction("测试员") as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) for m in (Community, Project, Milestone, AuditEntry, Division)
        )


def _corrupt(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    if rng.random() < 0.3:
        b = b[: rng.randrange(len(b))]
    return bytes(b)


WORDS = [
    "小区名称",
    "乡镇",
    "户数",
    "建筑面积",
    "小计",
    "合计",
    "约",
    "万平方米",
    "其中",
    "状态",
    "竣工",
    "20xx",
    "**",
    "1,200",
    "３月",
    "小区数",
    "7个小区",
    "",
    None,
    3.5,
    1995,
    "2021.3",
    "城关街道",
    "東城街道",
    "-1",
    "1e9",
    "=A1",
]


def test_fuzzed_workbooks_never_crash_and_refusals_change_nothing(county_db: Database, tmp_path: Path) -> None:
    rng = random.Random(10)
    good = messy_county_ledger(tmp_path / "good.xlsx").read_bytes()
    for n in range(40):
        path = tmp_path / f"f{n}.xlsx"
        if n % 2:
            path.write_bytes(_corrupt(good, rng))
        else:
            rows = [[rng.choice(WORDS) for _ in range(rng.randint(1, 8))] for _ in range(rng.randint(0, 12))]
            write(path, rows)
        before = _state(county_db)
        try:
            with county_db.transaction("测试员") as s:
                p = ledger.plan(s, path, ledger.Options(add_townships=rng.random() < 0.5))
                ledger.apply(s, p)
        except OldcommError:
            assert _state(county_db) == before
