"""The returns' period lock (core/returns/locking.py) over a bulk plan's rows: a township's change that arrives at
the county by sync and would alter a return the county has approved and locked is refused like a county clerk's
own edit of it, with the lock's reason.

The lock itself is an ORM flush hook, and the bulk path writes through Core, so the sync import used to pass it
on the assumption that the township's own lock had refused such an edit. That holds only once the approval has
reached the township: an edit it made before (it did not know yet) would change the approved figures silently.
Refused here, the sync import holds the record as a conflict for a clerk (sync/rule_holds.py), names the period,
and takes the rest of the package; after 重新打开 the clerk takes theirs (or keeps ours).

Only the township's acts merged at the county are checked (`bulk_tables.merging` in township mode): the county's
own acts arriving at a township are the county's to make, and a rollback puts back what was there before.

The Excel ledger import is a clerk's own edit in bulk (`bulk.prepare(period_lock=True)`): its row that would alter
a locked return is refused with the single edit's reason (`locking.refused`), a rejected row like any other. The
demo and rollbacks do not ask.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from oldcomm_desktop.core import workspace
from oldcomm_desktop.core.model import (
    Community,
    FundingLine,
    Inspection,
    InvestmentEntry,
    Milestone,
    Rectification,
    RenovationItem,
)
from oldcomm_desktop.core.returns import locking

FIELD = "period_lock"  # the problem's field: a refusal a sync import holds as a conflict (importer.RulesRefused)
MODELS = {
    m.__tablename__: m
    for m in (Community, FundingLine, RenovationItem, Milestone, InvestmentEntry, Inspection, Rectification)
}
DATES = {"milestone": "reached_on", "investment_entry": "entry_date", "inspection": "inspected_on"}


def checked(session: Any) -> bool:
    """Whether the rows being planned are a township's acts merged here (a sync import, a decision, a release),
    not a rollback's before-images."""
    from oldcomm_desktop.core.importing import bulk_tables

    merged = session.info.get(bulk_tables.MERGING)
    return bool(merged) and merged[0] == workspace.TOWNSHIP and not session.info.get(bulk_tables.UNDOING)


def in_force(batch: Any) -> bool:
    """Whether any return is approved (locked): none is the common case, and then no row is looked at (one query
    a plan, kept in the batch's cache for `refusal`)."""
    return bool(_locks(batch))


def _locks(batch: Any) -> list[tuple[str, str, str]]:
    return batch.cached("approved returns", lambda: locking.approved(batch.session))


def refusal(
    batch: Any,
    table: str,
    new: bool,
    row: dict[str, Any],
    old: dict[str, Any],
    fields: set[str],
    *,
    merged: bool = True,
) -> str:
    """Why this row of the plan would alter a locked return ("" when it would not). `fields`: what it changes;
    `merged`: the row is the other side's act (a sync merge), else a clerk's own (the ledger import)."""
    model = MODELS.get(table)
    if model is None or (new and row.get("deleted_at")):  # one written straight into the recycle bin (keep ours)
        return ""
    locks = _locks(batch)
    if not locks:
        return ""
    both = (row, old)
    found = locking.locked_by(
        batch.session,
        locks,
        model,
        str(row.get("township_code") or old.get("township_code") or ""),
        years=lambda: _years(batch, table, both),
        dates=lambda: _dates(batch, table, both),
        changed=lambda watched: new or bool(watched & fields),
    )
    if found is None:
        return ""
    kind, period = found
    if not merged:
        return locking.refused(kind, period)
    return (
        f"{period.label}{kind}已审核通过并锁定，对方的这一修改会改变已上报的数字（对方修改时还不知道已审核通过）。"
        "如确需采用对方的修改，请先重新打开该期（写明原因），再采用对方；否则保留本方"
    )


def _of(batch: Any, table: str, rid: Any, column: str) -> Any:
    """A column of a record as this plan leaves it, else as stored."""
    row = batch.lookup(table, str(rid)) if rid else None
    return row.get(column) if row else None


def _years(batch: Any, table: str, both: tuple[dict[str, Any], ...]) -> set[int]:
    if table == "community":
        return {v["plan_year"] for v in both if v.get("plan_year") is not None}
    if table == "rectification":
        inspections = [batch.lookup("inspection", str(i)) for i in {v.get("inspection_id") for v in both} if i]
        return _years(batch, "inspection", tuple(i for i in inspections if i))
    found = (
        _of(batch, parent, v.get(column), "plan_year")
        for v in both
        for column, parent in (("community_id", "community"), ("project_id", "project"))
    )
    return {y for y in found if y is not None}


def _dates(batch: Any, table: str, both: tuple[dict[str, Any], ...]) -> list[date]:
    if table == "rectification":
        found = [_of(batch, "inspection", v.get("inspection_id"), "inspected_on") for v in both]
    elif table == "renovation_item":
        found = [v.get("completed_on") for v in both]
    else:
        found = [v.get(DATES[table]) for v in both] if table in DATES else []
    return [d for d in found if isinstance(d, date)]
