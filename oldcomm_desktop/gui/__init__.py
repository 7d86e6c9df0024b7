"""Qt widgets and models; only this package (and tests/gui) may import PySide6, so core stays headless.

Importing this package first makes every later import cheaper (see `_skip_source_reads`).
"""

from __future__ import annotations

import sys

# Qt itself and our GUI package (its modules import Qt, often inside functions: nothing at module level to see)
_QT = ("PySide6", "shiboken6", "oldcomm_desktop.gui")
# packages that never import Qt: our core and storage (DEVELOPERS.md) and the database libraries
_NEVER_QT = ("oldcomm_desktop.core", "oldcomm_desktop.storage", "sqlalchemy", "typing_extensions", "psycopg")


def _skip_source_reads() -> bool:
    """Stop PySide6 from reading the source file of every module imported after it; True if it was done.

    Importing PySide6 replaces `__import__`, and after each new module's first import shiboken's
    `feature_imported` asks `_mod_uses_pyside(module)`, which is `"PySide6" in inspect.getsource(module)`: it
    reads and line-splits the .py file of every module loaded after Qt (SQLAlchemy, typing_extensions, our
    model: ~350 files, 0.3–0.5 s of a 1–2 s start-up, more on a loaded machine or a cold disk), although an
    installed program runs from bytecode. The answer only chooses between "no `__feature__` selected" (0) and
    "ignore this module" (-1), which behave alike unless some module does `from __feature__ import
    snake_case`/`true_property` — none of ours does (and that import sets its module's entry explicitly).
    So the answer is made from what the module holds instead of its text: it uses PySide if it is part of
    PySide6/shiboken or of this package, or its globals hold a PySide6 module or object. A PySide6 without
    this private hook (renamed in a later release) is left as it is: start-up is then only slower, never wrong.
    """
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False

    def uses_pyside(module) -> bool:
        try:
            name = getattr(module, "__name__", "") or ""
            if name.startswith(_QT):
                return True
            if name.startswith(_NEVER_QT):  # big modules known not to touch Qt: no need to look through them
                return False
            for value in list(getattr(module, "__dict__", {}).values()):
                owner = value.__name__ if isinstance(value, type(sys)) else getattr(value, "__module__", None)
                if isinstance(owner, str) and owner.startswith(_QT):
                    return True
        except Exception:  # an odd module (a lazy proxy raising on getattr): "ignore it", never a failed import
            return False
        return False

    feature._mod_uses_pyside = uses_pyside
    return True


try:
    import PySide6  # noqa: F401 - loads shiboken's import hook, which `_skip_source_reads` then makes cheap
except ImportError:  # no Qt installed: the GUI's own start-up says so where it imports Qt, as before
    SOURCE_READS_SKIPPED = False
else:
    SOURCE_READS_SKIPPED = _skip_source_reads()
