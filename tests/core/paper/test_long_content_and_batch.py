"""Long tables break across pages with their header repeated and every page numbered 第 x 页 共 y 页;
text longer than a page continues instead of failing; a batch numbers each form on its own, reports
progress, and a cancelled batch writes nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from oldcomm_desktop.core import catalogues, communities, inspections, items
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.paper import documents
from tests.core.paper.conftest import TODAY, Ledger, pdf_pages, pdf_text, squeeze


def _page_numbers(path: Path) -> list[tuple[int, int]]:
    return [
        tuple(int(x) for x in m.groups())  # type: ignore[misc]
        for m in re.finditer(r"第(\d+)页共(\d+)页", squeeze(pdf_text(path, raw=True)))
    ]


def _assert_numbered(path: Path, pages: int) -> None:
    for page in range(1, pages + 1):
        assert f"第{page}页共{pages}页" in squeeze(pdf_text(path, page, raw=True)), page


def test_a_long_checklist_repeats_its_header_on_every_page(ledger: Ledger, tmp_path: Path) -> None:
    long_item = "检查临时用电三级配电两级保护是否落实，配电箱是否上锁并有专人管理，" * 3
    with ledger.db.transaction("测试员") as s:
        c = communities.get(s, ledger.community_id)
        results = [{"area": f"第{n // 20 + 1}组", "text": f"{n}．{long_item}", "result": "pass"} for n in range(1, 81)]
        insp = inspections.record(
            s, c, {"kind": "patrol", "inspected_on": "2025-06-11", "inspectors": "周工"}, results, today=TODAY
        )
        out = tmp_path / "long.pdf"
        documents.render(s, "patrol", insp.id, out)
    pages = pdf_pages(out)
    assert pages >= 4
    _assert_numbered(out, pages)
    table_pages = [p for p in range(1, pages + 1) if squeeze("．检查临时用电") in squeeze(pdf_text(out, p))]
    assert len(table_pages) >= 3
    for page in table_pages:
        text = squeeze(pdf_text(out, page))
        assert "检查内容" in text and "不适用" in text, f"header missing on page {page}"
        if page > 1:
            assert "质量安全巡查记录表(续)" in text
    assert squeeze("80．检查临时用电") in squeeze(pdf_text(out))  # the last line was not cut off


def test_text_longer_than_a_page_continues_on_the_next(ledger: Ledger, tmp_path: Path) -> None:
    with ledger.db.transaction("测试员") as s:
        c = communities.get(s, ledger.community_id)
        findings = "".join(f"第{n}处：楼道堆放杂物未清理，消防通道被占用。" for n in range(1, 301))
        insp = inspections.record(
            s, c, {"kind": "patrol", "inspected_on": "2025-06-12", "findings": findings}, [], today=TODAY
        )
        out = tmp_path / "findings.pdf"
        documents.render(s, "patrol", insp.id, out)
    text = squeeze(pdf_text(out))
    assert "第300处" in text and pdf_pages(out) >= 3


def test_many_items_in_the_profile_break_with_the_header(ledger: Ledger, tmp_path: Path) -> None:
    with ledger.db.transaction("测试员") as s:
        for n in range(60):
            items.create(
                s,
                ledger.community_id,
                {"item_type_id": "lighting", "description": f"{n + 1}号楼楼道灯", "planned_quantity": 12},
            )
        out = tmp_path / "profile.pdf"
        documents.render(s, "profile", ledger.community_id, out)
    pages = pdf_pages(out)
    _assert_numbered(out, pages)
    with_items = [p for p in range(1, pages + 1) if "号楼楼道灯" in squeeze(pdf_text(out, p))]
    assert len(with_items) >= 2
    assert all("完成工程量" in squeeze(pdf_text(out, p)) for p in with_items)
    assert "60号楼楼道灯" in squeeze(pdf_text(out))


class Recorder:
    def __init__(self, cancel_at: int | None = None) -> None:
        self.reports: list[tuple[int, int]] = []
        self.cancel_at = cancel_at

    def report(self, done: int, total: int, text: str = "") -> None:
        self.reports.append((done, total))

    @property
    def cancelled(self) -> bool:
        return self.cancel_at is not None and len(self.reports) >= self.cancel_at


def _more_patrols(ledger: Ledger, count: int) -> None:
    with ledger.db.transaction("测试员") as s:
        c = communities.get(s, ledger.community_id)
        tmpl = catalogues.template(s, "patrol_default")
        for n in range(count):
            inspections.record(
                s,
                c,
                {"kind": "patrol", "inspected_on": date(2025, 6, 1) + timedelta(days=n), "inspectors": f"检查员{n}"},
                [{"template_item_id": it.id, "area": it.area, "text": it.text, "result": "pass"} for it in tmpl.items],
                template="patrol_default",
                today=TODAY,
            )


def test_batch_numbers_each_form_on_its_own(ledger: Ledger, tmp_path: Path) -> None:
    _more_patrols(ledger, 3)
    out = tmp_path / "june.pdf"
    progress = Recorder()
    with ledger.db.transaction() as s:
        result = documents.print_inspections(s, out, period="2025-06", township="341122001000", progress=progress)
    assert result.inspections == 4  # the ledger's patrol of 2025-06-10 and three more; not May's or December's
    assert result.pages == pdf_pages(out)
    numbers = _page_numbers(out)
    assert [n for n, _ in numbers].count(1) == 4  # every form starts at 第 1 页
    assert all(n <= total for n, total in numbers)
    text = squeeze(pdf_text(out))
    assert text.count("质量安全巡查记录表") >= 4 and "检查员2" in text
    assert progress.reports[-1] == (8, 8)  # read 4, laid out 4
    assert [d for d, _ in progress.reports] == sorted(d for d, _ in progress.reports)


def test_batch_mixes_the_forms_of_each_kind(ledger: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "all.pdf"
    with ledger.db.transaction() as s:
        result = documents.print_inspections(s, out, township="341122001000")
    text = squeeze(pdf_text(out))
    assert result.inspections == 3
    for title in ("质量安全巡查记录表", "长效管理检查评分表", "竣工验收记录"):
        assert title in text


def test_cancelled_batch_writes_nothing(ledger: Ledger, tmp_path: Path) -> None:
    _more_patrols(ledger, 5)
    out = tmp_path / "june.pdf"
    out.write_bytes(b"an older print")
    for cancel_at in (2, 9):  # while reading, and while laying out
        with ledger.db.transaction() as s, pytest.raises(documents.PrintCancelled, match="打印已取消"):
            documents.print_inspections(s, out, period="2025-06", progress=Recorder(cancel_at))
    assert out.read_bytes() == b"an older print"
    assert not list(tmp_path.glob(".printing-*"))


def test_batch_refuses_a_bad_period_or_an_empty_one(ledger: Ledger, tmp_path: Path) -> None:
    with ledger.db.transaction() as s:
        with pytest.raises(ValidationError, match="年-月"):
            documents.print_inspections(s, tmp_path / "x.pdf", period="2025-6")
        with pytest.raises(ValidationError, match="没有检查记录"):
            documents.print_inspections(s, tmp_path / "x.pdf", period="2019-01")
        with pytest.raises(ValidationError):
            documents.print_inspections(s, tmp_path / "x.pdf", township="12345")
