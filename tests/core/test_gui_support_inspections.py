"""Core helpers the 检查整改 page relies on: photos with a record, undo/redo pairs, plain-data views, states."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core import communities, inspections, listings
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Attachment, Inspection, Rectification

TODAY = date(2026, 5, 10)


def _png(path: Path, colour: int = 0) -> Path:
    """A 2×2 PNG written by hand (the core must not need Qt to make one)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([colour, 80, 160]) * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )
    return path


@pytest.fixture
def s(sqlite_db):
    session = sqlite_db.session("测试员")
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def community(s):
    return communities.create(s, {"name": "幸福里小区", "households": 120})


@pytest.fixture
def patrol_sheet(s):
    return inspections.sheet(s, inspections.templates(s, "patrol")[0]["id"])


def _record_patrol(s, community, sheet, *, fail: int = 1, photos=(), deadline=TODAY + timedelta(days=7)):
    results = [
        {"template_item_id": it["id"], "area": it["area"], "text": it["text"], "result": "fail" if n < fail else "pass"}
        for n, it in enumerate(sheet["items"])
    ]
    rects = [{"problem": f"{sheet['items'][n]['text']}不合格", "deadline": deadline} for n in range(fail)]
    return inspections.record(
        s,
        community,
        {"kind": "patrol", "inspected_on": TODAY, "inspectors": "周工"},
        results,
        rects,
        template=sheet["id"],
        today=TODAY,
        photos=photos,
    )


def test_templates_and_sheet_give_plain_items_grouped_by_area(s):
    patrols = inspections.templates(s, "patrol")
    assert [t["code"] for t in patrols] == ["patrol_default"]
    sheet = inspections.sheet(s, patrols[0]["id"])
    assert sheet["kind"] == "patrol" and len(sheet["items"]) == 14
    assert [it["area"] for it in sheet["items"]][:1] == ["安全"]
    scored = inspections.sheet(s, inspections.templates(s, "management")[0]["id"])
    assert sum(it["max_score"] for it in scored["items"]) == 100
    assert scored["grade_bands"][0] == ["优秀", 90]


def test_score_total_uses_the_grade_bands():
    bands = [["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]]
    assert inspections.score_total(bands, [Decimal("45.5"), 40, None]) == (Decimal("85.5"), "良好")
    assert inspections.score_total(bands, [20, 20]) == (Decimal(40), "不合格")
    assert inspections.score_total(None, [1]) == (Decimal(1), None)


def test_record_attaches_photos_in_the_same_transaction(s, community, patrol_sheet, tmp_path):
    photo = _png(tmp_path / "before.png")
    insp = _record_patrol(s, community, patrol_sheet, photos=[photo])
    d = inspections.detail(s, insp.id)
    assert [p["file_name"] for p in d["photos"]] == ["before.png"]
    assert Path(d["photos"][0]["path"]).read_bytes() == photo.read_bytes()
    assert d["kind_label"] == "质量安全巡查" and d["community"] == "幸福里小区"
    assert d["rectifications"][0]["state"] in ("open", "overdue")
    before = s.scalar(select(func.count(Attachment.id)))
    with pytest.raises(ValidationError):  # a failed item without a rectification: nothing at all is stored
        inspections.record(
            s,
            community,
            {"kind": "patrol", "inspected_on": TODAY},
            [{"text": "施工围挡", "result": "fail"}],
            today=TODAY,
            photos=[photo],
        )
    assert s.scalar(select(func.count(Attachment.id))) == before


def test_restore_brings_back_the_inspection_and_its_rectifications(s, community, patrol_sheet):
    insp = _record_patrol(s, community, patrol_sheet, fail=2)
    inspections.delete(s, insp.id)
    assert listings.count(s, "inspections") == 0 and listings.count(s, "rectifications") == 0
    inspections.restore(s, insp.id)
    assert listings.count(s, "inspections") == 1 and listings.count(s, "rectifications") == 2
    assert s.get(Inspection, insp.id).deleted_at is None


def test_undo_reply_puts_the_old_reply_back(s, community, patrol_sheet):
    insp = _record_patrol(s, community, patrol_sheet)
    rect = s.scalar(select(Rectification).where(Rectification.inspection_id == insp.id))
    inspections.reply(s, rect.id, "已更换围挡", TODAY)
    assert inspections.rectification_detail(s, rect.id)["reply"] == "已更换围挡"
    inspections.undo_reply(s, rect.id, None, None)
    assert rect.reply is None and rect.replied_on is None


def test_withdrawing_reinspections_derives_the_state_again(s, community, patrol_sheet, tmp_path, monkeypatch):
    monkeypatch.setattr(listings, "_today", lambda: TODAY + timedelta(days=20))
    insp = _record_patrol(s, community, patrol_sheet)
    rect = s.scalar(select(Rectification).where(Rectification.inspection_id == insp.id))
    failed = inspections.reinspect(
        s,
        rect.id,
        {"inspected_on": TODAY + timedelta(days=8), "passed": False, "new_deadline": TODAY + timedelta(days=30)},
        today=TODAY + timedelta(days=20),
    )
    assert rect.current_deadline == TODAY + timedelta(days=30) and not rect.closed
    passed = inspections.reinspect(
        s,
        rect.id,
        {"inspected_on": TODAY + timedelta(days=15), "passed": True},
        photo=_png(tmp_path / "after.png", 200),
        today=TODAY + timedelta(days=20),
    )
    detail = inspections.rectification_detail(s, rect.id)
    assert detail["state"] == "closed" and [p["file_name"] for p in detail["after_photos"]] == ["after.png"]
    assert [r["passed"] for r in detail["reinspections"]] == [False, True]

    inspections.delete_reinspection(s, passed.id)
    detail = inspections.rectification_detail(s, rect.id)
    assert detail["state"] == "open" and detail["current_deadline"] == TODAY + timedelta(days=30)
    assert detail["after_photos"] == []
    inspections.restore_reinspection(s, passed.id)
    assert inspections.rectification_detail(s, rect.id)["state"] == "closed"
    assert len(inspections.rectification_detail(s, rect.id)["after_photos"]) == 1

    inspections.delete_reinspection(s, passed.id)
    inspections.delete_reinspection(s, failed.id)
    assert rect.current_deadline == rect.deadline == TODAY + timedelta(days=7)
    assert inspections.rectification_detail(s, rect.id)["state"] == "overdue"  # the lists' day is day 20


def test_reinspect_accepts_several_after_photos(s, community, patrol_sheet, tmp_path):
    insp = _record_patrol(s, community, patrol_sheet)
    rect = s.scalar(select(Rectification).where(Rectification.inspection_id == insp.id))
    inspections.reinspect(
        s,
        rect.id,
        {"inspected_on": TODAY, "passed": True},
        photos=[_png(tmp_path / "a.png", 1), _png(tmp_path / "b.png", 2)],
        today=TODAY,
    )
    assert len(inspections.rectification_detail(s, rect.id)["after_photos"]) == 2


def test_row_state_and_counts_follow_the_lists_day(s, community, patrol_sheet, monkeypatch):
    monkeypatch.setattr(listings, "_today", lambda: TODAY)
    insp = _record_patrol(s, community, patrol_sheet, fail=2)
    rects = list(s.scalars(select(Rectification).where(Rectification.inspection_id == insp.id)))
    inspections.reply(s, rects[0].id, "正在整改", TODAY)
    assert inspections.rectification_counts(s) == {"open": 1, "awaiting": 1, "overdue": 0, "closed": 0}
    rows = listings.page(s, "rectifications")
    assert sorted(inspections.row_state(r) for r in rows) == ["awaiting", "open"]

    monkeypatch.setattr(listings, "_today", lambda: TODAY + timedelta(days=8))
    assert inspections.today() == TODAY + timedelta(days=8)
    assert inspections.rectification_counts(s) == {"open": 0, "awaiting": 0, "overdue": 2, "closed": 0}
    assert {inspections.row_state(r) for r in rows} == {"overdue"}
    assert inspections.rectification_counts(s, {"community": "no-such-id", "state": "closed"})["overdue"] == 0
    assert inspections.state_from(True, TODAY, None, TODAY + timedelta(days=99)) == "closed"
