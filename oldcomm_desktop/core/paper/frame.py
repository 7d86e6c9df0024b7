"""What every printed form shares: A4 page, margins, the header with form number and QR code, the footer
with 第 x 页 共 y 页, styles in the embedded Chinese font, wrapped table cells, signature and date lines.

Page numbers count per form, not per file: a batch of 200 patrol records prints "第 1 页 共 2 页" on each
record's first page. That needs the page count of a form before its pages are drawn, so the canvas keeps
every page and draws the header and footer when the document is saved (reportlab's "NumberedCanvas").

Dates are written the way current official documents write them (GB/T 9704-2012: Arabic numerals,
"2026年12月1日"); a blank form leaves room to write them by hand.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
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
from reportlab.platypus.tables import _SPECIALROWS, CellStyle, _LineOpMap  # type: ignore[attr-defined]

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
_PARA_X = {TA_LEFT: 0.0, TA_CENTER: 0.5, TA_RIGHT: 1.0}  # how much of a line's spare width goes before it
_broken: dict[tuple[str, str, tuple[float, ...]], Any] = {}


class RememberedParagraph(Paragraph):
    """A Paragraph whose line breaking is remembered per text, style and width: the checklist lines of a
    batch wrap the same way on every form, and breaking CJK text measures every character."""

    _key: tuple[str, str] | None = None  # None on the parts reportlab splits off (their own text)
    _wrapWidths: list[float]  # reportlab's, set by wrap (not in its stubs)

    def breakLinesCJK(self, maxWidths):  # reportlab's hook
        if self._key is None:
            return super().breakLinesCJK(maxWidths)
        key = (*self._key, tuple(maxWidths))
        hit = _broken.get(key)
        if hit is None:
            hit = super().breakLinesCJK(maxWidths)
            if len(_broken) < 20_000:
                _broken[key] = hit
        return hit

    def draw(self) -> None:  # reportlab's hook: a paragraph drawn again in a document is placed again
        key = self._key
        if key is not None:
            margin = self.style.fontSize
            stamp = _stamp(
                self.canv,
                ("P", key, self.width, self.height),
                -margin,
                -margin,
                self.width + margin,
                self.height + margin,
                self._draw_lines,
            )
            if stamp is not None:
                self.canv.doForm(stamp)
                return
        self._draw_lines()

    def _draw_lines(self) -> None:
        """Plain lines of one font (what every form's paragraphs are) as one text object with the encoded
        text remembered per document, as reportlab's drawPara would place them; anything else (markup,
        a line squeezed to fit, bullets, borders) is drawn by reportlab."""
        bl = self.blPara
        style = self.style
        lines = bl.lines
        if (
            bl.kind != 0
            or not lines
            or self.bulletText
            or style.backColor
            or (style.borderWidth and style.borderColor)
            or style.alignment not in _PARA_X
            or style.wordWrap != "CJK"
            or getattr(self, "_offsets", None)
            or getattr(self, "autoLeading", getattr(style, "autoLeading", "")) not in ("", "off", None)
            or getattr(bl, "us_lines", None)
            or getattr(bl, "link", None)
            or bl.fontName != _font_name()
            or any(extra < -1e-8 for extra, _words in lines)
        ):
            super().draw()
            return
        canvas = self.canv
        size = bl.fontSize
        leading = style.leading
        share = _PARA_X[style.alignment]
        y = self.height - size  # reportlab's first baseline (paraFontSizeHeightOffset)
        parts = [f"q BT {_colour(bl.textColor)}"]
        for i, (extra, words) in enumerate(lines):
            x = style.leftIndent + (style.firstLineIndent if i == 0 else 0) + share * extra
            parts.append(f"1 0 0 1 {x:.2f} {y - i * leading:.2f} Tm {_encoded(canvas, ' '.join(words), size)}")
        parts.append("ET Q")
        canvas.addLiteral(" ".join(parts))

    def split(self, availWidth, availHeight):  # reportlab's hook
        # splitting edits the words of the lines it is given: break this one afresh (at the widths it was
        # last wrapped to, as reportlab would), not the shared lines
        if self._key is not None and hasattr(self, "blPara") and self.style.wordWrap == "CJK":
            self._key = None
            self.blPara = super().breakLinesCJK(self._wrapWidths)
        self._key = None
        return super().split(availWidth, availHeight)


def paragraph(markup: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph, its markup parsed once per text and style: a batch of 1,000 forms repeats the same
    checklist lines and labels, and reportlab's parser was a fifth of the time. The fragments are not
    changed by layout (a batch prints byte for byte the same with and without this cache)."""
    key = (markup, style.name)
    hit = _parsed.get(key)
    if hit is None:
        made = RememberedParagraph(markup, style)
        made._key = key
        if len(_parsed) < 20_000:
            _parsed[key] = (made.frags, made.style)
        return made
    frags, parsed_style = hit
    made = RememberedParagraph(markup, parsed_style, frags=list(frags))
    made._key = key
    return made


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
        self._oldcomm_stamps: dict[tuple, str] = {}  # FormTable's shared layers drawn in this document

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
    top = PAGE_H - 12 * mm
    texts = [(LEFT, top, f"表号：{meta.code}", 9.0)]
    if meta.number:
        texts.append((LEFT, top - 5 * mm, f"编号：{meta.number}", 9.0))
    if number > 1:
        texts.append((LEFT, top - (10 if meta.number else 5) * mm, f"{meta.title}（续）", 9.0))
    footer = f"第 {number} 页　共 {total} 页"
    texts.append((PAGE_W / 2 - _width(footer, 9.0) / 2, 10 * mm, footer, 9.0))
    if meta.record_id:
        texts.append((LEFT, 10 * mm, f"记录编号 {meta.record_id}", 7.0))
        draw_qr(canvas, meta.record_id, PAGE_W - RIGHT - QR_SIZE, PAGE_H - 8 * mm - QR_SIZE, QR_SIZE)
    # one text object, as a text cell of a table is written (see FormTable)
    shown = " ".join(f"1 0 0 1 {x:.2f} {y:.2f} Tm {_encoded(canvas, value, size)}" for x, y, value, size in texts)
    canvas.addLiteral(f"q BT 0 0 0 rg {shown} ET Q")


_DARK_RUN = re.compile(rb"\x01+")
_qr_runs: dict[tuple[int, int, int], str] = {}


def _qr_run(x: int, y: int, length: int) -> str:
    """The rectangle operator of a run of dark modules (the same few thousand recur in every code)."""
    key = (x, y, length)
    hit = _qr_runs.get(key)
    if hit is None:
        hit = _qr_runs[key] = f"{x} {y} {length} 1 re"
    return hit


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """A QR code of `value` (the record's UUID) in a size × size square: scanning it finds the record.

    Drawn straight onto the canvas as one filled path from reportlab's own encoder: its QrCodeWidget goes
    through renderPDF, which selects Helvetica and so leaves an unembedded font in the file.
    """
    modules = qr_modules(value)
    count = len(modules)
    border = 2
    box = size / (count + 2 * border)
    # in module units, as literal PDF operators: formatting thousands of float rectangles through
    # canvas.rect cost more than laying out the rest of the page
    runs = [
        _qr_run(run.start() + border, count + border - 1 - r, run.end() - run.start())
        for r, row in enumerate(modules)
        for run in _DARK_RUN.finditer(bytes(row))  # runs of dark modules in a row, found in C
    ]
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(box, box)
    canvas.setFillColor(colors.black)
    canvas.addLiteral(" ".join(runs) + " f")
    canvas.restoreState()


@dataclass(frozen=True)
class _QrLayout:
    """What every QR code of one version and mask shares: the finder, timing and format modules, where
    the data bits go and the mask over them, and the Reed–Solomon blocks with their generator."""

    size: int  # modules a side
    base: str  # every module row by row, "1" dark, as reportlab laid out the pattern (data bits then set)
    order: tuple[int, ...]  # per module, row by row: its data bit's index, or len(data bits) + its index
    data_bits: int  # how many modules carry data
    mask: int  # the mask over the data modules, the first data module the highest bit
    blocks: tuple[tuple[int, int], ...]  # (data codewords, error-correction codewords) per block
    generators: dict[int, list[list[int]]]  # error-correction length -> generator times each byte value


_qr_layouts: dict[int, _QrLayout] = {}
_BITS_TO_BYTES = bytes.maketrans(b"01", b"\x00\x01")


def qr_modules(value: str) -> list[bytes]:
    """The modules of `value`'s QR code (level M, mask QR_MASK), as reportlab's encoder makes them: a row
    of bytes per module row, 1 dark and 0 light.

    The parts that are the same for every code of a version (a record id is always 36 characters, so
    always version 3) are made once by reportlab and kept; for each value only its data codewords and
    their Reed–Solomon check codewords are computed (table-driven, instead of reportlab's polynomial
    objects, which were most of the time of a code) and laid into the kept pattern in one gather.
    """
    from operator import itemgetter

    from reportlab.graphics.barcode import qrencoder

    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    version = qr.calculate_version()
    layout = _qr_layouts.get(version)
    if layout is None:
        layout = _qr_layouts[version] = _qr_layout(qr, version)
    codewords = _qr_codewords(qr, version, layout)
    n = layout.data_bits
    # data bits after the codewords (reportlab's zip_longest) are light before masking
    data = int.from_bytes(bytes(codewords), "big") << (n - 8 * len(codewords))
    laid = "".join(itemgetter(*layout.order)(format(data ^ layout.mask, f"0{n}b") + layout.base))
    flat = laid.encode("ascii").translate(_BITS_TO_BYTES)
    side = layout.size
    return [flat[r * side : (r + 1) * side] for r in range(side)]


def _qr_layout(qr: Any, version: int) -> _QrLayout:
    from reportlab.graphics.barcode import qrencoder

    # make() would try all eight mask patterns for the least penalty; every mask is valid and readers
    # decode any of them, so one fixed pattern is used
    qr.version = version
    qr.makeImpl(False, QR_MASK)
    side = qr.getModuleCount()
    positions = list(qr.dataPosIterator())
    n = len(positions)
    index = {(r, c): i for i, (c, r) in enumerate(positions)}
    order = tuple(index.get((r, c), n + r * side + c) for r in range(side) for c in range(side))
    mask_of = qrencoder.QRUtil.getMask(QR_MASK)
    mask = int("".join("1" if mask_of(r, c) else "0" for c, r in positions), 2)
    blocks = tuple(
        (b.dataCount, b.totalCount - b.dataCount)
        for b in qrencoder.QRRSBlock.getRSBlocks(version, qrencoder.QRErrorCorrectLevel.M)
    )
    generators = {}
    exp, log = qrencoder.EXP_TABLE, qrencoder.LOG_TABLE
    for _data, ec in blocks:
        poly = qrencoder.QRUtil.getErrorCorrectPolynomial(ec)
        logs = [log[poly.get(i)] for i in range(1, poly.getLength())]  # the leading coefficient is 1
        generators[ec] = [[0] * ec] + [[exp[(log[b] + g) % 255] for g in logs] for b in range(1, 256)]
    base = "".join("1" if m else "0" for row in qr.modules for m in row)
    return _QrLayout(side, base, order, n, mask, blocks, generators)


class _Bits:
    """reportlab's QRBitBuffer as one integer: its bit-by-bit list was a third of a code's time."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length

    def putBit(self, bit: bool) -> None:  # reportlab's name
        self.put(1 if bit else 0, 1)

    def getLengthInBits(self) -> int:  # reportlab's name
        return self.length


def _qr_codewords(qr: Any, version: int, layout: _QrLayout) -> list[int]:
    """Data and check codewords, interleaved: reportlab's createData with a table-driven remainder."""
    from itertools import chain, zip_longest

    from reportlab.graphics.barcode import qrencoder

    buffer = _Bits()
    for data in qr.dataList:
        data.write(buffer, version)
    total = sum(d for d, _e in layout.blocks)
    if buffer.length > total * 8:
        raise ValueError("QR code overflow")
    if buffer.length + 4 <= total * 8:
        buffer.put(0, 4)
    if buffer.length % 8:
        buffer.put(0, 8 - buffer.length % 8)
    pad = (qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1)
    data_bytes = list(buffer.value.to_bytes(buffer.length // 8, "big"))
    n = 0
    while len(data_bytes) < total:
        data_bytes.append(pad[n % 2])
        n += 1
    dc: list[list[int]] = []
    ec: list[list[int]] = []
    offset = 0
    for count, ec_count in layout.blocks:
        block = data_bytes[offset : offset + count]
        offset += count
        # the check codewords are the remainder of block · x^ec_count divided by the generator; that
        # remainder is linear in the data (XOR), so it is the XOR of each byte's own remainder, kept
        part = _qr_parts.setdefault((layout.size, count, ec_count), {})
        rem = 0
        for i, byte in enumerate(block):
            if byte:
                piece = part.get((i, byte))
                if piece is None:
                    piece = part[(i, byte)] = _qr_remainder(layout, i, byte, count, ec_count)
                rem ^= piece
        dc.append(block)
        ec.append(list(rem.to_bytes(ec_count, "big")))
    return [d for group in chain(zip_longest(*dc), zip_longest(*ec)) for d in group if d is not None]


_qr_parts: dict[tuple[int, int, int], dict[tuple[int, int], int]] = {}


def _qr_remainder(layout: _QrLayout, i: int, byte: int, count: int, ec_count: int) -> int:
    """The check codewords (as one integer) of a block that is all zero but `byte` at position `i`:
    long division over GF(256) with the generator's multiples."""
    times = layout.generators[ec_count]
    rem = [0] * ec_count
    for b in [byte] + [0] * (count - i - 1):  # the zero bytes before `i` leave the remainder zero
        row = times[b ^ rem[0]]
        rem = [x ^ y for x, y in zip(rem[1:] + [0], row, strict=True)]
    return int.from_bytes(bytes(rem), "big")


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
        frame = BodyFrame(LEFT, BOTTOM, WIDTH, PAGE_H - TOP - BOTTOM, id="body", leftPadding=0, rightPadding=0)
        self.addPageTemplates([PageTemplate(id="form", frames=[frame])])


class BodyFrame(Frame):
    """The page's frame, copied cheaply: reportlab deep-copies the current frame each time it measures a
    group kept together (a heading with what follows, the signatures), three or four times a form, and a
    deep copy walked every object the frame refers to. Its own lists are copied; nothing else is changed
    by measuring."""

    def __deepcopy__(self, memo: dict) -> BodyFrame:
        new = copy.copy(self)
        for name, value in self.__dict__.items():
            if isinstance(value, (list, dict)):
                new.__dict__[name] = copy.copy(value)
        return new


def build(target: str | IO[bytes], story: list[Flowable], title: str = "") -> None:
    """Lay out `story` (one or more forms, each starting with a FormStart) into `target` (path or file).

    Page streams are compressed but not ASCII85-armoured (reportlab's default, `useA85`): without its C
    accelerator the pure-Python encoder took a sixth of a batch's time and made files a quarter bigger,
    for nothing — PDFs have been binary files since 1.2. A process-wide reportlab setting, set here once.
    """
    from reportlab import rl_config

    rl_config.useA85 = 0
    PaperDoc(target, title).build(story, canvasmaker=NumberedCanvas)


def _drawn_as(value: object) -> object:
    """What a cell draws, as a key, when that is known from its content alone (else None)."""
    if value is None or type(value) is str:
        return value or ""
    if isinstance(value, RememberedParagraph):
        return value._key
    if isinstance(value, Spacer):
        return ("Spacer", value.width, value.height)
    if isinstance(value, list):
        keys = tuple(_drawn_as(v) for v in value)
        return None if None in keys else keys
    return None


def _stamp(
    canvas: Canvas, key: tuple, x0: float, y0: float, x1: float, y1: float, draw: Callable[[], None]
) -> str | None:
    """The Form XObject of what `draw` draws, made the second time `key` is drawn in this document (one
    drawing is never worth an XObject: a file of one form stays as it was), None the first time."""
    stamps = getattr(canvas, "_oldcomm_stamps", None)
    if stamps is None or getattr(canvas, "_oldcomm_stamping", False):
        return None
    if key not in stamps:
        stamps[key] = None
        return None
    name = stamps[key]
    if name is None:
        made = canvas._oldcomm_stamp_count = getattr(canvas, "_oldcomm_stamp_count", 0) + 1  # type: ignore[attr-defined]
        name = stamps[key] = f"OldcommStamp{made}"
        canvas.beginForm(name, x0, y0, x1, y1)  # type: ignore[arg-type]  # points, not only integers
        canvas._oldcomm_stamping = True  # type: ignore[attr-defined]  # nothing inside is stamped again
        try:
            draw()
        finally:
            canvas._oldcomm_stamping = False  # type: ignore[attr-defined]
        canvas.endForm()
    return name


class FormTable(Table):
    """A Table drawn the cheap way, the same on paper.

    Its one-line text cells go into one text object and its ruling into one path, instead of reportlab's
    text object and stroke per cell and per line; empty cells are not drawn at all (reportlab draws "" as
    text too). Wrapped cells (paragraphs and other flowables) are drawn by reportlab as before.

    In a batch most of a form is the same on every record: the ruling, the shading, the labels, the header
    row, a checklist's items. Those parts (`fixed_rows` header rows and the `fixed_cols` columns, when a
    cell holds text) are drawn once per document into a Form XObject and placed again wherever the same
    table with the same row heights recurs; only the record's own values are drawn each time. A part of a
    table split across pages is drawn whole (reportlab makes it without these attributes).
    """

    fixed_rows = 0
    fixed_cols: frozenset[int] = frozenset()
    # reportlab's own attributes, not in its stubs
    _cellvalues: list
    _cellStyles: list
    _colWidths: list
    _rowHeights: list
    _colpositions: list
    _rowpositions: list
    _width: float
    _height: float
    _nrows: int
    _ncols: int
    _hmax: int
    _spanCmds: list
    _spanRects: dict
    _linecmds: list
    _shadow: Any
    _drawBkgrnd: Callable[[], None]
    stamp_style: tuple = ()  # the table's style commands (see _style_key): part of what makes two drawings the same

    def draw(self) -> None:
        canvas = self.canv
        stamps = getattr(canvas, "_oldcomm_stamps", None)
        if (
            stamps is None
            or not (self.fixed_rows or self.fixed_cols)
            or self._shadow
            or getattr(self, "_cornerRadii", None)
            or getattr(self, "_renderCB", None)
        ):
            self._texts: list[str] = []
            super().draw()
            self._show_texts()
            return
        fixed = self._fixed_cells()
        key = (self.stamp_style, tuple(self._colWidths), tuple(self._rowHeights), tuple(fixed.items()))
        name = _stamp(canvas, key, -3, -3, self._width + 3, self._height + 3, self._draw_fixed)
        if name is None:  # the first time: drawn as is
            self._draw_layer(lambda cell: True, ruled=True)
            return
        canvas.doForm(name)
        self._draw_layer(lambda cell: cell not in fixed, ruled=False)

    def _draw_fixed(self) -> None:
        fixed = self._fixed_cells()
        self._draw_layer(lambda cell: cell in fixed, ruled=True)

    def wrap(self, availWidth, availHeight):  # reportlab's hook
        # measured again at the same width (a heading kept with its table, the signatures kept together:
        # reportlab measures those groups, then each member as it places it): the rows are as they were
        if (
            getattr(self, "_wrapped_width", None) == availWidth
            and getattr(self, "_hmax", None) == self._nrows
            and self._height <= availHeight
        ):
            return self._width, self._height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_width = availWidth
        return size

    def _fixed_cells(self) -> dict[tuple[int, int], object]:
        """(row, column) -> what it shows, for the cells drawn into the shared layer."""
        out: dict[tuple[int, int], object] = {}
        cols = self.fixed_cols
        for r, row in enumerate(self._cellvalues):
            header = r < self.fixed_rows
            for c, value in enumerate(row):
                if not header and c not in cols:
                    continue
                shown = _drawn_as(value)
                if shown is not None:
                    out[(r, c)] = shown
        return out

    def _draw_layer(self, which: Callable[[tuple[int, int]], bool], *, ruled: bool) -> None:
        """The cells `which` accepts (and, when `ruled`, the backgrounds and rules) in reportlab's order."""
        canvas = self.canv
        canvas.saveState()
        self._curweight = self._curcolor = self._curcellstyle = None
        self._roundingRectDef = None  # what reportlab's draw sets for a table without rounded corners
        self._texts = []
        if ruled:
            self._drawBkgrnd()
        if not self._spanCmds:
            for r, (row, rowstyle, rowpos, rowheight) in enumerate(
                zip(self._cellvalues, self._cellStyles, self._rowpositions[1:], self._rowHeights, strict=False)
            ):
                for c, (value, style, colpos, colwidth) in enumerate(
                    zip(row, rowstyle, self._colpositions[:-1], self._colWidths, strict=False)
                ):
                    if which((r, c)):
                        self._drawCell(value, style, (colpos, rowpos), (colwidth, rowheight))
        else:
            for r in range(self._nrows):
                for c in range(self._ncols):
                    rect = self._spanRects[c, r]
                    if rect is not None and which((r, c)):
                        x, y, width, height = rect
                        self._drawCell(self._cellvalues[r][c], self._cellStyles[r][c], (x, y), (width, height))
        self._show_texts()
        if ruled:
            self._drawLines()
        canvas.restoreState()

    def _show_texts(self) -> None:
        # in the table's coordinates (drawOn's translation still holds), in a graphics state of its own so
        # that the font and colour set here do not leak into what reportlab draws next
        if self._texts:
            self.canv.addLiteral("q BT " + " ".join(self._texts) + " ET Q")
            self._texts = []

    def _drawCell(self, cellval, cellstyle, pos, size) -> None:  # reportlab's hook
        if cellval == "" or cellval is None:
            return
        if (
            type(cellval) is not str
            or "\n" in cellval
            or cellstyle.fontname != _font_name()
            or cellstyle.valign != "MIDDLE"
            or cellstyle.alignment not in _ALIGNS
            or cellstyle.direction
            or cellstyle.shaping
            or cellstyle.href
            or cellstyle.destination
        ):
            super()._drawCell(cellval, cellstyle, pos, size)  # type: ignore[misc]  # private hook, not in stubs
            return
        (colpos, rowpos), (colwidth, rowheight) = pos, size
        fontsize = cellstyle.fontsize
        just = cellstyle.alignment
        if just == "LEFT":
            x = colpos + cellstyle.leftPadding
        else:
            width = _width(cellval, fontsize)
            if just in ("CENTRE", "CENTER"):
                x = colpos + (colwidth + cellstyle.leftPadding - cellstyle.rightPadding - width) * 0.5
            else:  # RIGHT
                x = colpos + colwidth - cellstyle.rightPadding - width
        y = rowpos + (cellstyle.bottomPadding + rowheight - cellstyle.topPadding + cellstyle.leading) / 2.0 - fontsize
        shown = _encoded(self.canv, cellval, fontsize)
        self._texts.append(f"{_colour(cellstyle.color)} 1 0 0 1 {x:.2f} {y:.2f} Tm {shown}")

    def _drawLines(self) -> None:  # reportlab's hook: the same rules, stroked as paths rather than lines
        if self._roundingRectDef:
            super()._drawLines()
            return
        canvas = self.canv
        pending: list[str] = []
        self._pending = pending
        canvas.saveState()
        canvas.line = lambda x0, y0, x1, y1: pending.append(  # type: ignore[method-assign,assignment]
            f"{x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l"
        )
        cap = dash = join = None
        try:
            for op, (sc, sr), (ec, er), weight, color, c, d, j, count, space in self._linecmds:
                if isinstance(sr, str) and sr in _SPECIALROWS:
                    continue
                if (c is not None and c != cap) or (d or None) != dash or (j is not None and j != join):
                    self._stroke()
                if c is not None and c != cap:
                    canvas.setLineCap(c)
                    cap = c
                if not d:
                    if dash is not None:
                        canvas.setDash()
                        dash = None
                elif d != dash:
                    canvas.setDash(d)
                    dash = d
                if j is not None and j != join:
                    canvas.setLineJoin(j)
                    join = j
                sc, ec, sr, er = self.normCellRange(sc, ec, sr, er)
                getattr(self, _LineOpMap.get(op, "_drawUnknown"))((sc, sr), (ec, er), weight, color, count, space)
            self._stroke()
        finally:
            del canvas.line
        canvas.restoreState()
        self._curcolor = None

    def _prepLine(self, weight, color) -> None:  # reportlab's hook: a new colour or width ends the path
        if (color and color != self._curcolor) or (weight and weight != self._curweight):
            self._stroke()
        super()._prepLine(weight, color)  # type: ignore[misc]  # private hook, not in the stubs

    def _stroke(self) -> None:
        pending = getattr(self, "_pending", None)
        if pending:
            self.canv.addLiteral("n " + " ".join(pending) + " S")
            pending.clear()


_text_widths: dict[tuple[str, float], float] = {}


def _font_name() -> str:
    return styles().font


def _width(value: str, size: float) -> float:
    """stringWidth, remembered: a batch writes the same labels and checklist lines on every form."""
    key = (value, size)
    width = _text_widths.get(key)
    if width is None:
        width = stringWidth(value, styles().font, size)
        if len(_text_widths) < 50_000:
            _text_widths[key] = width
    return width


_ALIGNS = frozenset(("LEFT", "CENTRE", "CENTER", "RIGHT"))
_fills: dict[str, str] = {}
_fills_of: dict[int, tuple[object, str]] = {}


def _colour(color: Any) -> str:
    """The fill operator of a text colour (black unless a style says otherwise), remembered per colour
    object (the styles' own) or name."""
    kept = _fills_of.get(id(color))
    if kept is not None and kept[0] is color:
        return kept[1]
    key = repr(color)
    hit = _fills.get(key)
    if hit is None:
        c = colors.toColor(color)
        hit = _fills[key] = f"{c.red:.3f} {c.green:.3f} {c.blue:.3f} rg"
    if len(_fills_of) < 1000:
        _fills_of[id(color)] = (color, hit)  # the object is kept, so its id is not reused
    return hit


def _encoded(canvas: Canvas, value: str, size: float) -> str:
    """`value` as font-and-show operators in the paper font's subsets of this canvas's document: what
    reportlab's text object writes for it, remembered per document (a batch repeats its labels)."""
    cache = canvas.__dict__.setdefault("_oldcomm_encoded", {})
    key = (value, size)
    hit = cache.get(key)
    if hit is None:
        font: Any = getFont(styles().font)  # a TTFont: splitString is not in the stubs' Font
        doc = canvas._doc  # type: ignore[attr-defined]  # reportlab's document, not in its stubs
        hit = " ".join(
            f"{font.getSubsetInternalName(subset, doc)} {size:g} Tf ({canvas._escape(chunk)}) Tj"  # type: ignore[attr-defined]
            for subset, chunk in font.splitString(value, doc)
        )
        cache[key] = hit
    return hit


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
    out: list[Flowable] = [FormStart(meta, on_draw), paragraph(text(meta.title), st.title)]
    if subtitle:
        out.append(paragraph(subtitle, st.subtitle))
    else:
        out.append(Spacer(1, 2 * mm))
    return out


def section(title: str) -> Paragraph:
    return paragraph(text(title), styles().section)


def _style_key(commands: Sequence[tuple]) -> tuple:
    """Table style commands as a hashable key; the grid's own colours by name (repr of a colour was a
    fifth of the time of building a form)."""

    def token(value: object) -> object:
        if value is GRID:
            return "GRID"
        if value is SHADE:
            return "SHADE"
        return repr(value) if isinstance(value, (colors.Color, list, dict)) else value

    return tuple(tuple(token(v) for v in command) for command in commands)


_grid_cell: type[CellStyle] | None = None


def _grid_cell_style() -> type[CellStyle]:
    """A table cell style whose defaults are the grid's: the embedded font, 9.5 pt, 3 pt side padding."""
    global _grid_cell
    if _grid_cell is None:
        st = styles()
        _grid_cell = type(
            "GridCellStyle",
            (CellStyle,),
            {
                "fontname": st.font,
                "fontsize": st.cell.fontSize,
                "leading": st.cell.leading,
                "leftPadding": 3,
                "rightPadding": 3,
                "topPadding": PADDING / 3,
                "bottomPadding": PADDING * 2 / 3,
                "valign": "MIDDLE",
            },
        )
    return _grid_cell


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
    fixed_cols: Iterable[int] = (),
) -> Table:
    """A ruled table; header rows repeat on every page it spans. A text cell that fits its column on one
    line stays a plain string (drawn directly: a batch of forms lays out twice as fast), anything longer
    becomes a wrapped paragraph, so nothing runs out of its cell. `aligns`: {column: "CENTER"/"RIGHT"}.
    `fixed_cols`: columns that read the same on every record of a batch (labels, a template's items),
    drawn once per document with the header rows and the ruling (see FormTable)."""
    st = styles()
    aligns = aligns or {}

    def cell(value: object, r: int, c: int) -> str | Flowable | list[Flowable]:
        if isinstance(value, (Flowable, list)):
            return value
        raw = "" if value is None else str(value)
        if "\n" not in raw and _width(raw, st.cell.fontSize) <= widths[c] - 6.5:
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
    # every cell starts in the grid's style (font, size, padding, vertically centred) without a style
    # command applied to each cell of each table: that was a tenth of the time of a batch
    cell_style = _grid_cell_style()
    table = FormTable(
        cells,
        colWidths=list(widths),
        repeatRows=header_rows,
        splitByRow=1,
        splitInRow=1,
        cellStyles=[[cell_style("cell") for _ in row] for row in cells],
    )
    commands: list[tuple] = [("GRID", (0, 0), (-1, -1), 0.6, GRID)]
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
    table.fixed_rows = header_rows
    table.fixed_cols = frozenset(fixed_cols)
    table.stamp_style = _style_key(commands)
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
    return grid(rows, widths, spans=spans, extra=shade, fixed_cols=range(0, 2 * columns, 2))


def signatures(roles: Sequence[str], dated: Sequence[date | None] | None = None) -> Flowable:
    """Signature and date spaces side by side (up to three to a row), kept on one page with what follows."""
    st = styles()
    per_row = min(3, len(roles))
    cells: list[list[Flowable] | str] = []
    for i, role in enumerate(roles):
        day = dated[i] if dated and i < len(dated) else None
        cells.append(
            [
                paragraph(text(f"{role}：" if "盖章" in role else f"{role}（签字）："), st.body),
                Spacer(1, 7 * mm),
                paragraph(text(f"日期：{cn_date(day)}"), st.body),
            ]
        )
    while len(cells) % per_row:
        cells.append("")
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    table = FormTable(rows, colWidths=[WIDTH / per_row] * per_row)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    table.setStyle(TableStyle(commands))
    table.fixed_rows = len(rows)  # the same on every form of a kind: drawn once per document
    table.stamp_style = _style_key(commands)
    return KeepTogether([Spacer(1, 4 * mm), table])


def check_box(checked: bool | None) -> str:
    """■ / □ for a printed choice (both in GB 2312, so in every Chinese face; ☑ is not)."""
    return "■" if checked else "□"
