"""Every QSettings key the program uses, and its default: the one place to look for a fact of this PC.

Facts about a database live in that database (core.catalogues settings); what is remembered here is about
this PC and this clerk: the window's size, a table's columns, a splitter, the money unit, the last folder.
Code reads `settings.value(KEY, DEFAULTS.get(KEY))` through `value()` so a missing key gives the default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # no Qt import at run time: app.py reads the names before Qt is loaded
    from PySide6.QtCore import QSettings

# -- the organisation and application names the settings file is filed under ---------------------------
APP_ORG = "oldcomm"
APP_NAME = "oldcomm-desktop"

# -- fixed keys -----------------------------------------------------------------------------------------
WINDOW_GEOMETRY = "window/geometry"  # QByteArray from QMainWindow.saveGeometry
MONEY_UNIT = "display/money_unit"  # 元 / 万元 / 亿元
LAST_INSPECTORS = "inspections/last_inspectors"  # 检查人员 of the last inspection recorded
LAST_REINSPECTOR = "inspections/last_reinspector"  # 复查人 of the last re-inspection
LEDGER_FOLDER = "importing/last_folder"  # where the last ledger workbook was opened from
PACKAGE_FOLDER = "exchange/package_folder"  # where exchange packages are written and read

DEFAULTS: dict[str, Any] = {
    MONEY_UNIT: "万元",
    LAST_INSPECTORS: "",
    LAST_REINSPECTOR: "",
    LEDGER_FOLDER: "",
    PACKAGE_FOLDER: "",
}


# -- keys with a part that varies -----------------------------------------------------------------------
def table_state(name: str) -> str:
    """A table's column widths, order and visibility (QHeaderView.saveState), per table name."""
    return f"tables/{name}"


def splitter_state(page: str) -> str:
    """A list page's table/detail splitter (QSplitter.saveState), per page key."""
    return f"pages/{page}/splitter"


def last_folder(purpose: str) -> str:
    """The folder a file dialog for `purpose` (photos, exports …) last opened in."""
    return f"last_folder/{purpose}"


def operator_for(database: str) -> str:
    """The operator last signed in on `database` (the URL masked: no password in a settings file)."""
    return "operators/" + database.replace("/", "|").replace("\\", "|")


def value(settings: QSettings | None, key: str, default: Any = None) -> Any:
    """`settings.value(key)`, falling back to the key's listed default (or `default`) when unset."""
    fallback = DEFAULTS.get(key, default)
    if settings is None:
        return fallback
    found = settings.value(key)
    return fallback if found is None else found
