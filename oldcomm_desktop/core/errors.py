"""Errors the core raises for bad input, each carrying Chinese text a clerk can act on.

They name the field (and row, when the input came from a file) so the GUI can show the message beside
the widget and the CLI can print it; nothing is changed when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field: `field` is the attribute name, `label` its Chinese name."""

    field: str
    label: str
    message: str

    def __str__(self) -> str:
        """ "户数：必须是正整数", or the bare message for a problem of no one field."""
        return f"{self.label}：{self.message}" if self.label else self.message


class OldcommError(Exception):
    """Base of every error the core raises on purpose (as opposed to a bug)."""


class ValidationError(OldcommError):
    """Input was rejected; `problems` lists every field at fault, not just the first."""

    def __init__(self, problems: list[FieldProblem] | FieldProblem | str):
        if isinstance(problems, FieldProblem):
            problems = [problems]
        elif isinstance(problems, str):
            problems = [FieldProblem("", "", problems)]
        self.problems: list[FieldProblem] = problems
        super().__init__("；".join(str(p) for p in problems))

    def for_field(self, field: str) -> list[str]:
        return [p.message for p in self.problems if p.field == field]


class ConfirmationNeeded(OldcommError):
    """The input is plausible but unusual; the caller must ask the clerk and retry with `confirm=True`."""

    def __init__(self, field: str, label: str, message: str):
        self.problem = FieldProblem(field, label, message)
        super().__init__(str(self.problem))


class NotFound(OldcommError):
    """No live record with that id (it never existed, or it is in the recycle bin)."""


class InRecycleBin(NotFound, ValidationError):
    """A record, or one it sits under (its community, its project …), is in the recycle bin: nothing may be
    added under it or changed in it until it is restored (records.refuse_if_binned).

    Both a NotFound (there is no live record to write to, what callers that load one already expect) and a
    ValidationError (the input is refused, so a form shows the message beside it); `table` and `record_id`
    name the record in the bin, the one to restore first.
    """

    def __init__(self, message: str, *, table: str, record_id: str):
        super().__init__(message)
        self.table = table
        self.record_id = record_id


class DatabaseBusy(OldcommError):
    """Another program already writes this database file."""


def _local_text(at: datetime) -> str:
    """A stored UTC time as the clerk's wall clock: 2026年12月1日 15:20."""
    local = at.replace(tzinfo=UTC).astimezone() if at.tzinfo is None else at.astimezone()
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


class StaleRecord(OldcommError):
    """The record changed since the clerk loaded it (optimistic locking): nothing was saved.

    `expected_version` is the version the edit started from, `current_version` the stored one (None when
    the record no longer exists); `changed_by` / `changed_at` come from the audit log's latest entry for the
    record (UTC, naive as stored), when there is one. The GUI offers to reload and keeps what was typed.
    """

    def __init__(
        self,
        record_id: str | None,
        expected_version: int | None,
        current_version: int | None,
        changed_by: str | None = None,
        changed_at: datetime | None = None,
        *,
        table: str | None = None,
    ):
        self.record_id = record_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.table = table
        who = f" {changed_by} " if changed_by else "别人"
        when = f"于 {_local_text(changed_at)} " if changed_at is not None else ""
        versions = ""
        if expected_version is not None and current_version is not None:
            versions = f"（你打开时是第 {expected_version} 版，现在是第 {current_version} 版）"
        elif expected_version is not None:
            versions = f"（你打开时是第 {expected_version} 版，现在已不存在）"
        super().__init__(f"这条记录已被{who}{when}修改过{versions}。请重新载入后再改；你填写的内容没有保存。")


class StorageError(OldcommError):
    """The database (or a backup) cannot be used as asked: the file, the medium or the server is at fault."""


class UnreadableTarget(StorageError):
    """The target is not something we can open: a folder, an empty name, a text file, a damaged file."""


class DamagedDatabase(UnreadableTarget):
    """A SQLite file that cannot be read (truncated, pages overwritten): restore may replace it, nothing else."""


class ForeignFile(StorageError):
    """A valid SQLite file of another application (or not a database of this program at all)."""


class NewerSchema(StorageError):
    """Made by a newer release of this program: opening or restoring it here could lose what it holds."""


class ReadOnlyMedium(StorageError):
    """The file, its folder or the whole medium (a write-protected USB stick) cannot be written."""


class DiskFull(StorageError):
    """No space left while writing: what was being written was removed, the original is unchanged."""


class ServerUnreachable(StorageError):
    """A database server did not answer (or refused the login); the message never shows the password."""


class ReadOnlyDatabase(StorageError):
    """A write was asked of a database opened read-only (opened to look, or on a read-only medium)."""
