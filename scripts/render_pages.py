"""Render every page of the main window, and the main dialogs, on the demo database to PNG files.

For the team to look at what a clerk sees, without a screen: offscreen Qt, a 1280×800 window (or the
sizes asked for: `--sizes 1024x600 1366x768 1440x900`, or `--three-sizes`; dialogs are capped to the size as
a screen of it would), the app's own fonts. The temporary demo database and settings are removed at the end.
Usage:

    python scripts/render_pages.py [--out renders/] [--db path.sqlite3] [--communities 60] [--three-sizes]

Without --db a fresh demo county is built in a temporary folder (the same generator `--demo` uses) and a
few of its records are deleted, so the 回收站 has rows to show.
Pages may offer `sample_views()` → [(name, fn)] (fn puts the page in another state, e.g. a detail tab,
and the window is rendered again) and `sample_dialogs()` → [(name, dialog)] (rendered, not executed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WIDTH, HEIGHT = 1280, 800
_SETTINGS: list = []  # every QSettings made here, synced before the temporary folder is removed
THREE_SIZES = ("1024x600", "1366x768", "1440x900")  # a netbook, the common laptop, a bigger laptop


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Render the main window's pages and dialogs to PNG files.")
    p.add_argument("--out", default="renders", help="output folder (created if missing)")
    p.add_argument("--db", help="an existing database to render instead of a new demo county")
    p.add_argument("--communities", type=int, default=60, help="demo size (communities)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", nargs="*", help="page keys to render (default: all)")
    p.add_argument("--sizes", nargs="*", default=[f"{WIDTH}x{HEIGHT}"], help="window sizes, e.g. 1366x768")
    p.add_argument("--three-sizes", action="store_true", help="render at " + ", ".join(THREE_SIZES))
    p.add_argument("--dark", action="store_true", help="a dark palette, as Windows' dark mode (names end _dark)")
    args = p.parse_args(argv)
    if args.three_sizes:
        args.sizes = list(THREE_SIZES)
    try:
        args.sizes = [tuple(int(x) for x in size.lower().split("x")) for size in args.sizes]
    except ValueError:
        p.error("--sizes: give sizes as WIDTHxHEIGHT, e.g. 1366x768")
    return args


def _settle(app) -> None:
    """Process events until no page is still computing in a worker (the dashboard), then a few more."""
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(getattr(w, "loading", False) for w in QApplication.allWidgets()):
        app.processEvents()
        time.sleep(0.02)
    for _ in range(5):
        app.processEvents()


def _fill_recycle_bin(db) -> None:
    """Delete a few demo records through the services, so the 回收站 page has something to show."""
    from sqlalchemy import select

    from oldcomm_desktop.core import communities, inspections, items
    from oldcomm_desktop.core.model import Community, Inspection, RenovationItem

    with db.transaction("王敏") as s:
        live = list(s.scalars(select(Community).where(Community.deleted_at.is_(None)).order_by(Community.name)))
        communities.delete(s, live[0].id)
        item = s.scalars(select(RenovationItem).where(RenovationItem.community_id == live[1].id)).first()
        items.delete(s, item.id)
        inspection = s.scalars(
            select(Inspection).where(Inspection.deleted_at.is_(None)).order_by(Inspection.id)
        ).first()
        inspections.delete(s, inspection.id)


def _dialogs_of(page) -> list:
    """The page's own `sample_dialogs()`; otherwise what its dialog builders return without blocking:
    `make_record_dialog()`, and `new_record()` / `edit_current()` when annotated to return a dialog
    (a page whose new_record runs `exec()` says `-> None` and is left alone)."""
    import inspect

    from PySide6.QtWidgets import QDialog

    sample = getattr(page, "sample_dialogs", None)
    if callable(sample):
        return list(sample())
    found = []
    for name in ("make_record_dialog", "new_record", "edit_current"):
        fn = getattr(page, name, None)
        if not callable(fn):
            continue
        returns = inspect.signature(fn).return_annotation
        if name != "make_record_dialog" and (returns in (None, "None", inspect.Signature.empty)):
            continue
        dialog = fn()
        if isinstance(dialog, QDialog):
            found.append((name.removeprefix("make_").removesuffix("_current").removesuffix("_record") or name, dialog))
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="oldcomm-render-"))
    try:
        written = _render(args, out, tmp)
    finally:
        _release()  # windows deleted, settings written, before the folder goes
        shutil.rmtree(tmp, ignore_errors=True)  # the demo database, its settings and the blank database
    for path in written:
        print(path)
    return 0


def _release() -> None:
    """Delete the closed windows now (deleteLater waits for an event loop) so their QSettings write their
    files before the temporary folder is removed, not into a folder made again after it."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    for settings in _SETTINGS:  # written now: nothing left for a destructor to write after the folder is gone
        settings.sync()
    _SETTINGS.clear()


def _render(args: argparse.Namespace, out: Path, tmp: Path) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QDialog, QWidget

    from oldcomm_desktop.core import demo, workspace
    from oldcomm_desktop.gui.app import make_application
    from oldcomm_desktop.gui.context import AppContext
    from oldcomm_desktop.gui.dialogs.first_run import FirstRunDialog, OperatorDialog
    from oldcomm_desktop.gui.main_window import PAGES, MainWindow
    from oldcomm_desktop.storage.database import open_database

    app = make_application([sys.argv[0]])
    if args.dark:  # what Windows' dark mode hands Qt; the pages switch live (gui/colours.py)
        from oldcomm_desktop.gui import colours

        app.setStyle("Fusion")
        app.setPalette(colours.dark_palette())
    if args.db:
        db = open_database(args.db)
    else:
        db = open_database(tmp / "demo.sqlite3")
        with db.transaction("演示操作员") as s:
            demo.build(s, communities_count=args.communities, seed=args.seed)
        _fill_recycle_bin(db)
    fresh = open_database(tmp / "fresh.sqlite3")  # a new township database: the first-steps guide
    with fresh.transaction("演示操作员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code="341122100000", name="新安镇", operator="演示操作员")
    written: list[Path] = []
    several = len(args.sizes) > 1
    for width, height in args.sizes:
        tag = (f"_{width}x{height}" if several else "") + ("_dark" if args.dark else "")

        def save(widget: QWidget, name: str, tag: str = tag, width: int = width, height: int = height) -> None:
            _settle(app)
            if isinstance(widget, QDialog):  # no bigger than a screen of this size
                widget.resize(min(widget.width(), width), min(widget.height(), height))
                _settle(app)
            path = out / f"{name}{tag}.png"
            widget.grab().save(str(path))
            written.append(path)

        _SETTINGS.append(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
        ctx = AppContext(db, "演示操作员", _SETTINGS[-1])
        window = MainWindow(ctx)
        window.resize(width, height)
        window.show()
        _settle(app)
        for i, entry in enumerate(PAGES, start=1):
            if args.only and entry.key not in args.only:
                continue
            page = window.go_to(entry.key)
            _settle(app)
            select_first = getattr(page, "select_first", None)
            if callable(select_first):
                select_first()
            save(window, f"{i:02d}_{entry.key}")
            views = getattr(page, "sample_views", None)
            if callable(views):
                for name, show in views():
                    show()
                    save(window, f"{i:02d}_{entry.key}_{name}")
            for name, dialog in _dialogs_of(page):
                dialog.show()
                save(dialog, f"{i:02d}_{entry.key}_{name}")
                dialog.close()
                dialog.deleteLater()
        window.close()
        window.deleteLater()

        if not args.only:
            blank = open_database(tmp / f"blank{tag}.sqlite3")
            first_run = FirstRunDialog(blank)
            first_run.show()
            save(first_run, "90_first_run_dialog")
            first_run.close()
            blank.close()
            operator = OperatorDialog(db)
            operator.show()
            save(operator, "91_operator_dialog")
            operator.close()
            _SETTINGS.append(QSettings(str(tmp / "fresh.ini"), QSettings.Format.IniFormat))
            guide_ctx = AppContext(fresh, "演示操作员", _SETTINGS[-1])
            window = MainWindow(guide_ctx)
            window.resize(width, height)
            window.show()
            window.go_to("dashboard")
            save(window, "92_first_steps")
            window.close()
            window.deleteLater()
    db.close()
    fresh.close()
    return written


if __name__ == "__main__":
    raise SystemExit(main())
