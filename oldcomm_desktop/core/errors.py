"""Errors the core raises for bad input, each carrying Chinese text a clerk can act on.

They name the field (and row, when the input came from a file) so the GUI can show the message beside
the widget and the CLI can print it; nothing is changed when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field: `field` is the attribute name, `label` its Chinese name."""

    field: str
    label: str
    message: str

    def __str__(self) -> str:
        """"户数：必须是正整数", or the bare message for a problem of no one field."""
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


class DatabaseBusy(OldcommError):
    """Another program already writes this database file."""
