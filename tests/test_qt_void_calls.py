"""Guard for the PySide6 pin: 6.12.0 on CPython 3.11 aborts after a few thousand void Qt calls.

Each call of a Qt method returning nothing drops a reference to ``None``; the process dies with
"Fatal Python error: none_dealloc" (exit 134) — in a real window within minutes (tech-notes §1).
Hence ``PySide6-Essentials<6.12`` on Python < 3.12. This test runs ~20,000 such calls in a child
process (an abort would otherwise take pytest down with it) and fails if the pin is lifted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CALLS = 20_000

CHILD = textwrap.dedent(
    """
    import sys

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QStringListModel
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    label = QLabel()
    model = QStringListModel()
    calls = 0
    before = sys.getrefcount(None)
    while calls < {calls}:
        label.setText(str(calls))
        label.setToolTip("幸福里小区")
        label.setEnabled(True)
        label.update()
        model.setStringList(["a"])
        calls += 5
    after = sys.getrefcount(None)
    print(f"PySide6 {{pyside_version}}, Python {{sys.version.split()[0]}}: "
          f"{{calls}} void calls, refcount(None) {{before}} -> {{after}}")
    # On 3.11 a leak the other way still crashes later, at exit; catch a small drift here too.
    if sys.version_info < (3, 12) and after < before - 1000:
        sys.exit(3)
    del label, model
    app.quit()
    """
).format(calls=CALLS)


def test_many_void_qt_calls_do_not_kill_the_process():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (
        f"child exited {proc.returncode} after {CALLS} void Qt calls — is PySide6 >= 6.12 installed on "
        f"Python < 3.12? Keep PySide6-Essentials<6.12 there (tech-notes §1).\n"
        f"stdout: {proc.stdout}\nstderr: {proc.stderr[-2000:]}"
    )
    assert f"{CALLS} void calls" in proc.stdout
