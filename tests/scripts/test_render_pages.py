"""scripts/render_pages.py renders at the sizes asked for and leaves no temporary folder behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_renders_at_two_sizes_and_cleans_up(tmp_path: Path) -> None:
    scratch, out = tmp_path / "tmp", tmp_path / "out"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    cmd = [sys.executable, str(ROOT / "scripts" / "render_pages.py"), "--out", str(out), "--communities", "3"]
    cmd += ["--only", "dashboard", "--sizes", "1024x600", "1366x768"]
    subprocess.run(cmd, check=True, env=env, cwd=tmp_path, capture_output=True, timeout=600)
    assert sorted(p.name for p in out.iterdir()) == ["01_dashboard_1024x600.png", "01_dashboard_1366x768.png"]
    assert list(scratch.iterdir()) == []  # the demo database, its settings: all gone
