"""Shared fixtures of the GUI tests: the two demo counties (built once per session, demo_context.py).

Qt aborts (exit 134, "could not load xcb") without a display.

The platform must be chosen before any QApplication exists, hence at import time, not in a fixture.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # after the platform is chosen
from demo_context import COMMUNITY_DEMO, PAGES_DEMO, build


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory):
    return build(tmp_path_factory.mktemp("community_demo") / "demo.sqlite3", COMMUNITY_DEMO, seed=1)


@pytest.fixture(scope="session")
def pages_demo_file(tmp_path_factory: pytest.TempPathFactory):
    return build(tmp_path_factory.mktemp("pages_demo") / "demo.sqlite3", PAGES_DEMO, seed=2)
