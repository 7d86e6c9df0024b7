"""Qt aborts (exit 134, "could not load xcb") without a display.

The platform must be chosen before any QApplication exists, hence at import time, not in a fixture.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
