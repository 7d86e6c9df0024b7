"""What every printed form shares: A4 page, margins, the header with form number and QR code, the footer
with 第 x 页 共 y 页, styles in the embedded Chinese font, wrapped table cells, signature and date lines.

Page numbers count per form, not per file: a batch of 200 patrol records prints "第 1 页 共 2 页" on each
record's first page. That needs the page count of a form before its pages are drawn, so the canvas keeps
every page and draws the header and footer when the document is saved (reportlab's "NumberedCanvas").

Dates are written the way current official documents write them (GB/T 9704-2012: Arabic numerals,
"2026年12月1日"); a blank form leaves room to write them by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from oldcomm_desktop.core.money import format_quantity, format_yuan
from oldcomm_desktop.core.paper.fonts import register

PAGE_W, PAGE_H = A4
LEFT = RIGHT = 20 * mm
TOP = 28 * mm  # room for the form number and the QR code above the title
BOTTOM = 18 * mm
WIDTH = PAGE_W - LEFT - RIGHT
QR_SIZE = 20 * mm
QR_MASK = 2  # stripes in columns: no large blocks of one colour for a 36-character UUID
GRID = colors.black
SHADE = colors.Color(0.92, 0.92, 0.92)
NBSP = "\u00a0"  # reportlab folds ordinary and ideographic spaces; blanks to write in need these
PADDING = 4.5  # points above and below a cell's text together
BLANK_DATE = f"{NBSP * 10}年{NBSP * 6}月{NBSP * 6}日"


# -- styles ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Styles:
    font: str
    title: ParagraphStyle
    subtitle: ParagraphStyle
    body: ParagraphStyle
    prose: ParagraphStyle  # running text, first line indented two characters
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    small: ParagraphStyle
    section: ParagraphStyle
    plaque: ParagraphStyle


_styles: Styles | None = None


def signed_off() -> ParagraphStyle:
    """Right-aligned lines under a notice: issuing unit (盖章) and date."""
    return ParagraphStyle("signed_off", parent=styles().body, alignment=TA_RIGHT, rightIndent=8 * mm)


def styles() -> Styles:
    """Every style the forms use, all in the embedded font (an unset fontName would be Helvetica)."""
    global _styles
    if _styles is None:
        font = register().name

        def style(name: str, size: float, **kw: object) -> ParagraphStyle:
            kw.setdefault("leading", size * 1.45)
            return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap="CJK", **kw)  # type: ignore[arg-type]

        _styles = Styles(
            font=font,
            title=style("title", 18, alignment=TA_CENTER, spaceAfter=2 * mm, leading=24),
            subtitle=style("subtitle", 10.5, alignment=TA_CENTER, spaceAfter=3 * mm),
            body=style("body", 10.5, alignment=TA_LEFT, firstLineIndent=0),
            prose=style("prose", 10.5, alignment=TA_LEFT, firstLineIndent=21, spaceAfter=1 * mm),
            cell=style("cell", 9.5),
            cell_center=style("cell_center", 9.5, alignment=TA_CENTER),
            cell_right=style("cell_right", 9.5, alignment=TA_RIGHT),
            head=style("head", 9.5, alignment=TA_CENTER),
            small=style("small", 8, leading=10),
            section=style("section", 11.5, spaceBefore=2 * mm, spaceAfter=1.2 * mm, keepWithNext=1),
            plaque=style("plaque", 14, leading=24),
        )
    return _styles


# -- values as printed -------------------------------------------------------------------------------------
def cn_date(value: date | None, blank: str = BLANK_DATE) -> str:
    """2026年12月1日 (GB/T 9704-2012 writes dates in Arabic numerals, without leading zeros)."""
    if value is None:
        return blank
    return f"{value.year}年{value.month}月{value.day}日"


def money(value: Decimal | None, unit: str = "万元") -> str:
    return "" if value is None else f"{format_yuan(value, unit=unit)}"


def quantity(value: Decimal | None) -> str:
    return format_quantity(value) if value is not None else ""


def text(value: object) -> str:
    """A value for a cell: empty for None, escaped for reportlab's paragraph markup, newlines kept."""
    if value is None:
        return ""
    return escape(str(value)).replace("\n", "<br/>")


def para(value: object, style: ParagraphStyle | None = None, *, markup: bool = False) -> Paragraph:
    """A wrapped paragraph; `markup` when the value already carries reportlab tags."""
    return paragraph(str(value) if markup else text(value), style or styles().cell)


_parsed: dict[tuple[str, str], tuple[list, ParagraphStyle]] = {}


def paragraph(markup: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph, its markup parsed once per text and style: a batch of 1,000 forms repeats the same
    checklist lines and labels, and reportlab's parser was a fifth of the time. The fragments are not
    changed by layout (a batch prints byte for byte the same with and without this cache)."""
    key = (markup, style.name)
    hit = _parsed.get(key)
    if hit is None:
        made = Paragraph(markup, style)
        if len(_parsed) < 20_000:
            _parsed[key] = (made.frags, made.style)
        return made
    frags, parsed_style = hit
    return Paragraph(markup, parsed_style, frags=list(frags))


# -- the form marker and the numbering canvas -----------------------------------------------------------------
@dataclass(frozen=True)
class FormMeta:
    """What the header and footer of every page of one form show."""

    code: str  # the form's own number, e.g. 表 XJ-01
    title: str
    record_id: str | None = None  # in the QR code and the footer; None on a blank form
    number: str | None = None  # a document number, e.g. 整改〔2026〕001号


class FormStart(Flowable):
    """Zero-size marker at the top of each form: the pages from here on belong to `meta`.

    `on_draw` is called as the form starts drawing: batch printing reports progress and stops there.
    """

    def __init__(self, meta: FormMeta, on_draw: Callable[[], None] | None = None):
        super().__init__()
        self.meta = meta
        self.on_draw = on_draw
        self.width = self.height = 0

    def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        if self.on_draw is not None:
            self.on_draw()
        self.canv._oldcomm_form = self.meta  # type: ignore[attr-defined]


class NumberedCanvas(Canvas):
    """Keeps each page until the end, then draws header and footer knowing each form's page count."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        # the canvas would otherwise start every page in Helvetica: an unembedded font in the file
        kwargs["initialFontName"] = kwargs.get("initialFontName") or styles().font
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._pages: list[tuple[dict, FormMeta | None]] = []
        self._oldcomm_form: FormMeta | None = None

    def showPage(self) -> None:  # reportlab's name
        self._pages.append((dict(self.__dict__), self._oldcomm_form))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's private page reset, not in its stubs

    def save(self) -> None:
        metas = [m for _, m in self._pages]
        # a run of pages of the same form (the same marker object) is numbered 1..n
        runs: list[int] = []
        for i, m in enumerate(metas):
            runs.append(runs[-1] + 1 if i and metas[i - 1] is m else 1)
        totals = _form_totals(runs)
        for (state, meta), number, total in zip(self._pages, runs, totals, strict=True):
            self.__dict__.update(state)
            if meta is not None:
                decorate(self, meta, number, total)
            Canvas.showPage(self)
        Canvas.save(self)


def _form_totals(runs: Sequence[int]) -> list[int]:
    """For each page its form's page count, from the page's position within its form (1, 2, 1, 2, 3 …)."""
    totals = [0] * len(runs)
    i = len(runs) - 1
    while i >= 0:
        length = runs[i]
        for j in range(i - length + 1, i + 1):
            totals[j] = length
        i -= length
    return totals


def decorate(canvas: Canvas, meta: FormMeta, number: int, total: int) -> None:
    """Form number, QR code and, on later pages, the title (续); page number and record id below."""
    st = styles()
    canvas.saveState()
    top = PAGE_H - 12 * mm
    canvas.setFont(st.font, 9)
    canvas.drawString(LEFT, top, f"表号：{meta.code}")
    if meta.number:
        canvas.drawString(LEFT, top - 5 * mm, f"编号：{meta.number}")
    if number > 1:
        canvas.drawString(LEFT, top - (10 if meta.number else 5) * mm, f"{meta.title}（续）")
    if meta.record_id:
        draw_qr(canvas, meta.record_id, PAGE_W - RIGHT - QR_SIZE, PAGE_H - 8 * mm - QR_SIZE, QR_SIZE)
    canvas.setFont(st.font, 9)
    canvas.drawCentredString(PAGE_W / 2, 10 * mm, f"第 {number} 页　共 {total} 页")
    if meta.record_id:
        canvas.setFont(st.font, 7)
        canvas.drawString(LEFT, 10 * mm, f"记录编号 {meta.record_id}")
    canvas.restoreState()


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """A QR code of `value` (the record's UUID) in a size × size square: scanning it finds the record.

    Drawn straight onto the canvas as one filled path from reportlab's own encoder: its QrCodeWidget goes
    through renderPDF, which selects Helvetica and so leaves an unembedded font in the file.
    """
    from reportlab.graphics.barcode import qrencoder

    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    # make() would try all eight mask patterns for the least penalty (a seventh of a batch's time); every
    # mask is valid and readers decode any of them, so one fixed pattern is used
    qr.version = qr.calculate_version()
    qr.makeImpl(False, QR_MASK)
    count = qr.getModuleCount()
    border = 2
    box = size / (count + 2 * border)
    # in module units, as literal PDF operators: formatting thousands of float rectangles through
    # canvas.rect cost more than laying out the rest of the page
    runs = []
    for r, row in enumerate(qr.modules):
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                runs.append(f"{start + border} {count + border - 1 - r} {c - start} 1 re")
            else:
                c += 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(box, box)
    canvas.setFillColor(colors.black)
    canvas.addLiteral(" ".join(runs) + " f")
    canvas.restoreState()


# -- the document --------------------------------------------------------------------------------------------
class PaperDoc(BaseDocTemplate):
    def __init__(self, target: str | IO[bytes], title: str = "") -> None:
        super().__init__(
            target,
            pagesize=A4,
            leftMargin=LEFT,
            rightMargin=RIGHT,
            topMargin=TOP,
            bottomMargin=BOTTOM,
            title=title,
            author="老旧小区改造工作台",
            creator="oldcomm_desktop",
            invariant=1,
            initialFontName=styles().font,
        )
        frame = Frame(LEFT, BOTTOM, WIDTH, PAGE_H - TOP - BOTTOM, id="body", leftPadding=0, rightPadding=0)
        self.addPageTemplates([PageTemplate(id="form", frames=[frame])])


def build(target: str | IO[bytes], story: list[Flowable], title: str = "") -> None:
    """Lay out `story` (one or more forms, each starting with a FormStart) into `target` (path or file).

    Page streams are compressed but not ASCII85-armoured (reportlab's default, `useA85`): without its C
    accelerator the pure-Python encoder took a sixth of a batch's time and made files a quarter bigger,
    for nothing — PDFs have been binary files since 1.2. A process-wide reportlab setting, set here once.
    """
    from reportlab import rl_config

    rl_config.useA85 = 0
    PaperDoc(target, title).build(story, canvasmaker=NumberedCanvas)


class FormTable(Table):
    """A Table that does not draw empty cells: a blank form is mostly empty cells, and each drawn one is
    a text object in the page (reportlab draws "" as text too)."""

    def _drawCell(self, cellval, cellstyle, pos, size) -> None:  # reportlab's hook
        if cellval == "" or cellval is None:
            return
        super()._drawCell(cellval, cellstyle, pos, size)  # type: ignore[misc]  # private hook, not in the stubs


class MinHeight(Flowable):
    """A cell's content given at least `height`: a row with room to write in that still grows with its text
    (a fixed row height would let a long text run out of the cell)."""

    def __init__(self, content: Flowable | list[Flowable], height: float) -> None:
        super().__init__()
        self.content = content if isinstance(content, list) else [content]
        self.min_height = height
        self._inner = 0.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._inner = sum(f.wrap(aw, ah)[1] for f in self.content)
        self.width = aw
        self.height = max(self._inner, self.min_height)
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        if self.wrap(aw, ah)[1] <= ah:
            return [self]
        if len(self.content) == 1:
            return self.content[0].split(aw, ah)
        return []

    def draw(self) -> None:
        y = self.height - (self.height - self._inner) / 2
        for f in self.content:
            y -= f.height
            f.drawOn(self.canv, 0, y)


# -- building blocks ---------------------------------------------------------------------------------------------
def heading(meta: FormMeta, subtitle: str = "", on_draw: Callable[[], None] | None = None) -> list[Flowable]:
    """The start of a form: its marker, its title and an optional line below it."""
    st = styles()
    out: list[Flowable] = [FormStart(meta, on_draw), Paragraph(text(meta.title), st.title)]
    if subtitle:
        out.append(Paragraph(subtitle, st.subtitle))
    else:
        out.append(Spacer(1, 2 * mm))
    return out


def section(title: str) -> Paragraph:
    return Paragraph(text(title), styles().section)


def grid(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    header_rows: int = 0,
    spans: Iterable[tuple[tuple[int, int], tuple[int, int]]] = (),
    shade_cols: Iterable[int] = (),
    min_height: float | None = None,
    extra: Iterable[tuple] = (),
    aligns: Mapping[int, str] | None = None,
) -> Table:
    """A ruled table; header rows repeat on every page it spans. A text cell that fits its column on one
    line stays a plain string (drawn directly: a batch of forms lays out twice as fast), anything longer
    becomes a wrapped paragraph, so nothing runs out of its cell. `aligns`: {column: "CENTER"/"RIGHT"}."""
    st = styles()
    aligns = aligns or {}

    def cell(value: object, r: int, c: int) -> str | Flowable | list[Flowable]:
        if isinstance(value, (Flowable, list)):
            return value
        raw = "" if value is None else str(value)
        if "\n" not in raw and stringWidth(raw, st.font, st.cell.fontSize) <= widths[c] - 6.5:
            return raw
        if r < header_rows:
            style = st.head
        else:
            style = {"CENTER": st.cell_center, "RIGHT": st.cell_right}.get(aligns.get(c, ""), st.cell)
        return paragraph(text(raw), style)

    cells: list[list[str | Flowable | list[Flowable]]] = [
        [cell(v, r, c) for c, v in enumerate(row)] for r, row in enumerate(rows)
    ]
    if min_height is not None:  # room to write by hand, but a long text still grows the row
        for row in cells[header_rows:]:
            first = row[0]
            if isinstance(first, str):
                style = {"CENTER": st.cell_center, "RIGHT": st.cell_right}.get(aligns.get(0, ""), st.cell)
                first = paragraph(text(first), style)
            row[0] = MinHeight(first, max(0.0, min_height - PADDING))
    # splitInRow: a cell taller than a page (a long finding) continues on the next page instead of failing
    table = FormTable(cells, colWidths=list(widths), repeatRows=header_rows, splitByRow=1, splitInRow=1)
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("FONTSIZE", (0, 0), (-1, -1), st.cell.fontSize),
        ("LEADING", (0, 0), (-1, -1), st.cell.leading),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), PADDING / 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING * 2 / 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE))
        commands.append(("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"))
    for col, how in aligns.items():
        commands.append(("ALIGN", (col, header_rows), (col, -1), how))
    for col in shade_cols:
        commands.append(("BACKGROUND", (col, header_rows), (col, -1), SHADE))
    for start, stop in spans:
        commands.append(("SPAN", start, stop))
    commands += list(extra)
    table.setStyle(TableStyle(commands))
    return table


def facts(pairs: Sequence[tuple[str, object]], *, columns: int = 2, label_width: float = 26 * mm) -> Table:
    """Label / value pairs in a ruled grid, `columns` pairs to a row; a pair with value None spans the row."""
    rows: list[list[object]] = []
    spans = []
    value_width = (WIDTH - columns * label_width) / columns
    widths = [label_width, value_width] * columns
    line: list[object] = []
    for label, value in pairs:
        if label.endswith("*"):  # a long value: a row of its own
            if line:
                rows.append(line + [""] * (2 * columns - len(line)))
                line = []
            rows.append([label[:-1], value] + [""] * (2 * columns - 2))
            spans.append(((1, len(rows) - 1), (-1, len(rows) - 1)))
            continue
        line += [label, value]
        if len(line) == 2 * columns:
            rows.append(line)
            line = []
    if line:
        rows.append(line + [""] * (2 * columns - len(line)))
    spanned = {start[1] for start, _stop in spans}
    shade = [
        ("BACKGROUND", (c, r), (c, r), SHADE)
        for r in range(len(rows))
        for c in range(0, 2 * columns, 2)
        if c == 0 or r not in spanned
    ]
    return grid(rows, widths, spans=spans, extra=shade)


def signatures(roles: Sequence[str], dated: Sequence[date | None] | None = None) -> Flowable:
    """Signature and date spaces side by side (up to three to a row), kept on one page with what follows."""
    st = styles()
    per_row = min(3, len(roles))
    cells: list[list[Flowable] | str] = []
    for i, role in enumerate(roles):
        day = dated[i] if dated and i < len(dated) else None
        cells.append(
            [
                Paragraph(text(f"{role}：" if "盖章" in role else f"{role}（签字）："), st.body),
                Spacer(1, 7 * mm),
                Paragraph(text(f"日期：{cn_date(day)}"), st.body),
            ]
        )
    while len(cells) % per_row:
        cells.append("")
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    table = Table(rows, colWidths=[WIDTH / per_row] * per_row)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.font),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return KeepTogether([Spacer(1, 4 * mm), table])


def check_box(checked: bool | None) -> str:
    """■ / □ for a printed choice (both in GB 2312, so in every Chinese face; ☑ is not)."""
    return "■" if checked else "□"
