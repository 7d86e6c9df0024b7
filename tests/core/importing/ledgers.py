"""Messy ledgers built in the tests with openpyxl: the features real published and hand-kept ledgers have."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select

from oldcomm_desktop.core.importing import ledger
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.storage.database import Database


def write(
    path: Path,
    rows: list[list[Any]],
    *,
    merges: tuple[str, ...] = (),
    title: str = "Sheet1",
    extra_sheets: dict[str, list[list[Any]]] | None = None,
    hidden: tuple[int, ...] = (),
) -> Path:
    """`hidden`: Excel row numbers hidden in the sheet. A cell "=…" is a formula openpyxl saves without a
    computed value; "#DIV/0!", "#N/A" … are error cells, as Excel saves a formula that failed."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for m in merges:
        ws.merge_cells(m)
    for r in hidden:
        ws.row_dimensions[r].hidden = True
    for name, more in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for row in more:
            other.append(row)
    wb.save(path)
    return path


def messy_county_ledger(path: Path) -> Path:
    """Title and prose headline, a two-row merged header, a 片区 merged down, units in header and cells,
    a subtotal first and in the middle, a grand total last, traditional characters, list numbers."""
    rows = [
        ["2024年青禾县老旧小区改造计划表"],
        ["计划改造项目4个，改造面积3.2万平方米，惠及居民960户，估算总投资约3100万元"],
        [
            "序号",
            "乡镇（街道）",
            "片区",
            "小区名称",
            "建成年份",
            "楼栋数",
            "户数",
            "建筑面积（平方米）",
            "占地面积（平方米）",
            "总投资（万元）",
            "资金来源（万元）",
            None,
            "状态",
            "开工时间",
            "备注",
        ],
        [None, None, None, None, None, None, None, None, None, None, "中央补助", "地方配套", None, None, None],
        ["全县小计:", None, None, None, None, 19, 1030, 41500, None, 1180, None, None, None, None, None],
        [
            1,
            "城关街道",
            "北关片区",
            "其中:1.幸福里小区",
            "1995年",
            "6",
            "1,200",
            "12000",
            30000,
            400,
            200,
            200,
            "已完工",
            "2024.3",
            "",
        ],
        [
            2,
            "城关街道",
            None,
            "2.和平苑",
            1998,
            5,
            "２３０余户",
            "约1.45万平方米，其中0.4万平方米为简易修缮",
            9000,
            "268万元",
            None,
            None,
            "在建",
            "2024年5月",
            None,
        ],
        [None, "北关片区小计", None, None, None, 11, 1430, 26500, None, 668, None, None, None, None, None],
        [
            3,
            "东城街道",
            "南关片区",
            "建設新村",
            "1983年至20xx年",
            8,
            300,
            "1.5万m2",
            None,
            512,
            None,
            None,
            "未开工",
            None,
            "老舊小區",
        ],
        ["合计", None, None, None, None, 19, 1730, 41500, None, 1180, None, None, None, None, None],
        ["填报人：王敏", None, None, "审核人：李强"],
    ]
    return write(path, rows, merges=("A1:O1", "A2:O2", "K3:L3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "C6:C7"))


# the plan (rolled back), the import, and the live communities by name: what every ledger test asks
def _plan(db: Database, path: Path, **options: object) -> ledger.LedgerPlan:
    with db.transaction("测试员") as s:
        p = ledger.plan(s, path, ledger.Options(**options))  # type: ignore[arg-type]
        s.rollback()
    return p


def _import(db: Database, path: Path, **options: object) -> ledger.LedgerPlan:
    with db.transaction("导入员") as s:
        p = ledger.plan(s, path, ledger.Options(**options))  # type: ignore[arg-type]
        ledger.apply(s, p)
    return p


def _communities(db: Database) -> dict[str, Community]:
    with db.transaction("测试员") as s:
        return {c.name: c for c in s.scalars(select(Community).where(Community.deleted_at.is_(None)))}
