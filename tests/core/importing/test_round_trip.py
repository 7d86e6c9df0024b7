"""Round trip: the ledger written out in the monthly-return layout and imported again changes nothing.

The layout follows domain.md's 进度月报表 (title, 填报单位, two header rows, township 小计 rows, 合计, footer),
written here with openpyxl until the returns export lands; swap in that export when it does.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from oldcomm_desktop.core import demo, divisions
from oldcomm_desktop.core.importing import ledger
from oldcomm_desktop.core.lifecycle import STATUS_LABELS
from oldcomm_desktop.core.model import AuditEntry, Community, Milestone, Project
from oldcomm_desktop.storage.database import Database

HEAD = [
    "序号",
    "乡镇（街道）",
    "项目",
    "小区名称",
    "建成年份",
    "楼栋数",
    "户数",
    "建筑面积",
    None,
    "总投资（万元）",
    "状态",
    "备注",
]
SUB = [None, None, None, None, None, None, None, "（平方米）", None, None, None, None]


def _export(db: Database, path: Path) -> int:
    wb = Workbook()
    ws = wb.active
    ws.append(["青禾县老旧小区改造进度月报表（1-11月）"])
    ws.append(["填报单位：青禾县住建局", None, None, None, None, None, None, None, None, "单位：万元、平方米"])
    ws.append(HEAD)
    ws.append(SUB)
    ws.merge_cells("H3:I3")
    with db.transaction("测试员") as s:
        rows = s.execute(
            select(Community, Project.name)
            .join(Project, Project.id == Community.project_id)
            .where(Community.deleted_at.is_(None))
            .order_by(Community.township_code, Community.name)
        ).all()
        by_township: dict[str, list] = defaultdict(list)
        for c, project in rows:
            by_township[c.township_code].append((c, project))
        n = 0
        total = [0, 0]
        for code, group in by_township.items():
            name = divisions.name_of(s, code)
            for c, project in group:
                n += 1
                ws.append(
                    [
                        n,
                        name,
                        project,
                        c.name,
                        c.year_built,
                        c.buildings,
                        c.households,
                        float(c.floor_area),
                        None,
                        float(c.total_investment / 10000),
                        STATUS_LABELS[c.status],
                        None,
                    ]
                )
            ws.append([None, f"{name}小计", None, None, None, None, sum(c.households for c, _ in group)])
            total[0] += sum(c.households for c, _ in group)
        ws.append(["合计", None, None, None, None, None, total[0]])
        ws.append(["填报人：王敏", None, None, "审核人：李强", None, None, "联系电话：0557-1234567"])
    wb.save(path)
    return n


def test_export_then_import_changes_nothing(empty_db: Database, tmp_path: Path) -> None:
    with empty_db.transaction("演示操作员") as s:
        demo.build(s, communities_count=30)
    n = _export(empty_db, tmp_path / "月报.xlsx")

    def state() -> tuple:
        with empty_db.transaction("测试员") as s:
            return tuple(
                s.scalar(select(func.count()).select_from(m)) for m in (Community, Project, Milestone, AuditEntry)
            )

    before = state()
    with empty_db.transaction("测试员") as s:
        p = ledger.plan(s, tmp_path / "月报.xlsx")
        assert p.counts()["unchanged"] == n, [(r.row, r.action, r.reason) for r in p.rows if r.action != "unchanged"]
        assert not p.mismatches and p.header.rows == 2
        ledger.apply(s, p)
    assert state() == before
