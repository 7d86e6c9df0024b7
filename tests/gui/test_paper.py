# ruff: noqa: F811 - pytest fixtures imported from community_fixtures are redefined as parameters
"""Printing from the program: the preview shows the core's PDF page by page (pypdfium2), prints through a
QPrinter (here into a PDF file, offscreen), saves and opens the same bytes; the print menus of the
inspections page, the board and the community detail; batch printing behind the progress dialog; the
projects' responsible-parties dialog."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from community_fixtures import ctx  # noqa: F401 - fixtures
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select
from typing_helpers import type_text

from oldcomm_desktop.core import responsibility
from oldcomm_desktop.core.model import Community, Inspection, Project, Rectification
from oldcomm_desktop.core.paper import documents
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import Progress
from oldcomm_desktop.gui.paper import actions
from oldcomm_desktop.gui.paper.preview import PreviewDialog


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def _first(ctx: AppContext, model, *where) -> str:
    return ctx.read(lambda s: s.scalar(select(model.id).where(model.deleted_at.is_(None), *where).limit(1)))


def _previews() -> list[PreviewDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, PreviewDialog) and w.isVisible()]


@pytest.fixture
def patrol_pdf(ctx: AppContext, tmp_path: Path) -> tuple[bytes, Path]:
    patrol = _first(ctx, Inspection, Inspection.kind == "patrol")
    pdf = actions.render(ctx, "patrol", patrol)
    path = tmp_path / "patrol.pdf"
    path.write_bytes(pdf)
    return pdf, path


def test_preview_shows_every_page_as_an_image(qtbot, patrol_pdf) -> None:
    pdf, path = patrol_pdf
    dialog = PreviewDialog(pdf, "质量安全巡查记录表", "x.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.pages == _pages(path) == len(dialog.page_labels)
    assert dialog.count_label.text() == f"共 {dialog.pages} 页"
    qtbot.waitUntil(lambda: dialog.rendered() == dialog.pages)
    pixmap = dialog.page_labels[0].pixmap()
    assert not pixmap.isNull()
    assert abs(pixmap.width() - 794) <= 2 and abs(pixmap.height() - 1123) <= 2  # A4 at 96 dpi
    image = pixmap.toImage()
    dark = sum(
        1
        for x in range(0, image.width(), 7)
        for y in range(0, image.height(), 7)
        if image.pixelColor(x, y).lightness() < 128
    )
    assert dark > 200  # text and rules were drawn, not a blank page


def test_print_goes_to_the_printer_page_by_page(qtbot, tmp_path: Path) -> None:
    from io import BytesIO

    from oldcomm_desktop.core import workspace
    from oldcomm_desktop.storage.database import open_database

    db = open_database(tmp_path / "blank.sqlite3")
    buffer = BytesIO()
    with db.transaction("测试员") as s:  # the blank consent form: two pages
        workspace.initialise(s, mode=workspace.TOWNSHIP, code="341122001000", name="城关街道", operator="测试员")
        documents.render(s, "consent", None, buffer)
    db.close()
    dialog = PreviewDialog(buffer.getvalue(), "居民意愿征询表", "consent.pdf")
    qtbot.addWidget(dialog)
    printer = dialog.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert dialog.print_to(printer)
    assert _pages(out) == dialog.pages == 2
    qtbot.waitUntil(lambda: dialog.rendered() == 2)  # the second page appears after the first
    assert not dialog.page_labels[1].pixmap().isNull()
    size = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "595" in size and "842" in size  # A4 in points


def test_save_as_and_open_in_the_system_viewer(qtbot, patrol_pdf, tmp_path: Path, monkeypatch) -> None:
    pdf, _ = patrol_pdf
    dialog = PreviewDialog(pdf, "t", "质量安全巡查记录表-1.pdf")
    qtbot.addWidget(dialog)
    saved = dialog.save_to(tmp_path / "另存")
    assert saved == tmp_path / "另存.pdf" and saved.read_bytes() == pdf
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    path = dialog.open_external()
    assert opened and Path(opened[0].toLocalFile()) == path and path.read_bytes() == pdf


def test_inspections_page_print_menu_opens_a_preview(qtbot, ctx: AppContext) -> None:
    from oldcomm_desktop.gui.pages.inspections import InspectionsPage

    page = InspectionsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    with_rect = _first(ctx, Inspection, Inspection.id.in_(select(Rectification.inspection_id)))
    page.show_inspection(with_rect)
    entries = actions.inspection_entries(ctx, with_rect)
    assert [form for _t, form, _r in entries][:3] == ["patrol", "notice", "reinspection"]
    menu = page.print_button.menu()
    menu.aboutToShow.emit()
    texts = [a.text() for a in menu.actions()]
    assert "空白表（现场填写）" in texts and "批量打印检查记录…" in texts
    blank = next(a for a in menu.actions() if a.menu() is not None).menu()
    assert [a.text() for a in blank.actions()][:4] == [
        "质量安全巡查记录表",
        "整改通知单",
        "整改回复及复查单",
        "长效管理检查评分表",
    ]
    blank.actions()[0].trigger()
    shown = _previews()
    assert shown and shown[-1].pages >= 1
    for d in shown:
        d.close()


def test_community_detail_prints_the_community_papers(qtbot, ctx: AppContext) -> None:
    from oldcomm_desktop.gui.community.detail import CommunityDetail

    detail = CommunityDetail(ctx)
    qtbot.addWidget(detail)
    assert not detail.print_button.isEnabled()
    cid = _first(ctx, Community)
    detail.show_community(cid)
    assert detail.print_button.isEnabled()
    menu = detail.print_button.menu()
    menu.aboutToShow.emit()
    titles = [a.text() for a in menu.actions() if a.text()]
    assert titles[:5] == ["小区改造档案", "改造方案公示", "居民意愿征询表", "竣工验收记录", "永久性责任标牌"]
    menu.actions()[4].trigger()  # the plaque
    dialog = _previews()[-1]
    assert dialog.pages == 1 and "永久性责任标牌" in dialog.windowTitle()
    dialog.close()


def test_a_refused_print_says_why(qtbot, ctx: AppContext, monkeypatch) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: said.append(text))
    assert actions.preview(ctx, None, "profile", "no-such-id") is None
    assert said and "找不到编号为 no-such-id 的小区" in said[0]


def test_batch_print_behind_the_progress_dialog(qtbot, ctx: AppContext) -> None:
    dialog = actions.batch_print(ctx, None, (None, None))
    assert dialog is not None
    count = ctx.read(lambda s: len(s.scalars(select(Inspection.id).where(Inspection.deleted_at.is_(None))).all()))
    assert dialog.pages >= count
    dialog.close()


def test_a_cancelled_batch_makes_nothing(ctx: AppContext) -> None:
    progress = Progress()
    progress.cancel()
    with pytest.raises(documents.PrintCancelled):
        actions.batch_bytes(ctx, None, None, progress)


def test_batch_dialog_offers_the_months_with_inspections(qtbot, ctx: AppContext) -> None:
    dialog = actions.BatchDialog(ctx)
    qtbot.addWidget(dialog)
    months = [dialog.period.itemData(i) for i in range(1, dialog.period.count())]
    assert months and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
    assert dialog.choice()[0] == months[0]  # the latest month preselected
    assert dialog.township.count() > 1


def test_parties_dialog_saves_undoably_and_shows_core_messages(qtbot, ctx: AppContext) -> None:
    from oldcomm_desktop.gui.dialogs.responsible_parties import PartiesDialog

    project_id = _first(ctx, Project)
    dialog = PartiesDialog(ctx, project_id, "某项目")
    qtbot.addWidget(dialog)
    dialog.show()
    edits = dialog.edits["contractor"]
    edits["unit_name"].clear()
    type_text(qtbot, edits["unit_name"], "青禾县城建工程有限公司")
    type_text(qtbot, edits["leader"], "张建设")
    assert not dialog.save()
    assert "施工单位：须填写资质证书号" in dialog.message.text()
    type_text(qtbot, edits["licence_no"], "皖1342010201234567")
    assert dialog.save()
    parties = {p.role: p for p in ctx.read(lambda s: responsibility.parties(s, project_id))}
    assert (parties["contractor"].leader, parties["contractor"].licence_no) == ("张建设", "皖1342010201234567")
    assert parties["builder"].id is None  # untouched, prefilled roles are not saved
    ctx.undo_stack.undo()
    parties = {p.role: p for p in ctx.read(lambda s: responsibility.parties(s, project_id))}
    assert parties["contractor"].leader == ""
