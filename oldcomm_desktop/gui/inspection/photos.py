"""Photos on an inspection or a re-inspection: a strip of thumbnails, and a viewer to see one large.

The strip shows either files the clerk is about to attach (paths on disk, not yet stored) or files the
core already stores beside the database (`attachments.files`); it never copies anything itself — the
core's `attachments.add` does that when the record is saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImageReader, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.gui import colours

IMAGE_FILTER = "图片 (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;所有文件 (*)"
THUMB = QSize(112, 84)


@dataclass(frozen=True)
class Photo:
    path: Path
    name: str
    caption: str = ""


def photos_from(files: Iterable[Mapping[str, Any]]) -> list[Photo]:
    """Photos from the core's `attachments.files` descriptions."""
    return [Photo(Path(f["path"]), f.get("file_name") or Path(f["path"]).name, f.get("caption") or "") for f in files]


def load_image(path: Path, size: QSize | None = None) -> QPixmap:
    """The picture (scaled while decoding when `size` is given, so a 12 MP photo costs little); null if unreadable."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # phone photos carry their rotation in EXIF
    if size is not None and reader.canRead():
        full = reader.size()
        if full.isValid():
            reader.setScaledSize(full.scaled(size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return QPixmap.fromImage(image) if not image.isNull() else QPixmap()


def thumbnail(path: Path) -> QIcon:
    pix = load_image(path, THUMB)
    canvas = QPixmap(THUMB)
    canvas.fill(colours.qcolor("placeholder"))
    painter = QPainter(canvas)
    if pix.isNull():
        painter.setPen(colours.qcolor("muted"))
        painter.drawText(canvas.rect(), Qt.AlignmentFlag.AlignCenter, "无法预览")
    else:
        painter.drawPixmap((THUMB.width() - pix.width()) // 2, (THUMB.height() - pix.height()) // 2, pix)
    painter.end()
    return QIcon(canvas)


class PhotoStrip(QWidget):
    """A row of thumbnails; `editable` adds 添加照片… / 移除 buttons. Double-click opens the viewer.

    With `wrap` the thumbnails fill the space given in rows (for a side pane) instead of one scrolling row.
    """

    changed = Signal()

    def __init__(
        self,
        *,
        editable: bool = False,
        wrap: bool = False,
        settings: QSettings | None = None,
        empty_text: str = "没有照片",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._photos: list[Photo] = []
        self._settings = settings
        self.list = QListWidget()
        self.list.setObjectName("photo_list")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(wrap)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setIconSize(THUMB)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        if wrap:
            self.list.setMinimumHeight(THUMB.height() + 52)
        else:
            self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.list.setFixedHeight(THUMB.height() + 52)
        self.list.setSpacing(4)
        self.list.setToolTip("双击查看大图")
        self.list.itemActivated.connect(lambda item: self.open_viewer(self.list.row(item)))
        self.empty = QLabel(empty_text)
        self.empty.setObjectName("photo_empty")
        self.empty.setStyleSheet(colours.text_style("muted"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        self.add_button: QPushButton | None = None
        self.remove_button: QPushButton | None = None
        if editable:
            row = QHBoxLayout()
            self.add_button = QPushButton("添加照片…")
            self.add_button.setObjectName("add_photo")
            self.add_button.clicked.connect(self.choose_files)
            self.remove_button = QPushButton("移除所选")
            self.remove_button.setObjectName("remove_photo")
            self.remove_button.clicked.connect(self.remove_selected)
            row.addWidget(self.add_button)
            row.addWidget(self.remove_button)
            row.addStretch(1)
            layout.addLayout(row)
        if not wrap:
            self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        else:
            layout.addStretch(0)
        self._sync()

    # -- content ------------------------------------------------------------------------------------
    def set_photos(self, photos: Sequence[Photo]) -> None:
        self._photos = list(photos)
        self.list.clear()
        for photo in self._photos:
            self._add_item(photo)
        self._sync()

    def add_files(self, paths: Iterable[str | Path]) -> None:
        known = {p.path for p in self._photos}
        for raw in paths:
            path = Path(raw)
            if path in known:
                continue
            known.add(path)
            photo = Photo(path, path.name)
            self._photos.append(photo)
            self._add_item(photo)
        self._sync()
        self.changed.emit()

    def _add_item(self, photo: Photo) -> None:
        item = QListWidgetItem(thumbnail(photo.path), _short(photo.name))
        item.setToolTip(f"{photo.name}\n{photo.caption}".strip())
        item.setSizeHint(QSize(THUMB.width() + 12, THUMB.height() + 30))
        self.list.addItem(item)

    def photos(self) -> list[Photo]:
        return list(self._photos)

    def paths(self) -> list[Path]:
        return [p.path for p in self._photos]

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._photos):
            del self._photos[row]
            self.list.takeItem(row)
            self._sync()
            self.changed.emit()

    def choose_files(self) -> None:
        from oldcomm_desktop.gui.file_dialogs import open_files

        files = open_files(self, self._settings, "photos", "选择照片", IMAGE_FILTER)
        if files:
            self.add_files(files)

    def _sync(self) -> None:
        has = bool(self._photos)
        self.list.setVisible(has)
        self.empty.setVisible(not has)
        if self.remove_button:
            self.remove_button.setEnabled(has)

    # -- viewer -------------------------------------------------------------------------------------
    def open_viewer(self, index: int = 0) -> PhotoViewer | None:
        if not self._photos:
            return None
        viewer = PhotoViewer(self._photos, index, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        return viewer


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


class PhotoViewer(QDialog):
    """One photo large, fitted to the window; ←/→ or the buttons step through the others."""

    def __init__(self, photos: Sequence[Photo], index: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("查看照片")
        self.photos = list(photos)
        self.index = max(0, min(index, len(self.photos) - 1))
        self._pixmap = QPixmap()
        self.fit = True
        self.image = QLabel()
        self.image.setObjectName("photo_image")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setStyleSheet(
            colours.style("QLabel { background: {viewer_bg}; color: {viewer_text}; }")
        )
        self.scroll = QScrollArea()
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setWidget(self.image)
        self.scroll.setWidgetResizable(True)
        self.caption = QLabel()
        self.caption.setObjectName("photo_caption")
        self.prev_button = QPushButton("◀ 上一张")
        self.next_button = QPushButton("下一张 ▶")
        self.fit_button = QPushButton("原始大小")
        close = QPushButton("关闭")
        self.prev_button.clicked.connect(lambda: self.show_photo(self.index - 1))
        self.next_button.clicked.connect(lambda: self.show_photo(self.index + 1))
        self.fit_button.clicked.connect(self.toggle_fit)
        close.clicked.connect(self.close)
        bar = QHBoxLayout()
        bar.addWidget(self.caption, 1)
        for b in (self.prev_button, self.next_button, self.fit_button, close):
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bar)
        QShortcut(QKeySequence(Qt.Key.Key_Left), self, lambda: self.show_photo(self.index - 1))
        QShortcut(QKeySequence(Qt.Key.Key_Right), self, lambda: self.show_photo(self.index + 1))
        self.resize(960, 720)
        self.show_photo(self.index)
        self._sized = False

    def showEvent(self, event) -> None:
        if not self._sized:  # once laid out, the frame around the picture is known
            self._sized = True
            self.layout().activate()
            self._size_to_photo()
        super().showEvent(event)

    def _size_to_photo(self) -> None:
        """Big enough to show the photo at its own size when the screen has room (a 960×720 window scaled a
        1024-wide photo down although the screen could show every pixel); never bigger than the screen."""
        if self._pixmap.isNull():
            return
        screen = (self.parentWidget().window().screen() if self.parentWidget() else None) or self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        chrome = QSize(self.width() - self.scroll.viewport().width(), self.height() - self.scroll.viewport().height())
        want = self._pixmap.size() + chrome + QSize(8, 8)
        self.resize(min(max(want.width(), 480), area.width() - 32), min(max(want.height(), 360), area.height() - 32))

    def show_photo(self, index: int) -> None:
        if not self.photos or not 0 <= index < len(self.photos):
            return
        self.index = index
        photo = self.photos[index]
        self._pixmap = load_image(photo.path)
        size = f"{self._pixmap.width()}×{self._pixmap.height()}" if not self._pixmap.isNull() else "无法打开"
        extra = f" — {photo.caption}" if photo.caption else ""
        self.caption.setText(f"{index + 1} / {len(self.photos)}　{photo.name}{extra}（{size}）")
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.photos) - 1)
        self._render()

    def toggle_fit(self) -> None:
        self.fit = not self.fit
        self.fit_button.setText("原始大小" if self.fit else "适合窗口")
        self._render()

    def _render(self) -> None:
        if self._pixmap.isNull():
            self.image.setPixmap(QPixmap())
            self.image.setText("无法打开这个文件（可能不是图片，或文件已丢失）")
            return
        self.image.setText("")
        if self.fit:
            area = self.scroll.viewport().size() - QSize(4, 4)
            pix = self._pixmap
            if pix.width() > area.width() or pix.height() > area.height():
                pix = pix.scaled(area, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            self.image.setPixmap(pix)
        else:
            self.image.setPixmap(self._pixmap)

    def resizeEvent(self, event) -> None:  # Qt's name
        super().resizeEvent(event)
        if self.fit:
            self._render()
