"""The Chinese font every printed form is set in, embedded in the PDF as a subset.

Why a TrueType face of our own: reportlab refuses OTF/CFF fonts (Noto CJK: "postscript outlines are not
supported") and the built-in STSong-Light is not embedded, so each viewer substitutes its own face
(tech-notes §7). A Song face (宋体) is what Chinese official forms are set in, so a system SimSun is used
where the PC has one (every Chinese Windows does); otherwise the WenQuanYi Micro Hei shipped in
`resources/fonts/` (Apache-2.0 or GPL-3 with the font exception, so we may redistribute it). Either way
only the characters used are embedded, and poppler's `pdftotext` reads the Chinese back.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BUNDLED_FILE = "wqy-microhei.ttc"
#: File names of SimSun (宋体) as Windows ships it, and as Linux users copy it in.
SONG_FILES = ("simsun.ttc", "SimSun.ttc", "simsun.ttf", "SimSun.ttf", "SIMSUN.TTC")
ENV_FONT = "OLDCOMM_PAPER_FONT"  # a .ttf/.ttc to use instead (for a place's own face); index 0


@dataclass(frozen=True)
class PaperFont:
    name: str  # the name registered with reportlab
    path: Path
    song: bool  # a Song (宋体) face rather than the bundled sans


_registered: PaperFont | None = None


def resource_dirs() -> Iterator[Path]:
    """Where `resources/` may be: inside a PyInstaller bundle first, then beside the package."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        yield Path(bundle) / "resources"
    package = Path(__file__).resolve().parents[2]  # …/oldcomm_desktop
    yield package.parent / "resources"
    yield package / "resources"


def bundled_font() -> Path | None:
    for base in resource_dirs():
        candidate = base / "fonts" / BUNDLED_FILE
        if candidate.is_file():
            return candidate
    return None


def _font_dirs() -> Iterator[Path]:
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        yield Path(windir) / "Fonts"
    local = os.environ.get("LOCALAPPDATA")
    if local:
        yield Path(local) / "Microsoft" / "Windows" / "Fonts"  # fonts installed for one user
    home = Path.home()
    yield from (home / ".local" / "share" / "fonts", home / ".fonts", home / "Library" / "Fonts")
    yield from (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path("/Library/Fonts"))


def system_song() -> Path | None:
    """A SimSun (宋体) TrueType file on this PC, or None. Never an OTF (reportlab cannot embed CFF)."""
    for folder in _font_dirs():
        if not folder.is_dir():
            continue
        for name in SONG_FILES:
            if (folder / name).is_file():
                return folder / name
        if os.name != "nt":  # Linux and macOS keep fonts in subfolders (…/truetype/simsun/simsun.ttc)
            for name in SONG_FILES:
                found = next(iter(folder.rglob(name)), None)
                if found is not None:
                    return found
    return None


def candidates() -> list[tuple[Path, bool]]:
    """(file, is_song) in the order they are tried."""
    out: list[tuple[Path, bool]] = []
    override = os.environ.get(ENV_FONT)
    if override:
        out.append((Path(override), False))
    song = system_song()
    if song:
        out.append((song, True))
    bundled = bundled_font()
    if bundled:
        out.append((bundled, False))
    return out


def register() -> PaperFont:
    """Register the paper font with reportlab once and return it; every style of every form uses it."""
    global _registered
    if _registered is not None:
        return _registered
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from oldcomm_desktop.core.errors import OldcommError

    problems = []
    for path, song in candidates():
        name = "OldcommSong" if song else "OldcommSans"
        try:
            # asciiReadable=False: reportlab would keep codes 0–127 of the first subset for ASCII, so a form
            # with more than ~128 different Chinese characters (a patrol record has ~180) needed a second
            # subset, a second embedded font program in every file; without it one subset holds 256
            # characters. Text still extracts: every subset carries its ToUnicode map.
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0, asciiReadable=False))
        except Exception as exc:  # a broken or CFF font file: try the next one
            problems.append(f"{path}: {exc}")
            continue
        # <b>/<i> inside a Paragraph would otherwise fall back to an unembedded Helvetica-Bold
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)
        _registered = PaperFont(name, path, song)
        return _registered
    raise OldcommError("找不到可嵌入的中文字体（resources/fonts/wqy-microhei.ttc 缺失）：" + "；".join(problems))
