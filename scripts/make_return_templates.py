"""Write the four standard return templates to resources/templates/ (run after changing a layout).

PYTHONPATH=$PWD python3 scripts/make_return_templates.py
"""

from __future__ import annotations

from pathlib import Path

from oldcomm_desktop.core.returns import standard_templates
from oldcomm_desktop.core.returns.layouts import LAYOUTS

if __name__ == "__main__":
    folder = Path(__file__).resolve().parent.parent / "resources" / "templates"
    for kind in LAYOUTS:
        path = standard_templates.build(kind, folder / standard_templates.FILE_NAMES[kind])
        print(path)
