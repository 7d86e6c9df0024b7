"""Before Qt starts on Linux: are the system libraries its X11 (xcb) platform plugin needs installed?

Without them Qt aborts (exit 134) with a message that names only libxcb-cursor0 (tech-notes §11), whatever
is missing. This looks for each library the plugin links, by its file name, and says in Chinese which Debian /
Ubuntu packages to install. No Qt import here: it runs before the first one.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# library file → Debian/Ubuntu package (what `ldd libqxcb.so` / libQt6XcbQpa list beyond libc and Qt)
XCB_LIBRARIES: Mapping[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def _loads(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def uses_xcb(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """True when Qt will pick its X11 plugin: Linux, no other platform asked for, not a Wayland session."""
    if not platform.startswith("linux"):
        return False
    asked = environ.get("QT_QPA_PLATFORM", "")
    if asked:
        return asked.split(":")[0].split(";")[0] == "xcb"
    return environ.get("XDG_SESSION_TYPE", "") != "wayland" or not environ.get("WAYLAND_DISPLAY")


def missing_packages(loads: Callable[[str], bool] = _loads) -> list[tuple[str, str]]:
    """(library file, package) for each library the X11 plugin needs that cannot be loaded."""
    return [(lib, pkg) for lib, pkg in XCB_LIBRARIES.items() if not loads(lib)]


def message(missing: list[tuple[str, str]]) -> str:
    packages = " ".join(dict.fromkeys(pkg for _lib, pkg in missing))
    libs = "、".join(lib for lib, _pkg in missing)
    return (
        f"无法启动图形界面：本机缺少 Qt 显示窗口所需的系统库 {libs}。\n"
        f"请先安装（Debian / Ubuntu）：sudo apt-get install {packages}\n"
        "安装后重新启动本程序。"
    )


def check(environ: Mapping[str, str] = os.environ, loads: Callable[[str], bool] = _loads) -> str | None:
    """The Chinese message to show instead of Qt's abort, or None when nothing is missing (or not on X11)."""
    if not uses_xcb(environ):
        return None
    missing = missing_packages(loads)
    return message(missing) if missing else None
