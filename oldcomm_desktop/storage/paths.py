"""The user's data folder, shared by the GUI and the command line (platformdirs, no Qt)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "oldcomm"
DB_FILE = "oldcomm.sqlite3"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database() -> str:
    """`OLDCOMM_DB` if set (tests, a county server), else the file in the user's data folder."""
    return os.environ.get("OLDCOMM_DB") or str(data_dir() / DB_FILE)


def is_url(target: str) -> bool:
    return "://" in target


def attachments_dir_for(db_file: Path) -> Path:
    """Attachments live beside the database so a copy of the folder carries them along."""
    return db_file.with_name(db_file.stem + "-attachments")


def log_file() -> Path:
    """Where the program writes what went wrong unexpectedly (never a password): <data dir>/logs/oldcomm.log."""
    return data_dir() / "logs" / "oldcomm.log"
