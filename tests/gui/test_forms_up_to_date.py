"""Each Designer form in ui/ has its compiled class, and it matches what pyside6-uic makes now."""

from __future__ import annotations

import pytest

from oldcomm_desktop.gui.forms import build

UI_FILES = sorted(build.UI_DIR.glob("*.ui"))


@pytest.mark.parametrize("ui_file", UI_FILES, ids=[f.name for f in UI_FILES])
def test_compiled_form_is_current(ui_file):
    target = build.target_for(ui_file)
    assert target.exists(), f"run python -m oldcomm_desktop.gui.forms.build ({target.name} missing)"
    assert target.read_text(encoding="utf-8") == build.compile_one(ui_file), (
        f"{target.name} is older than {ui_file.name}: run python -m oldcomm_desktop.gui.forms.build"
    )
