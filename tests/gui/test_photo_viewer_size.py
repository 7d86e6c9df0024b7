"""The photo viewer shows a photo at its own size when the screen has room for it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage

from oldcomm_desktop.gui.inspection.photos import Photo, PhotoViewer


def _png(path: Path, w: int, h: int) -> Path:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(QColor("#3a7bd5"))
    assert image.save(str(path))
    return path


def test_a_photo_that_fits_is_shown_pixel_for_pixel(qtbot, tmp_path) -> None:
    viewer = PhotoViewer([Photo(_png(tmp_path / "a.png", 700, 520), "a.png")])
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    assert viewer.image.pixmap().size().toTuple() == (700, 520)


def test_a_photo_bigger_than_the_screen_is_fitted(qtbot, tmp_path) -> None:
    viewer = PhotoViewer([Photo(_png(tmp_path / "b.png", 3000, 2000), "b.png")])
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    area = viewer.screen().availableGeometry()
    assert viewer.width() <= area.width() and viewer.image.pixmap().width() < 3000
