"""Producing a return as a file: which township, which template, the title and signature lines, draft or not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions, workspace
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.model import Operator, ReturnSubmission
from oldcomm_desktop.core.returns import templates
from oldcomm_desktop.core.returns.layouts import LAYOUTS, expected_rows, printed_rows
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.core.returns.printing import PrintedRow, Totals
from oldcomm_desktop.core.returns.standard_templates import standard_path


@dataclass
class Produced:
    """What an export wrote: the file, the number of rows, the written totals and the footnotes."""

    path: Path
    rows: int
    totals: Totals
    draft: bool
    title: str


def check_kind(kind: str) -> str:
    if kind not in LAYOUTS:
        raise ValidationError(FieldProblem("kind", "报表", f"“{kind}”不是可选的报表（{', '.join(LAYOUTS)}）"))
    return kind


def scope(session: Session, township: str | None) -> str | None:
    """The township a return is for: given, else this database's own township; None is the whole county."""
    if township:
        divisions.parse_code(township, label="乡镇（街道）代码", field="township")
        return township
    if workspace.mode(session) == workspace.TOWNSHIP:
        return workspace.own_code(session)
    return None


def area_name(session: Session, township: str | None) -> str:
    own = workspace.own_code(session) or ""
    county = catalogues.get_setting(session, "county_name") or divisions.name_of(session, own[:6] + "000000")
    if county and county.isdigit():
        county = ""
    if township:
        return f"{county}{divisions.name_of(session, township)}"
    return county or (catalogues.get_setting(session, "own_division_name") or "")


def is_final(session: Session, kind: str, period: Period, township: str | None) -> bool:
    """A return is a draft until it has been submitted (and not sent back)."""
    code = township or workspace.own_code(session)
    status = session.scalar(
        select(ReturnSubmission.status).where(
            ReturnSubmission.kind == kind,
            ReturnSubmission.period == period.key,
            ReturnSubmission.township_code == code,
            ReturnSubmission.deleted_at.is_(None),
        )
    )
    return status in ("submitted", "approved")


def title(session: Session, kind: str, period: Period, township: str | None, draft: bool) -> str:
    text = f"{area_name(session, township)}老旧小区改造{LAYOUTS[kind].name}（{period.label}）"
    return text + ("（草稿）" if draft else "")


def header_values(
    session: Session, kind: str, period: Period, township: str | None, *, draft: bool, operator: str | None = None
) -> dict[str, Any]:
    op = None
    if operator:
        op = session.scalar(select(Operator).where(Operator.name == operator, Operator.deleted_at.is_(None)))
    reviewer = session.scalar(
        select(Operator.name).where(Operator.role == "reviewer", Operator.deleted_at.is_(None)).limit(1)
    )
    today = date.today()
    return {
        "title": title(session, kind, period, township, draft),
        "area": area_name(session, township),
        "period": period.label,
        "period_key": period.key,
        "unit": divisions.name_of(session, township)
        if township
        else catalogues.get_setting(session, "own_division_name") or "",
        "filled_by": operator or "",
        "reviewer": reviewer or "",
        "phone": (op.phone if op is not None else None) or "",
        "date": f"{today.year}年{today.month}月{today.day}日",
        "money_unit": "万元",
        "notes": "",
    }


def produce(
    session: Session,
    kind: str,
    period: Period,
    out: Path,
    *,
    township: str | None = None,
    template: Path | None = None,
    operator: str | None = None,
    draft: bool | None = None,
    progress: Any = None,
    on_row: Callable[[PrintedRow], None] | None = None,
) -> Produced:
    """Write the return `kind` for `period` to `out` (.xlsx), from `template` or the standard one.

    Numbers are those at the period's end. The rounding footnote and the `{{total.CODE}}` fields need the
    totals, known only after the last row: the template's other cells are written after streaming.
    """
    check_kind(kind)
    code = scope(session, township)
    if draft is None:
        draft = not is_final(session, kind, period, code)
    layout = LAYOUTS[kind]
    template = Path(template) if template else standard_path(kind)
    if not template.is_file():
        raise ValidationError(FieldProblem("template", "模板", f"找不到模板文件 {template}"))
    templates.inspect_template(template, layout.codes)  # refuse a bad template before any work
    header = header_values(session, kind, period, code, draft=draft, operator=operator)
    totals = Totals()

    class _Header(dict):
        """The footer's `{{notes}}` and every `{{total.CODE}}` are read after the rows: by then `totals` holds
        the footnotes and the written 合计."""

        def get(self, key: str, default: Any = None) -> Any:
            if key == "notes":
                return "注：" + "；".join(totals.notes) + "。" if totals.notes else ""
            if key.startswith("total."):
                return totals.written.get(key[6:], default)
            return super().get(key, default)

    def rows():
        for r in printed_rows(session, kind, period, code, totals):
            if on_row is not None:
                on_row(r)
            yield r

    n = templates.fill(
        template,
        rows(),
        Path(out),
        _Header(header),
        known_codes=layout.codes,
        date_codes=[c.code for c in layout.columns if c.kind == "date"],
        progress=progress,
        expected=expected_rows(session, kind, period, code),
    )
    return Produced(Path(out), n, totals, draft, header["title"])
