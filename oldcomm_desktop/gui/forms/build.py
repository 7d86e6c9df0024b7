"""Compile every ui/*.ui into oldcomm_desktop/gui/forms/ui_<name>.py with pyside6-uic."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

FORMS_DIR = Path(__file__).parent
UI_DIR = FORMS_DIR.parents[2] / "ui"


def uic() -> str:
    exe = shutil.which("pyside6-uic") or str(Path(sys.executable).with_name("pyside6-uic"))
    return exe


def compile_one(ui_file: Path) -> str:
    """The Python source pyside6-uic makes of `ui_file` (no timestamps, so it is reproducible)."""
    result = subprocess.run(
        [uic(), "--no-autoconnection", str(ui_file)], check=True, capture_output=True, text=True, encoding="utf-8"
    )
    return result.stdout


def target_for(ui_file: Path) -> Path:
    return FORMS_DIR / f"ui_{ui_file.stem}.py"


def main() -> int:
    for ui_file in sorted(UI_DIR.glob("*.ui")):
        target_for(ui_file).write_text(compile_one(ui_file), encoding="utf-8")
        print(f"{ui_file.name} -> {target_for(ui_file).relative_to(FORMS_DIR.parents[2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
