"""Start-up shows the ledger first: the window builds only the page asked for (the 概览 start page is chosen
once the event loop runs), the 小区台账 detail pane is built just after the table's first paint, and the
dashboard's first worker starts after its page is shown (benchmarks/bench_gui.py times the whole)."""

# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here
from __future__ import annotations

from community_fixtures import ctx  # noqa: F401 - fixture

from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.main_window import MainWindow


def test_a_page_asked_for_at_once_is_the_only_one_built(qtbot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert window.pages == {}  # nothing built before the event loop runs
    window.show()
    page = window.go_to("communities")
    assert page._detail is None  # the table first
    qtbot.waitUntil(lambda: page.table.view.viewport().isVisible(), timeout=5000)
    laid_out = page.splitter.sizes()
    qtbot.waitUntil(lambda: page._detail is not None, timeout=5000)  # after the table's first paint
    assert page.splitter.sizes()[0] == laid_out[0] > 0  # the pane takes the placeholder's place, not the table's
    qtbot.wait(50)
    assert list(window.pages) == ["communities"]  # the start page (概览) was never built
    assert window.current_page() is page
    current = page.table.current_id()
    assert current and page.detail.community_id == current  # the pane shows the selected community


def test_the_start_page_comes_with_the_event_loop(qtbot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "dashboard" in window.pages, timeout=5000)
    dashboard = window.pages["dashboard"]
    assert window.current_page() is dashboard
    qtbot.waitUntil(lambda: not dashboard.loading and dashboard.data is not None, timeout=20000)


def test_the_detail_pane_is_built_when_asked_for_before_any_paint(qtbot, ctx: AppContext) -> None:
    from oldcomm_desktop.gui.pages.communities import CommunitiesPage

    page = CommunitiesPage(ctx)  # never shown
    qtbot.addWidget(page)
    page.activate()
    assert page._detail is None
    current = page.table.current_id()
    assert current and page.detail.community_id == current  # built on first use, showing the selection
    assert page.splitter.widget(1) is page.detail


def test_modules_imported_after_qt_are_not_read_as_source(tmp_path, monkeypatch) -> None:
    """PySide6's import hook read every later module's .py file (inspect.getsource); ours decides from its globals."""
    import inspect
    import sys

    import oldcomm_desktop.gui as gui

    assert gui.SOURCE_READS_SKIPPED
    feature = sys.modules["shibokensupport.feature"]
    read: list[object] = []
    monkeypatch.setattr(inspect, "getsource", lambda obj: read.append(obj) or "")
    (tmp_path / "oc_plain_mod.py").write_text("import json\nVALUE = json.dumps([1])\n", encoding="utf-8")
    (tmp_path / "oc_qt_mod.py").write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    odd = "class Proxy:\n    @property\n    def __module__(self):\n        raise RuntimeError\n\nTHING = Proxy()\n"
    (tmp_path / "oc_odd_mod.py").write_text(odd, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        plain = __import__("oc_plain_mod")  # the import statement's way (the hook)
        qt = __import__("oc_qt_mod")
        odd_mod = __import__("oc_odd_mod")  # a global that raises when looked at: imported all the same
        assert plain.VALUE == "[1]" and qt.QObject.__name__ == "QObject" and odd_mod.THING is not None
        assert read == []  # no source file read
        assert feature.pyside_feature_dict.get("oc_plain_mod") == -1  # "ignore": as the source check said
        assert feature.pyside_feature_dict.get("oc_qt_mod") == 0  # uses PySide: as the source check said
        assert feature.pyside_feature_dict.get("oc_odd_mod") == -1
    finally:
        for name in ("oc_plain_mod", "oc_qt_mod", "oc_odd_mod"):
            sys.modules.pop(name, None)
            feature.pyside_feature_dict.pop(name, None)


_START_UP_CHILD = r"""
import linecache, os, sys
read = []
update = linecache.updatecache
def counting(filename, module_globals=None):
    read.append(filename)
    return update(filename, module_globals)
linecache.updatecache = counting
from oldcomm_desktop.gui.app import make_application, open_window
app = make_application([sys.argv[0]])
window = open_window(sys.argv[1], operator="测试员")
window.show()
page = window.go_to("communities")
app.processEvents()
page.table.view.grab()
app.processEvents()
print("ROWS", page.table.model.shown_count)
print("READ", [f for f in read if "sqlalchemy" in f or "oldcomm_desktop" in f])
print("MODULES", sorted(m for m in sys.modules if m.split(".")[0] in
      ("openpyxl", "reportlab", "pypinyin", "opencc", "alembic", "cryptography"))
      + [m for m in sys.modules if m == "oldcomm_desktop.gui.dialogs.first_run"])
sys.stdout.flush()
os._exit(0)
"""


def test_the_real_start_up_reads_no_source_and_imports_only_what_the_first_paint_needs(demo_file, tmp_path) -> None:
    """The app's own start-up in a fresh process (as `bench_gui` times it): to the 小区台账 table painted."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    for suffix in ("", "-wal", "-shm"):
        src = demo_file.with_name(demo_file.name + suffix)
        if src.exists():
            shutil.copy(src, tmp_path / src.name)
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-c", _START_UP_CHILD, str(tmp_path / demo_file.name)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(lines["ROWS"]) > 0  # the table painted rows
    assert lines["READ"] == "[]"  # no .py source of SQLAlchemy or ours read by PySide6's import hook
    assert lines["MODULES"] == "[]"  # no export/pinyin/migration libraries, no first-run dialog
