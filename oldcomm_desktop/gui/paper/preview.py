"""Print preview inside the program: the core's PDF rendered page by page with pypdfium2.

Why pypdfium2 and not QtPdf: QtPdf ships only in the PySide6-Addons wheel (175 MB to download, 439 MB
unpacked) while pypdfium2 is a 4 MB wheel; it renders a page to an image in milliseconds (README,
"Paper"). Printing draws those images at the printer's resolution onto a QPrinter, so what the preview
shows is what comes out; 另存为 writes the very bytes; 用系统程序打开 hands a copy to the PDF viewer.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.gui import colours

PREVIEW_DPI = 96
PRINT_DPI = 300  # enough for 9-point Chinese on a laser printer; an A4 page is then 26 MB while drawn


def _image(page, dpi: float) -> QImage:  # a pypdfium2 PdfPage
    bitmap = page.render(scale=dpi / 72)
    pil = bitmap.to_pil().convert("RGB")
    data = pil.tobytes("raw", "RGB")
    # copy(): the QImage must own its pixels, the Python bytes go away with this frame
    return QImage(data, pil.width, pil.height, 3 * pil.width, QImage.Format.Format_RGB888).copy()


def print_pdf(pdf: bytes, printer: QPrinter, dpi: int = PRINT_DPI) -> int:
    """Draw every page onto `printer`, each scaled to the printable area; returns the pages printed."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    painter = QPainter()
    if not painter.begin(printer):
        doc.close()
        raise OSError("无法启动打印（打印机不可用）")
    try:
        for i in range(len(doc)):
            if i:
                printer.newPage()
            image = _image(doc[i], dpi)
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.setViewport(area.x(), area.y(), size.width(), size.height())
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
            painter.setViewport(area)
        return len(doc)
    finally:
        painter.end()
        doc.close()


class PreviewDialog(QDialog):
    """The pages of one PDF, one under another, with 打印… / 另存为… / 用系统程序打开 / 关闭."""

    def __init__(self, pdf: bytes, title: str, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.file_name = file_name
        self.setWindowTitle(f"打印预览 — {title}")
        import pypdfium2 as pdfium

        # the first page is drawn at once, the others one per event-loop turn: a 25-page consent form
        # opens as fast as a one-page notice and the window stays responsive while the rest appear
        self._doc = pdfium.PdfDocument(pdf)
        self.pages = len(self._doc)
        self.page_labels: list[QLabel] = []
        column = QWidget()
        column.setObjectName("preview_pages")
        col = QVBoxLayout(column)
        col.setSpacing(12)
        col.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        for _ in range(self.pages):
            label = QLabel()
            label.setStyleSheet(
                colours.style("background: {paper}; border: 1px solid {paper_border};")
            )
            col.addWidget(label)
            self.page_labels.append(label)
        self._next = 0
        self._render_next()
        self.scroll = QScrollArea()
        self.scroll.setWidget(column)
        self.scroll.setWidgetResizable(True)
        self.scroll.setStyleSheet(colours.style("QScrollArea { background: {paper_desk}; }"))
        self.count_label = QLabel(f"共 {self.pages} 页")
        self.count_label.setObjectName("page_count")
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("print")
        self.print_button.setDefault(True)
        self.save_button = QPushButton("另存为…")
        self.save_button.setObjectName("save_as")
        self.open_button = QPushButton("用系统程序打开")
        self.open_button.setObjectName("open_external")
        close = QPushButton("关闭")
        self.print_button.clicked.connect(self.print_with_dialog)
        self.save_button.clicked.connect(self.save_with_dialog)
        self.open_button.clicked.connect(self.open_external)
        close.clicked.connect(self.reject)
        bar = QHBoxLayout()
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        for b in (self.print_button, self.save_button, self.open_button, close):
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bar)
        self.resize(QSize(900, 1000))

    def _render_next(self) -> None:
        if self._doc is None or self._next >= self.pages:
            self._close_doc()
            return
        image = _image(self._doc[self._next], PREVIEW_DPI)
        self.page_labels[self._next].setPixmap(QPixmap.fromImage(image))
        if self._next == 0:  # the later pages keep the first one's size until drawn
            for label in self.page_labels[1:]:
                label.setMinimumSize(image.size())
        self._next += 1
        QTimer.singleShot(0, self, self._render_next)

    def rendered(self) -> int:
        """How many pages are drawn so far (all of them once the event loop has run a little)."""
        return self._next

    def _close_doc(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None

    def done(self, result: int) -> None:  # closing stops the rendering
        self._close_doc()
        super().done(result)

    # -- printing -------------------------------------------------------------------------------------
    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.file_name)
        printer.setFullPage(False)
        from PySide6.QtGui import QPageSize

        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        return printer

    def print_with_dialog(self) -> bool:
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> bool:
        try:
            print_pdf(self.pdf, printer)
        except OSError as exc:
            QMessageBox.warning(self, "无法打印", str(exc))
            return False
        return True

    # -- files ----------------------------------------------------------------------------------------
    def save_with_dialog(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, "另存为", self.file_name, "PDF 文件 (*.pdf)")
        if not name:
            return None
        return self.save_to(Path(name))

    def save_to(self, path: Path) -> Path | None:
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(path.suffix + ".pdf") if path.suffix else path.with_suffix(".pdf")
        try:
            path.write_bytes(self.pdf)
        except OSError as exc:
            QMessageBox.warning(self, "无法保存", f"无法写入 {path}：{exc.strerror or exc}")
            return None
        return path

    def open_external(self) -> Path | None:
        """A copy in the temp folder opened by the PC's PDF viewer (which prints too)."""
        folder = Path(tempfile.gettempdir()) / "oldcomm-print"
        folder.mkdir(exist_ok=True)
        path = folder / self.file_name
        try:
            path.write_bytes(self.pdf)
        except OSError:  # the viewer still has an earlier copy open
            path = Path(tempfile.mkstemp(prefix=path.stem + "-", suffix=".pdf", dir=folder)[1])
            path.write_bytes(self.pdf)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            QMessageBox.information(self, "用系统程序打开", f"没有找到打开 PDF 的程序。文件在：{path}")
        return path
