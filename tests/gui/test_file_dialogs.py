"""File dialogs are Chinese throughout and open in Documents, or where the clerk last was for that purpose."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QLabel

from oldcomm_desktop.gui import file_dialogs
from oldcomm_desktop.gui.fonts import install_translator


def test_every_label_is_chinese(qtbot, qapp) -> None:
    assert install_translator(qapp)
    dialog = QFileDialog(None, "选择照片", str(Path.home()), "图片 (*.jpg)")
    dialog.setOption(file_dialogs.OPTIONS, True)
    qtbot.addWidget(dialog)
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
    assert labels == ["查找范围(&I)：", "文件名称(&N)：", "文件类型(&T)："]
    assert not any(ch.isascii() and ch.isalpha() and ch not in "INT" for text in labels for ch in text)


def test_start_in_documents_then_where_last_used(qtbot, tmp_path, monkeypatch) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    asked: list[tuple] = []
    picked = tmp_path / "相机" / "a.jpg"
    picked.parent.mkdir()
    picked.write_bytes(b"x")

    def fake(parent, title, folder, file_filter, selected, options):
        asked.append((folder, options))
        return [str(picked)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", fake)
    assert file_dialogs.open_files(None, settings, "photos", "选择照片", "图片 (*.jpg)") == [str(picked)]
    assert asked[0] == (file_dialogs.documents(), file_dialogs.OPTIONS)  # Qt's own dialog, from Documents
    file_dialogs.open_files(None, settings, "photos", "选择照片", "图片 (*.jpg)")
    assert asked[1][0] == str(picked.parent)  # where the last photo came from
    assert file_dialogs.start_folder(settings, "backup") == file_dialogs.documents()  # each purpose its own
    picked.unlink()
    picked.parent.rmdir()
    assert file_dialogs.start_folder(settings, "photos") == file_dialogs.documents()  # a folder gone: Documents
