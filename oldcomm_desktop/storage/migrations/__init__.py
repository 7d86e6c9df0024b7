"""Versioned schema migrations (alembic). Opening any database runs `upgrade` to the newest revision.

Each release that changes the schema adds one file under `versions/`; a database made by an older
release is carried forward step by step, never rebuilt.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from sqlalchemy import Engine, inspect

from oldcomm_desktop.core.errors import ForeignFile, NewerSchema

HERE = Path(__file__).parent
_ASSIGNED = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE)


def _config():  # alembic.config.Config, imported lazily (start-up time)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    return config


@functools.cache
def _chain() -> dict[str, tuple[str, ...]]:
    """revision → its down revisions, read from the scripts' text (`revision = "…"`, `down_revision = …`)
    without importing alembic or the scripts: opening a database that is up to date (nearly always) needs
    only the head, and alembic with its scripts cost a few tenths of a second of every start-up."""
    chain: dict[str, tuple[str, ...]] = {}
    for path in sorted((HERE / "versions").glob("*.py")):
        # the two top-level assignments only (parsing each whole script cost ~30 ms of every start-up)
        values = {
            m.group(1): ast.literal_eval(m.group(2))
            for m in _ASSIGNED.finditer(path.read_text(encoding="utf-8"))
        }
        revision, down = values.get("revision"), values.get("down_revision")
        if isinstance(revision, str):
            downs = down if isinstance(down, (tuple, list)) else ((down,) if down else ())
            chain[revision] = tuple(map(str, downs))
    return chain


def head_revision() -> str:
    chain = _chain()
    named = {d for downs in chain.values() for d in downs}
    heads = [r for r in chain if r not in named]
    if len(heads) == 1:
        return heads[0]
    from alembic.script import ScriptDirectory  # several heads or none: alembic's own answer (and error)

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the migration scripts are part of the package"
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; refuse a database written by a newer release or by another program."""
    if revision == "head" and _stored_revision(engine) == head_revision():
        return  # up to date: nothing of alembic is needed (nor imported)
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    current = current_revision(engine)
    if current is not None and not _known(script, current):
        raise NewerSchema(f"这个数据库由较新版本的程序建立（结构版本 {current}），请升级本程序后再打开。")
    if current is None and inspect(engine).get_table_names():
        raise ForeignFile("这个文件不是老旧小区改造工作台的数据库（里面已有别的表）。")
    if revision == "head" and current == script.get_current_head():
        return
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _stored_revision(engine: Engine) -> str | None:
    """alembic_version's row, read plainly (None when there is no such table or row)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def is_known(revision: str) -> bool:
    """Whether `revision` is one of ours (head or earlier): anything else was written by a newer release."""
    return revision in _chain()


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    return [s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()]


def _known(script, revision: str) -> bool:  # alembic ScriptDirectory
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises ResolutionError / CommandError for an id it does not know
        return False
