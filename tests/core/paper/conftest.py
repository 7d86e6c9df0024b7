"""A community with everything a form prints, and readers of PDFs (poppler's pdftotext, pdffonts, pdfinfo).

The data is messy the way ledgers are: a name with markup characters (<, &), a long unbroken finding,
traditional characters pasted from a repost site, an item without a description, a photo that is not an
image file.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.core import (
    attachments,
    catalogues,
    communities,
    funding,
    inspections,
    items,
    milestones,
    projects,
    responsibility,
)
from oldcomm_desktop.storage.database import Database

TODAY = date(2026, 6, 30)
PARTIES = {
    "builder": {"unit_name": "青禾县住房和城乡建设局", "leader": "李建国", "phone": "0556-1234567"},
    "surveyor": {"unit_name": "安徽青禾勘察院有限公司", "leader": "王勘察", "licence_no": "B234001234"},
    "designer": {"unit_name": "青禾市建筑设计研究院有限责任公司", "leader": "赵设计", "licence_no": "A134000123"},
    "contractor": {"unit_name": "青禾县城建工程有限公司", "leader": "张建设", "licence_no": "皖1342010201234567"},
    "supervisor": {"unit_name": "青禾建设监理咨询有限公司", "leader": "陈监理", "licence_no": "34001234"},
}


@dataclass
class Ledger:
    db: Database
    community_id: str
    project_id: str
    patrol_id: str
    rectification_id: str
    management_id: str
    acceptance_id: str


def _png(path: Path, colour: str) -> Path:
    from PIL import Image

    Image.new("RGB", (320, 240), colour).save(path)
    return path


@pytest.fixture
def ledger(sqlite_db: Database, tmp_path: Path) -> Ledger:
    with sqlite_db.transaction("测试员") as s:
        project = projects.create(s, {"name": "城关街道2025年老旧小区改造项目(二批)", "plan_year": 2025})
        responsibility.set_parties(s, project.id, PARTIES)
        c = communities.create(
            s,
            {
                "name": "幸福里小区<东区>&西區",  # markup characters and a traditional 區 from a repost
                "project_id": project.id,
                "address": "城北路242号",
                "year_built": 1992,
                "buildings": 12,
                "households": 36,
                "floor_area": "24567.89",
                "total_investment": "6800000",
                "contact_person": "刘军",
                "contact_phone": "13912345678",
                "planned_start": "2025-03-01",
                "planned_completion": "2025-11-30",
                "consent_date": "2025-01-10",
                "consent_owners_total": 36,
                "consent_owners_participating": 30,
                "consent_owners_for": 28,
                "consent_owners_against": 2,
                "consent_area_total": "2400",
                "consent_area_participating": "2100",
                "consent_area_for": "1980",
                "consent_area_against": "120",
            },
        )
        for code, qty, money, desc in (
            ("water_pipe", "12000", "2400000", "供水、供电、燃气管线合计"),
            ("road", "8500", "2550000", None),
            ("parking", "50", "350000", "新增停车位"),
            ("fitness", "32", "1500000", "健身器材及休闲广场两处"),
        ):
            items.create(
                s,
                c.id,
                {
                    "item_type_id": code,
                    "planned_quantity": qty,
                    "completed_quantity": qty,
                    "investment": money,
                    "status": "completed",
                    "started_on": "2025-03-05",
                    "completed_on": "2025-11-20",
                }
                | ({"description": desc} if desc else {}),
            )
        funding.set_lines(
            s,
            c,
            {
                "central_budget": {
                    "approved": "4000000",
                    "annual_plan": "4000000",
                    "arrived": "4000000",
                    "paid": "3500000",
                },
                "provincial": {"approved": "1800000", "arrived": "1800000", "paid": "1000000"},
                "residents": {"approved": "1000000", "arrived": "200000"},
            },
        )
        for kind, day in (("publicity", "2025-01-20"), ("start", "2025-03-05"), ("completion", "2025-11-20")):
            ms = milestones.add(
                s, c, {"kind": kind, "reached_on": day, "document_no": "青住建〔2025〕12号"}, today=TODAY
            )
            if kind == "completion":
                attachments.add(s, ms, _png(tmp_path / "after.png", "green"), caption="改造后外立面")
        attachments.add(s, c, _png(tmp_path / "before.png", "gray"), caption="改造前现状")
        bogus = tmp_path / "改造前.png"
        bogus.write_bytes(b"not an image")
        attachments.add(s, c, bogus, caption="改造前（损坏的文件）")
        tmpl = catalogues.template(s, "patrol_default")
        results = [
            {"template_item_id": it.id, "area": it.area, "text": it.text, "result": "fail" if i == 3 else "pass"}
            for i, it in enumerate(tmpl.items)
        ]
        patrol = inspections.record(
            s,
            c,
            {
                "kind": "patrol",
                "inspected_on": "2025-06-10",
                "inspectors": "县住建局 周工、乡镇 王敏",
                "findings": "动火作业未办理审批，现场无灭火器" + "；" + "临时用电线路私拉乱接" * 8,
            },
            results,
            [
                {
                    "problem": "动火作业未办理审批手续",
                    "requirement": "立即停止动火作业，补办审批并配齐灭火器",
                    "deadline": "2025-06-17",
                }
            ],
            template="patrol_default",
            today=TODAY,
        )
        s.flush()
        rect_id = inspections.detail(s, patrol.id)["rectifications"][0]["id"]
        inspections.reply(s, rect_id, "已停止动火作业，补办审批手续，配置灭火器 6 具", "2025-06-15")
        inspections.reinspect(
            s,
            rect_id,
            {"inspected_on": "2025-06-16", "inspector": "周工", "passed": False, "new_deadline": "2025-06-20"},
            today=TODAY,
        )
        inspections.reinspect(
            s,
            rect_id,
            {"inspected_on": "2025-06-20", "inspector": "周工", "passed": True, "note": "现场复查合格"},
            today=TODAY,
        )
        mt = catalogues.template(s, "management_default")
        scores = [Decimal(it.max_score) - (Decimal(3) if i == 0 else 0) for i, it in enumerate(mt.items)]
        management = inspections.record(
            s,
            c,
            {"kind": "management", "inspected_on": "2026-05-12", "inspectors": "县住建局考评组"},
            [
                {
                    "template_item_id": it.id,
                    "area": it.area,
                    "text": it.text,
                    "score": sc,
                    "note": "垃圾清运不及时" if i == 0 else None,
                }
                for i, (it, sc) in enumerate(zip(mt.items, scores, strict=True))
            ],
            template="management_default",
            today=TODAY,
        )
        at = catalogues.template(s, "acceptance_default")
        acceptance = inspections.record(
            s,
            c,
            {
                "kind": "acceptance",
                "inspected_on": "2025-12-02",
                "inspectors": "建设、设计、施工、监理单位及居民代表",
                "findings": "工程质量符合设计及规范要求，资料齐全，同意验收。",
            },
            [{"template_item_id": it.id, "area": it.area, "text": it.text, "result": "pass"} for it in at.items],
            template="acceptance_default",
            today=TODAY,
        )
        ids = (c.id, project.id, patrol.id, rect_id, management.id, acceptance.id)
    return Ledger(sqlite_db, *ids)


# -- reading PDFs back with poppler -------------------------------------------------------------------------
def pdf_text(path: Path, page: int | None = None, *, raw: bool = False) -> str:
    """The text poppler reads; `raw` in drawing order (a footer comes out whole, not mixed into columns)."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-raw"] if raw else [])
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table as dicts: name, type, emb, sub, uni."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type… encoding emb sub uni object gen: read the flags from the right
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def squeeze(text: str) -> str:
    """pdftotext breaks lines inside wrapped cells: compare without whitespace, and in NFKC (the core stores
    typed text NFKC-normalised, so a typed ， comes back as ,)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture
def today_is(monkeypatch: pytest.MonkeyPatch):
    """Pin the lists' today (overdue states) to TODAY."""
    from oldcomm_desktop.core import listings

    monkeypatch.setattr(listings, "_today", lambda: TODAY)
    return TODAY


__all__ = ["Ledger", "TODAY", "pdf_fonts", "pdf_pages", "pdf_text", "squeeze", "timedelta"]
