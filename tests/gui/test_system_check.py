"""Before Qt starts on Linux, missing X11 libraries are named in Chinese with the packages to install,
instead of Qt's abort that names only libxcb-cursor0."""

from __future__ import annotations

import pytest

from oldcomm_desktop.gui import app, system_check

GONE = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}


def test_names_each_missing_library_and_its_package() -> None:
    text = system_check.check({"DISPLAY": ":0"}, loads=lambda lib: lib not in GONE)
    assert text is not None
    assert "libxcb-icccm.so.4" in text and "libxcb-keysyms.so.1" in text
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in text
    assert "libxcb-cursor" not in text  # only what is missing


def test_nothing_to_say_when_all_load_or_qt_is_not_on_x11() -> None:
    assert system_check.check({"DISPLAY": ":0"}, loads=lambda _lib: True) is None
    assert system_check.check({"QT_QPA_PLATFORM": "offscreen"}, loads=lambda _lib: False) is None
    assert system_check.check({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, lambda _l: False) is None
    assert not system_check.uses_xcb({}, platform="win32")


def test_the_program_stops_with_the_message(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(system_check, "check", lambda: system_check.message([("libxcb-icccm.so.4", "libxcb-icccm4")]))
    assert app.main([]) == 1
    assert "libxcb-icccm4" in capsys.readouterr().err
