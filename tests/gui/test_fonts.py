"""Chinese must render from our own font file, and Qt's buttons must speak Chinese."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QFont, QFontInfo, QImage, QRawFont
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

from oldcomm_desktop.gui.fonts import (
    BUNDLED_FONT_FILE,
    bundled_font_family,
    find_resource,
    install_app_fonts,
    install_translator,
)

TEXT = "幸福里小区"


@pytest.fixture(autouse=True)
def _keep_the_app_font(qapp: QApplication) -> Iterator[None]:
    """These tests set a 24-point application font; later tests size dialogs against the default one (a
    24-point font made the inspection form's minimum 1205 px wide, wider than the 800-px offscreen screen)."""
    font = QFont(qapp.font())
    yield
    qapp.setFont(font)


def ink_pixels(image: QImage) -> int:
    """Pixels that differ clearly from the top-left (background) colour."""
    background = QColor(image.pixel(0, 0))
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = QColor(image.pixel(x, y))
            if abs(c.red() - background.red()) + abs(c.green() - background.green()) > 120:
                count += 1
    return count


def render(text: str, font: QFont) -> QImage:
    label = QLabel(text)
    label.setFont(font)
    label.setStyleSheet("background: white; color: black; padding: 4px;")
    label.adjustSize()
    return label.grab().toImage()


def test_font_file_and_licence_are_shipped():
    font_path = find_resource("fonts", BUNDLED_FONT_FILE)
    assert font_path is not None and font_path.stat().st_size > 1_000_000
    licence = font_path.with_name("LICENSE-wqy-microhei.txt").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Font exception" in licence


def test_bundled_font_renders_chinese(qapp: QApplication):
    family = install_app_fonts(qapp, point_size=24)
    assert family == "WenQuanYi Micro Hei"
    assert bundled_font_family() == family
    assert qapp.font().families()[0] == family
    assert "Microsoft YaHei" in qapp.font().families()  # fallbacks kept for Windows

    label = QLabel(TEXT)
    assert QFontInfo(label.font()).family() == family  # resolved to the bundled face, not a fallback
    raw = QRawFont.fromFont(label.font())
    assert all(raw.supportsCharacter(ord(ch)) for ch in TEXT)  # ord: the QChar overload mangles CJK

    image = render(TEXT, label.font())
    assert not image.isNull() and image.width() > 100
    assert ink_pixels(image) > 100  # not blank

    # Missing glyphs all draw as the same box; real glyphs differ from each other.
    glyphs = [render(ch, label.font()) for ch in TEXT]
    assert len({bytes(g.constBits()) for g in glyphs}) == len(TEXT)


def test_install_app_fonts_is_idempotent(qapp: QApplication):
    first = install_app_fonts(qapp)
    assert install_app_fonts(qapp) == first
    assert qapp.font().families().count(first) == 1


def test_translator_gives_chinese_buttons(qapp: QApplication):
    assert install_translator(qapp)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
