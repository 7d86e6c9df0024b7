"""The 通报 lists and the assessment table as .xlsx (openpyxl) and .docx (python-docx), chosen by suffix.

Both are small (a county has a few dozen townships, a township a few dozen communities), so the normal
openpyxl workbook is fine. Libraries are imported when a file is written, not at start-up.
"""

from __future__ import annotations

from pathlib import Path

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.supervision.bulletins import Bulletin

SUFFIXES = (".xlsx", ".docx")


def _check(path: Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise OldcommError(f"不支持的文件类型“{suffix or '（无）'}”：请用 .xlsx 或 .docx")
    return suffix


def bulletin_tables(b: Bulletin) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, header, rows) for the praise list and the criticism list."""
    subject = b.subject_label
    praise = [
        [str(i), e.township, e.subject, e.score, e.grade or "", str(e.rank)] for i, e in enumerate(b.praise, start=1)
    ]
    criticism = [
        [
            str(i),
            e.township,
            e.subject,
            e.score,
            e.grade or "",
            str(e.rank),
            f"{e.deadline:%Y-%m-%d}" if e.deadline else "",
        ]
        for i, e in enumerate(b.criticism, start=1)
    ]
    same = [subject] if subject != "乡镇（街道）" else []
    head = ["序号", "乡镇（街道）", *same, "得分", "等次", "排名"]
    if not same:  # a township bulletin: the subject column is the township itself
        praise = [[r[0], *r[2:]] for r in praise]
        criticism = [[r[0], *r[2:]] for r in criticism]
    return [
        ("一、通报表扬", head, praise),
        ("二、通报批评（限期整改）", [*head, "整改期限"], criticism),
    ]


def assessment_table(result: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the assessment: township, each indicator's value and points, score, grade, rank."""
    inds = result["scheme"]["indicators"]
    head = ["排名", "乡镇（街道）", "区划代码"]
    for ind in inds:
        head += [
            f"{ind['label']}（{'手工评分' if ind['manual'] else '完成值'}）",
            f"{ind['label']}得分（满分{ind['weight']}）",
        ]
    head += ["总分", "等次"]
    rows = []
    for r in result["rows"]:
        line = [str(r["rank"]), r["township"], r["township_code"]]
        for ind in inds:
            i = r["indicators"][ind["code"]]
            value = i["value"]
            if value is None:
                shown = "—"
            elif ind["manual"]:
                shown = value
            else:
                shown = f"{float(value) * 100:.2f}%"
            line += [shown, i["points"]]
        line += [r["score"], r["grade"] or ""]
        rows.append(line)
    return head, rows


def write_bulletin(b: Bulletin, path: Path) -> Path:
    path = Path(path)
    tables = bulletin_tables(b)
    subtitle = f"通报日期：{b.issued_on:%Y年%m月%d日}"
    if _check(path) == ".xlsx":
        _xlsx(path, b.title, subtitle, tables)
    else:
        _docx(path, b.title, subtitle, tables)
    return path


def write_assessment(result: dict, path: Path) -> Path:
    path = Path(path)
    head, rows = assessment_table(result)
    title = f"{result['year']}年度乡镇（街道）老旧小区改造工作绩效考核结果"
    scheme = result["scheme"]
    subtitle = f"考核方案：{scheme['name']}" + (
        f"（{scheme['effective_from']} 起执行）" if scheme.get("effective_from") else ""
    )
    if _check(path) == ".xlsx":
        _xlsx(path, title, subtitle, [("", head, rows)])
    else:
        _docx(path, title, subtitle, [("", head, rows)], landscape=True)
    return path


def _xlsx(path: Path, title: str, subtitle: str, tables: list) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = "通报" if len(tables) > 1 else "考核结果"
    width = max(len(h) for _, h, _ in tables)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append([subtitle])
    for heading, head, rows in tables:
        if heading:
            ws.append([])
            ws.append([heading])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append(head)
        for c in range(1, len(head) + 1):
            cell = ws.cell(ws.max_row, c)
            cell.font, cell.border = Font(bold=True), box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in rows or [["（无）"]]:
            ws.append(row)
            for c in range(1, len(row) + 1):
                ws.cell(ws.max_row, c).border = box
    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14 if c > 3 else 18
    wb.save(path)


def _docx(path: Path, title: str, subtitle: str, tables: list, *, landscape: bool = False) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(10.5)
    if landscape:
        section = doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold, run.font.size = True, Pt(16)
    doc.add_paragraph(subtitle)
    for name, head, rows in tables:
        if name:
            doc.add_paragraph().add_run(name).bold = True
        table = doc.add_table(rows=1, cols=len(head))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, head, strict=True):
            cell.text = text
            for p in cell.paragraphs:
                for r in p.runs:
                    r.bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = str(text)
        if not rows:
            doc.add_paragraph("（无）")
    doc.save(str(path))
