"""What the bulk write path knows about each table: field spec, the services' own rules, derived columns.

Each TableSpec names the service's FIELDS (parsed exactly as a single edit parses them), the reference
columns a row may carry, and four hooks run by `bulk.prepare`:
- `preload(batch, rows)`: read in one query what the rules will ask about (existing children, sums);
- `check(batch, row, stored)`: the service's rules on one merged row (a _Values view stands in for the
  ORM object, so the very same rule functions run); may fill in defaults a single edit fills in;
- `finish(batch, outcomes)`: rules over several rows at once (sums per community, running totals);
- `derive(batch, outcomes)`: derived columns through `core/derived.py` and the services' derivations.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select

from oldcomm_desktop.core import (
    catalogues,
    communities,
    derived,
    funding,
    funding_dates,
    inspections,
    items,
    milestones,
    money,
    notice_numbers,
    projects,
    responsibility,
    workspace,
)
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, problem
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.importing.bulk import CREATE, REJECT, Batch, RowOutcome
from oldcomm_desktop.core.lifecycle import Reached, order_problem, removal_problem
from oldcomm_desktop.core.model import (
    Base,
    Community,
    FundingLine,
    FundingSource,
    Inspection,
    InspectionResult,
    InvestmentEntry,
    ItemType,
    Milestone,
    Project,
    Rectification,
    Reinspection,
    RenovationItem,
    ResponsibleParty,
)
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.model.supervision import (
    AssessmentManualScore,
    InspectionSchedule,
    OrderEvent,
    OrderTarget,
    ResidentRequest,
    SupervisionOrder,
)
from oldcomm_desktop.core.supervision import assessment, orders, requests, schedules
from oldcomm_desktop.core.townships import township_rule


class _Values:
    """A row dict read as attributes, so the services' rules (written for ORM objects) run on it unchanged.

    The row itself is the object's attribute dict (not copied; a missing key is an AttributeError, as a missing
    attribute is): each attribute a rule reads is a plain attribute lookup in C, not a Python `__getattr__`
    call (items' rules read ten per item). The rules only read (they ran on a read-only view before).
    """

    def __init__(self, row: Mapping[str, Any]):
        self.__dict__ = row if isinstance(row, dict) else dict(row)


_ABSENT = object()


class _Reading:
    """A row read by a rule (as attributes or as a mapping) that notes which keys the rule read."""

    __slots__ = ("_row", "read")

    def __init__(self, row: Mapping[str, Any]):
        self._row = row
        self.read: dict[str, None] = {}

    def __getattr__(self, name: str) -> Any:
        self.read[name] = None
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        self.read[name] = None
        return self._row[name]

    def get(self, name: str, default: Any = None) -> Any:
        self.read[name] = None
        return self._row.get(name, default)


_MEMO_TRIAL = 256  # rows a rule is asked about through its memo before the memo is judged …
_MEMO_WORTH = 8  # … and kept only while at least one answer in this many came from it


def by_values_read(batch: Batch, rule: Any, row: Mapping[str, Any], *args: Any) -> list[FieldProblem]:
    """`rule(row, *args)` — the service's own rule, unchanged — run once per distinct combination of the
    values it reads; the other rows of the batch with those same values get the same answer.

    A rule is a function of what it reads (and of `args`): a row agreeing with an earlier one on every key that
    rule read would walk the same branches and read nothing else. So over a batch the rules run about as
    often as there are distinct combinations (a few hundred in 50,000 ledger rows), not once per row.
    """
    tally: list[int] = batch.cache.setdefault(("read-sets-tally", rule, args), [0, 0])  # [asked, answered]
    if tally[0] >= _MEMO_TRIAL and tally[1] * _MEMO_WORTH < tally[0]:
        # the rows hardly ever repeat what this rule reads (the demo's communities: every count and area its
        # own): looking them up and noting what was read costs more than the rule, so it just runs
        return list(rule(_Values(row), *args))
    tally[0] += 1
    memo: dict[tuple[Any, ...], dict[tuple[Any, ...], tuple[FieldProblem, ...]]] = batch.cache.setdefault(
        ("read-sets", rule, args), {}
    )
    get = row.get
    try:
        for keys, answers in memo.items():
            hit = answers.get(tuple([get(k, _ABSENT) for k in keys]))
            if hit is not None:
                tally[1] += 1
                return list(hit)
    except TypeError:  # a value that cannot be a key: just run the rule
        return list(rule(_Values(row), *args))
    view = _Reading(row)
    result = list(rule(view, *args))
    keys = tuple(view.read)
    memo.setdefault(keys, {})[tuple([get(k, _ABSENT) for k in keys])] = tuple(result)
    return result


class TableSpec:
    model: type[Base] = Base  # each table names its mapped class
    fields: Mapping[str, Field] = {}
    refs: frozenset[str] = frozenset()

    @functools.cached_property
    def required(self) -> list[tuple[str, Field]]:
        return [(name, f) for name, f in self.fields.items() if f.required]

    def preload(self, batch: Batch, rows: Sequence[Mapping[str, Any]]) -> None:
        return None

    def fill(self, batch: Batch, values: dict[str, Any]) -> None:
        """Defaults for a new row before its required fields are checked (township mode: the own township)."""
        if "township_code" in self.fields and not values.get("township_code"):
            mode, own = batch.cached("mode", lambda: (workspace.mode(batch.session), workspace.own_code(batch.session)))
            if mode == workspace.TOWNSHIP:
                values["township_code"] = own

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        return []

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        return None

    def derive(self, batch: Batch, outs: list[RowOutcome]) -> None:
        return None

    def tombstone(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        """The service's rules on a deletion or restore arriving by sync (`bulk.prepare`'s `tombstones`): none for
        most tables, whose deletions the recycle bin never refuses."""
        return []


def _reject(batch: Batch, out: RowOutcome, problems: list[FieldProblem]) -> None:
    out.action, out.problems = REJECT, problems
    batch.rows[out.table].pop(out.id, None)


def _township(batch: Batch, spec: Mapping[str, Field], row: dict[str, Any]) -> list[FieldProblem]:
    """The shared township rule, asked once per code; in township mode the own township is the default."""
    mode, own = batch.cached("mode", lambda: (workspace.mode(batch.session), workspace.own_code(batch.session)))
    if not row.get("township_code") and mode == workspace.TOWNSHIP:
        row["township_code"] = own
    code = row.get("township_code")
    return list(batch.cached(("township", code), lambda: township_rule(batch.session, spec, code)))


def _parent_township(batch: Batch, row: dict[str, Any], **parents: str) -> list[FieldProblem]:
    """A child row belongs to its parent's township; the parent must exist (in this batch or stored)."""
    for key, table in parents.items():
        if row.get(key):
            parent = batch.lookup(table, row[key])
            if parent is None or parent.get("deleted_at") is not None:
                return [FieldProblem(key, key, f"所属记录 {row[key]} 不存在或已删除")]
            theirs = parent["township_code"]
            if row.get("township_code") not in (None, theirs):
                sender = _merged(batch)  # a township's package: its records may only hang under its own
                if sender is not None and sender[0] == workspace.TOWNSHIP and theirs != sender[1]:
                    said = f"{row[key]} 属于其他乡镇（{theirs}），{sender[1]} 的数据包不能在其下添加记录"
                    return [FieldProblem(key, "所属记录", said)]
            row["township_code"] = theirs
            return []
    return [FieldProblem(next(iter(parents)), "所属记录", "必须填写")]


class ProjectSpec(TableSpec):
    model = Project
    fields = projects.FIELDS

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        return _township(batch, self.fields, row) + by_values_read(batch, projects.row_problems, row)

    def derive(self, batch: Batch, outs: list[RowOutcome]) -> None:
        for o in outs:
            row = batch.rows["project"][o.id]
            row.update(derived.project_columns(row))


class CommunitySpec(TableSpec):
    model = Community
    fields = communities.FIELDS
    refs = frozenset({"project_id"})  # project_id is also a field; listed for clarity

    def preload(self, batch: Batch, rows: Sequence[Mapping[str, Any]]) -> None:
        """The investment completed on each stored community as it will be after the batch (`_entries_after`):
        an entry the batch withdraws no longer holds up a lower total investment arriving with it."""
        ids = [str(r["id"]) for r in rows if r.get("id") and batch.existing["community"].get(str(r["id"]))]
        entries = _entries_after(batch, "community", ids)
        batch.cache["community_done"] = {
            cid: sum((_amount(e.get("amount")) for e in found.values()), Decimal("0.00"))
            for cid, found in entries.items()
        }

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        problems = _township(batch, self.fields, row)
        code = row.get("township_code")
        village = row.get("village_code")
        problems += batch.cached(("village", village, code), lambda: communities.village_problems(village, code))
        if row.get("project_id"):
            project = batch.lookup("project", row["project_id"])
            problems += batch.cached(
                ("project_problems", row["project_id"], code),
                lambda: communities.project_problems(_Values(project) if project else None, code),
            )
            if project and stored is None:  # a new community takes its project's year, batch and kind
                for key in ("plan_year", "batch", "start_kind"):
                    if row.get(key) in (None, "") and project.get(key) is not None:
                        row[key] = project[key]
        problems += by_values_read(batch, communities.row_problems, row)
        if stored is not None and row.get("total_investment") is not None:
            done = batch.cache["community_done"].get(row["id"], Decimal("0.00"))
            problems += communities.investment_problems(row["total_investment"], done)
        if problems:
            return problems
        if row.get("year_built"):
            years = batch.cached("eligibility", lambda: communities.eligibility_years(batch.session))
            asked = stored is not None and stored.get("year_built") == row["year_built"]  # asked once
            cutoff, extension = years
            communities.eligibility(row["year_built"], cutoff, extension, batch.confirm or asked)
        return []

    def derive(self, batch: Batch, outs: list[RowOutcome]) -> None:
        kinds_c: dict[str, list[str]] = batch.cache.get("kinds_community", {})
        kinds_p: dict[str, list[str]] = batch.cache.get("kinds_project", {})
        stored_kinds = _stored_kinds(
            batch,
            {
                o.id: batch.rows["community"][o.id].get("project_id")
                for o in outs
                if batch.existing["community"].get(o.id)
            },
        )
        for o in outs:
            row = batch.rows["community"][o.id]
            kinds = (
                kinds_c.get(row["id"], [])
                + kinds_p.get(row.get("project_id") or "", [])
                + stored_kinds.get(row["id"], [])
            )
            row.update(derived.community_columns(row, kinds))


def _entries_after(batch: Batch, table: str, ids: Sequence[str]) -> dict[str, dict[str, Mapping[str, Any]]]:
    """Per stored community or project (`table`), its completed-investment entries as they will be once the
    batch is written (`Batch.live_after`): the stored live ones, read here, with the batch's deletions,
    restores and new entries counted."""
    column = InvestmentEntry.community_id if table == "community" else InvestmentEntry.project_id
    return _siblings_after(batch, InvestmentEntry, column, InvestmentEntry.amount, ids, ids)


def _siblings_after(
    batch: Batch, model: Any, column: Any, value: Any, parents: Sequence[str], stored_parents: Sequence[str]
) -> dict[str, dict[str, Mapping[str, Any]]]:
    """Per parent, the live rows of `model` under it (their `column` and `value`) as they will be once the batch
    is written (`Batch.live_after`), reading the stored live rows of `stored_parents` (those stored)."""
    stored: dict[str, Mapping[str, Any]] = {}
    for start in range(0, len(stored_parents), 500):
        q = select(model.id, column, value).where(
            column.in_(stored_parents[start : start + 500]), _live(model.deleted_at)
        )
        stored.update({str(i): {column.key: tid, value.key: v} for i, tid, v in batch.session.execute(q)})
    return batch.live_after(model.__tablename__, column.key, parents, stored)


def _amount(value: Any) -> Decimal:
    """An entry's amount as the batch gives it (a value not yet parsed when its table is not checked yet); one
    that does not parse counts nothing here — its own row is refused with the reason."""
    try:
        return money.to_decimal(value) if value is not None else Decimal("0.00")
    except ValueError:
        return Decimal("0.00")


def _live(deleted_at: Any) -> ColumnElement[bool]:
    """`deleted_at IS NULL` for a query that picks rows by a reference column (`x_id IN (…)`): as a plain
    comparison SQLite, without statistics, reads by the `deleted_at` index — every live row of the table —
    instead of the reference's index (`EXPLAIN QUERY PLAN`); through coalesce it cannot, so a batch reads only
    the rows of its own communities and projects, however big the tables are."""
    return func.coalesce(deleted_at, None).is_(None)


def _stored_kinds(batch: Batch, projects: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Milestone kinds already stored for these communities: their own, and those of the project each will be
    under once the batch is written (`projects`, by community id). Why the batch's project and not the stored
    one: a community moved into or out of a project with 立项/可研批复 takes or loses that milestone's status,
    as `communities.update` derives it for a clerk's move (milestones.milestones_of reads the live project_id)."""
    found: dict[str, list[str]] = defaultdict(list)
    community_ids = sorted(projects)
    for start in range(0, len(community_ids), 500):
        chunk = community_ids[start : start + 500]
        q = select(Milestone.community_id, Milestone.kind).where(
            Milestone.community_id.in_(chunk), _live(Milestone.deleted_at)
        )
        for cid, kind in batch.session.execute(q):
            found[str(cid)].append(kind)
    members: dict[str, list[str]] = defaultdict(list)
    for cid, pid in projects.items():
        if pid:
            members[str(pid)].append(cid)
    project_ids = sorted(members)
    for start in range(0, len(project_ids), 500):
        q2 = select(Milestone.project_id, Milestone.kind).where(
            Milestone.project_id.in_(project_ids[start : start + 500]), _live(Milestone.deleted_at)
        )
        for pid, kind in batch.session.execute(q2):
            for cid in members[str(pid)]:
                found[cid].append(kind)
    return found


class ItemSpec(TableSpec):
    model = RenovationItem
    fields = items.FIELDS
    refs = frozenset({"community_id"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        problems = _parent_township(batch, row, community_id="community")
        types = batch.cached("item_types", lambda: _catalogue(batch, ItemType))
        type_id = types.get(str(row.get("item_type_id")))
        if type_id is None:
            problems.append(
                FieldProblem("item_type_id", "改造内容类型", _missing(batch, ItemType, row.get("item_type_id")))
            )
        else:
            row["item_type_id"] = type_id
            retired = batch.cached("retired_item_types", lambda: _retired(batch))
            if type_id in retired and not _from_other_side(batch):  # a record merged from the other side keeps it
                refused = items.retired_problem(
                    retired[type_id], False, type_id, stored.get("item_type_id") if stored else None
                )
                if refused is not None:
                    problems.append(refused)
        if row.get("status") is None:
            row["status"] = "planned"
        if problems:
            return problems
        unchanged = stored is not None and all(
            stored.get(k) == row.get(k) for k in ("planned_quantity", "completed_quantity")
        )
        return items.rules(batch.session, _Values(row), batch.confirm or unchanged)


def _retired(batch: Batch) -> dict[str, str]:
    """id → name of the item types the county retired (停用): refused for new items, kept on old ones."""
    q = select(ItemType.id, ItemType.name).where(ItemType.deleted_at.is_(None), ItemType.active.is_(False))
    return {str(i): n for i, n in batch.session.execute(q)}


def _missing(batch: Batch, cls: Any, ref: Any) -> str:
    """Why a reference to a catalogue entry is refused: named by the entry's name (never its record id), said
    deleted when it is in the recycle bin here."""
    found = batch.session.scalar(select(cls).where((cls.id == str(ref)) | (cls.code == str(ref))).limit(1))
    if found is None:
        return f"“{ref}”不在目录中"
    return f"“{found.name}”已从目录中删除" if found.deleted_at is not None else f"“{found.name}”不在目录中"


def _catalogue(batch: Batch, cls: Any) -> dict[str, str]:
    """code, id and name → id of a catalogue's live entries (ItemType, FundingSource)."""
    out: dict[str, str] = {}
    for entry in batch.session.scalars(select(cls).where(cls.deleted_at.is_(None))):
        out[entry.name] = out[entry.code] = out[entry.id] = entry.id
    return out


class MilestoneSpec(TableSpec):
    model = Milestone
    fields = milestones.FIELDS
    refs = frozenset({"community_id", "project_id"})

    def preload(self, batch: Batch, rows: Sequence[Mapping[str, Any]]) -> None:
        """The logs the order rules read, as `milestones.add` reads them: a community's own milestones and its
        project's; a project milestone is checked against each of the project's live communities."""
        logs: dict[tuple[str, str], list[Reached]] = defaultdict(list)
        stored_rows = batch.existing["milestone"]
        # a row of a stored milestone (sync: one naming only what changed, its deletion) read with what is stored
        rows = [{**s, **r} if (s := stored_rows.get(str(r.get("id")))) else r for r in rows]
        pids = {str(r["project_id"]) for r in rows if r.get("project_id") and not r.get("community_id")}
        members: dict[str, set[str]] = defaultdict(set)  # project -> its live communities (stored or in batch)
        member_of: dict[str, str] = {}  # community -> the project whose group holds it (one at most)
        for start in range(0, len(pids_list := sorted(pids)), 500):
            q = select(Community.id, Community.project_id).where(
                Community.project_id.in_(pids_list[start : start + 500]), _live(Community.deleted_at)
            )
            for cid, pid in batch.session.execute(q):
                batch.lookup("community", str(cid))
                members[str(pid)].add(str(cid))
                member_of[str(cid)] = str(pid)
        for cid, c in batch.rows["community"].items():  # the batch moves or adds communities
            was = member_of.pop(cid, None)
            if was is not None:
                members[was].discard(cid)
            if c.get("project_id") and c.get("deleted_at") is None:
                members[str(c["project_id"])].add(cid)
                member_of[cid] = str(c["project_id"])
        cids = {str(r["community_id"]) for r in rows if r.get("community_id")}
        cids |= {c for group in members.values() for c in group}
        projects: dict[str, str | None] = {}
        for cid in cids:
            found = batch.lookup("community", cid)
            projects[cid] = str(found["project_id"]) if found and found.get("project_id") else None
        # a milestone this batch deletes (sync) is out of the logs: each row is judged against the log as it
        # ends, so a package that removed 完工 and then 开工 is not refused for the order its rows come in
        leaving = {str(r["id"]) for r in rows if r.get("deleted_at") is not None and r.get("id")}
        stored_c = sorted(c for c in cids if batch.existing["community"].get(c))
        for start in range(0, len(stored_c), 500):
            own = select(Milestone.id, Milestone.community_id, Milestone.kind, Milestone.reached_on).where(
                Milestone.community_id.in_(stored_c[start : start + 500]), _live(Milestone.deleted_at)
            )
            for mid, holder, kind, on in batch.session.execute(own):
                if mid not in leaving:
                    logs[("community", str(holder))].append(Reached(kind, on))
        stored_p = sorted({p for p in projects.values() if p} | pids)
        for start in range(0, len(stored_p), 500):
            theirs = select(Milestone.id, Milestone.project_id, Milestone.kind, Milestone.reached_on).where(
                Milestone.project_id.in_(stored_p[start : start + 500]), _live(Milestone.deleted_at)
            )
            for mid, pid, kind, on in batch.session.execute(theirs):
                if mid not in leaving:
                    logs[("project", str(pid))].append(Reached(kind, on))
        batch.cache["milestone_logs"] = logs
        batch.cache["milestone_members"] = members
        batch.cache["milestone_projects"] = projects
        batch.cache.setdefault("kinds_community", defaultdict(list))
        batch.cache.setdefault("kinds_project", defaultdict(list))

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        if stored is not None:
            return [FieldProblem("kind", "节点", "已记录的节点不能通过导入修改，请删除后重新记录")]
        on_project = bool(row.get("project_id")) and not row.get("community_id")
        if on_project:
            problems = _parent_township(batch, row, project_id="project")
        else:
            problems = _parent_township(batch, row, community_id="community")
        problems += by_values_read(batch, _entry_problems, row, on_project)
        if problems:
            return problems
        logs = batch.cache["milestone_logs"]
        reached = Reached(row["kind"], row["reached_on"])

        def why(log: list[Reached]) -> str | None:
            return batch.cached(("order", tuple(log), reached), lambda: order_problem(log, reached, batch.today))

        if on_project:
            pid = str(row["project_id"])
            key = ("project", pid)
            followers = 0
            for cid in sorted(batch.cache["milestone_members"].get(pid, ())):
                log = logs[("community", cid)] + logs[key]
                if any(r.kind == "withdrawal" for r in log):
                    continue  # a community that left the plan no longer holds up its project
                followers += 1
                problem = why(log)
                if problem:
                    name = (batch.lookup("community", cid) or {}).get("name")
                    return [FieldProblem("reached_on", "日期", f"{problem}（小区“{name}”）")]
            problem = why(logs[key]) if not followers else None
        else:
            cid = str(row["community_id"])
            key = ("community", cid)
            pid_of = batch.cache["milestone_projects"].get(cid)
            # asked directly: a community's own log is rarely another's, and the memo's key (the whole log)
            # costs more to hash than the rule takes to run (4.8 µs a miss against 1.8)
            problem = order_problem(logs[key] + (logs[("project", pid_of)] if pid_of else []), reached, batch.today)
        if problem:
            return [FieldProblem("reached_on", "日期", problem)]
        logs[key].append(reached)
        batch.cache[f"kinds_{key[0]}"][key[1]].append(row["kind"])
        return []

    def tombstone(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        """A milestone arriving deleted or restored (sync) meets the rules `milestones.remove` and
        `milestones.restore` apply — the same lifecycle functions, on the logs `preload` read: a 开工 the
        other side undid while 完工 was recorded here is refused, and so held for a clerk (sync/rule_holds.py)
        as the 完工 is held on the other side, instead of leaving 完工 without 开工 here."""
        if stored is None or (stored.get("deleted_at") is None) == (row.get("deleted_at") is None):
            return []  # new here and deleted already, or still deleted: no log changes
        reached = Reached(row["kind"], row["reached_on"])
        removing = row.get("deleted_at") is not None
        logs = batch.cache["milestone_logs"]
        pid = str(row["project_id"]) if row.get("project_id") and not row.get("community_id") else None
        if pid is not None:
            key = ("project", pid)
            if (batch.lookup("project", pid) or {}).get("deleted_at") is not None:
                return []  # goes to the recycle bin with its project: no status moves
            holders = [("community", c) for c in sorted(batch.cache["milestone_members"].get(pid, ()))]
            judged = [(logs[h] + logs[key], (batch.lookup("community", h[1]) or {}).get("name")) for h in holders]
            if not holders:
                judged = [(logs[key], None)]
        else:
            cid = str(row["community_id"])
            key = ("community", cid)
            community = batch.lookup("community", cid)
            if community is None or community.get("deleted_at") is not None:
                return []  # goes to the recycle bin with its community: no status moves
            pid_of = batch.cache["milestone_projects"].get(cid)
            judged = [(logs[key] + (logs[("project", pid_of)] if pid_of else []), None)]
        for log, name in judged:
            if removing:
                why = removal_problem(log + [reached], reached)
            else:
                why = order_problem(log, reached, batch.today)
            if why:
                where = f"（小区“{name}”）" if name else ""
                return [FieldProblem("kind" if removing else "reached_on", "节点" if removing else "日期", why + where)]
        if not removing:
            logs[key].append(reached)
        return []

    def derive(self, batch: Batch, outs: list[RowOutcome]) -> None:
        # Milestones added to communities not in this batch move those communities' status too.
        batch_ids = set(batch.rows["community"])
        touched = {batch.rows["milestone"][o.id]["community_id"] for o in outs} - batch_ids - {None}
        touched_projects = {batch.rows["milestone"][o.id]["project_id"] for o in outs} - {None}
        if touched_projects:
            q = select(Community.id).where(Community.project_id.in_(touched_projects), _live(Community.deleted_at))
            touched |= set(batch.session.scalars(q)) - batch_ids
        if not touched:
            return
        kinds = _stored_kinds(
            batch, {cid: (batch.lookup("community", cid) or {}).get("project_id") for cid in sorted(touched)}
        )
        extra = batch.cache.setdefault("extra_updates", {}).setdefault("community", [])
        for cid in sorted(touched):
            stored = batch.lookup("community", cid)
            if stored is None:
                continue
            all_kinds = kinds.get(cid, []) + batch.cache["kinds_community"].get(cid, [])
            all_kinds += batch.cache["kinds_project"].get(stored.get("project_id") or "", [])
            status = derived.community_status(all_kinds, stored.get("plan_year"))
            if status != stored["status"]:
                extra.append({"id": cid, "version": stored["version"], "status": status})


def _entry_problems(values: Any, on_project: bool) -> list[FieldProblem]:
    return milestones.entry_problems(values, on_project=on_project)


class FundingLineSpec(TableSpec):
    model = FundingLine
    fields = funding.LINE_FIELDS
    refs = frozenset({"community_id", "project_id", "source_id"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        problems = _parent_township(batch, row, community_id="community", project_id="project")
        sources = batch.cached("sources", lambda: _sources(batch))
        found = sources.get(str(row.get("source_id")))
        if found is None:
            missing = _missing(batch, FundingSource, row.get("source_id"))
            return problems + [FieldProblem("source_id", "资金来源", f"资金来源{missing}")]
        source_id, name, leaf, needs_note, retired = found
        row["source_id"] = source_id
        prefix = f"{name}："
        if not leaf:
            problems.append(FieldProblem("source_id", "资金来源", f"“{name}”是汇总项，请填在它的下级来源上"))
        elif retired and (stored is None or stored.get("source_id") != source_id) and not _from_other_side(batch):
            # new money on it; a line merged from the other side was recorded there before it knew: kept
            problems.append(FieldProblem("source_id", "资金来源", catalogues.RETIRED_TEXT.format(name=name)))
        problems += funding.line_problems(row, prefix)
        if needs_note and not row.get("source_note") and any(row.get(k) for k in funding.MEASURES):
            problems.append(FieldProblem("source_note", "资金来源说明", f"{prefix}请写明资金的具体来源"))
        return problems

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """The approved amounts of each target's funding table add up to its total investment (as
        `funding.set_lines` requires): the table as it will be — stored live lines, those the batch updates
        replaced by their new values, plus the batch's new lines — for new and stored targets alike. A deletion
        or restore arriving by sync (`bulk.prepare`'s `tombstones`) is never refused itself, but the table as it
        will be counts it: a line the batch deletes adds nothing, one it restores adds its approved amount (the
        township moved the money of the line it removed onto another line: the two arrive together)."""
        by_target: dict[tuple[str, str], list[RowOutcome]] = defaultdict(list)
        for o in outs:
            if o.action != REJECT:
                row = batch.rows["funding_line"][o.id]
                if row.get("deleted_at") is not None:
                    continue
                by_target[_funding_target(row)].append(o)
        for table, column in (("community", FundingLine.community_id), ("project", FundingLine.project_id)):
            ids = sorted(tid for t, tid in by_target if t == table)
            known = [tid for tid in ids if batch.existing[table].get(tid)]
            after = _siblings_after(batch, FundingLine, column, FundingLine.approved, ids, known)
            for tid in ids:
                approved = sum((line.get("approved") or Decimal(0) for line in after.get(tid, {}).values()), Decimal(0))
                holder = batch.rows[table].get(tid) or batch.existing[table].get(tid) or {}
                problems = funding.approved_sum_problems(approved, holder.get("total_investment"))
                if problems:
                    _reject(batch, by_target[(table, tid)][0], problems)


def _funding_target(row: Mapping[str, Any]) -> tuple[str, str]:
    return ("community", row["community_id"]) if row.get("community_id") else ("project", row["project_id"])


def _sources(batch: Batch) -> dict[str, tuple[str, str, bool, bool, bool]]:
    """code, id and name → (id, name, leaf, needs a note, retired) of the live sources."""
    rows = list(batch.session.scalars(select(FundingSource).where(FundingSource.deleted_at.is_(None))))
    parents = {s.parent_id for s in rows}
    retired = catalogues.retired_ids(batch.session)
    out = {}
    for s in rows:
        value = (s.id, s.name, s.id not in parents, bool(s.needs_note), s.id in retired)
        out[s.code] = out[s.id] = out[s.name] = value
    return out


class InvestmentEntrySpec(TableSpec):
    model = InvestmentEntry
    fields = funding.ENTRY_FIELDS
    refs = frozenset({"community_id", "project_id"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        problems = _parent_township(batch, row, community_id="community", project_id="project")
        problems += funding.entry_problems(row, batch.today)
        if row.get("source_id"):
            found = batch.cached("sources", lambda: _sources(batch)).get(str(row["source_id"]))
            if found is None:
                missing = _missing(batch, FundingSource, row["source_id"])
                problems.append(FieldProblem("source_id", "资金来源", f"资金来源{missing}"))
            else:
                merged = _from_other_side(batch)  # from the other side: recorded before it knew of the retirement
                if found[4] and (stored is None or stored.get("source_id") != found[0]) and not merged:
                    problems.append(
                        FieldProblem("source_id", "资金来源", catalogues.RETIRED_TEXT.format(name=found[1]))
                    )
                row["source_id"] = found[0]
        return problems

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """The running total of each target may not pass its total investment (`add_investment`'s rule): the
        entries as they will be (`_entries_after`: one the batch withdraws counts nothing, one it restores
        counts), then the batch's new and changed ones, row by row."""
        kept = [o for o in outs if o.action != REJECT]
        checked = {o.id for o in kept}
        targets: dict[str, set[str]] = defaultdict(set)  # stored targets (a new one has nothing completed yet)
        for o in kept:
            table, tid = _funding_target(batch.rows["investment_entry"][o.id])
            if batch.existing[table].get(tid):
                targets[table].add(tid)
        running: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        for table, ids in targets.items():
            for tid, others in _entries_after(batch, table, sorted(ids)).items():
                amounts = (_amount(e.get("amount")) for eid, e in others.items() if eid not in checked)
                running[tid] = sum(amounts, Decimal("0.00"))
        for o in kept:
            row = batch.rows["investment_entry"][o.id]
            table, tid = _funding_target(row)
            done = running[tid] + row["amount"]
            problems = funding.running_total_problems(done, (batch.lookup(table, tid) or {}).get("total_investment"))
            if problems:
                _reject(batch, o, problems)
            else:
                running[tid] = done


class InspectionSpec(TableSpec):
    model = Inspection
    fields = inspections.FIELDS
    refs = frozenset({"community_id", "project_id", "template_id"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        problems = _parent_township(batch, row, community_id="community", project_id="project")
        if row.get("community_id") and not row.get("project_id"):
            row["project_id"] = (batch.lookup("community", row["community_id"]) or {}).get("project_id")
        return problems + inspections.inspection_problems(row, batch.today)

    def derive(self, batch: Batch, outs: list[RowOutcome]) -> None:
        # A management check's total and grade follow from its scored lines (as inspections.record does).
        scores: dict[str, Decimal] = defaultdict(Decimal)
        for line in batch.rows["inspection_result"].values():
            if line.get("score") is not None:
                scores[line["inspection_id"]] += line["score"]
        bands = batch.cached("grade_bands", lambda: _grade_bands(batch))
        for o in outs:
            row = batch.rows["inspection"][o.id]
            if row["kind"] == "management" and row["id"] in scores:
                row["total_score"] = scores[row["id"]]
                row["grade"] = catalogues.grade_for(bands.get(row.get("template_id")), float(scores[row["id"]]))


def _grade_bands(batch: Batch) -> dict[str, Any]:
    from oldcomm_desktop.core.model import ChecklistTemplate

    return {t.id: t.grade_bands for t in batch.session.scalars(select(ChecklistTemplate))}


class ResultSpec(TableSpec):
    model = InspectionResult
    fields = inspections.RESULT_FIELDS
    refs = frozenset({"inspection_id", "template_item_id", "max_score", "sort_order"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        problems = _parent_township(batch, row, inspection_id="inspection")
        top = row.get("max_score")
        if row.get("score") is not None and top is not None and row["score"] > top:
            problems.append(FieldProblem("score", "得分", f"“{row['text']}”得分 {row['score']} 超过满分 {top}"))
        inspection = batch.lookup("inspection", row.get("inspection_id"))
        unscored = inspections.unscored_problem(inspection["kind"], row) if inspection else None
        if unscored is not None:
            problems.append(unscored)
        return problems

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """A line that becomes 不合格 needs a rectification of its inspection (`inspections.record`'s rule,
        `failed_without_rectification`): one live once the batch is written (`Batch.live_after`: a stored one
        the same batch deletes does not count, one it restores or adds does)."""
        failing: dict[str, list[RowOutcome]] = defaultdict(list)
        for o in outs:
            if o.action == REJECT:
                continue
            row = batch.rows["inspection_result"][o.id]
            stored = batch.existing["inspection_result"].get(o.id)
            if row.get("result") == "fail" and not (stored and stored.get("result") == "fail"):
                failing[str(row["inspection_id"])].append(o)
        if not failing:
            return
        ids = sorted(failing)
        known = [iid for iid in ids if batch.existing["inspection"].get(iid)]
        column = Rectification.inspection_id
        after = _siblings_after(batch, Rectification, column, Rectification.deleted_at, ids, known)
        rectified = {iid for iid, live in after.items() if live}
        given = batch.input.get("rectification", ())  # new rows naming no id yet (live_after sees rows by id)
        rectified |= {str(r.get("inspection_id")) for r in given if not r.get("id") and r.get("deleted_at") is None}
        for iid, group in failing.items():
            lines = [batch.rows["inspection_result"][o.id] for o in group]
            refused = inspections.failed_without_rectification(lines, iid in rectified)
            if refused is not None:
                _reject(batch, group[0], [refused])


def _optional(spec: Mapping[str, Field]) -> dict[str, Field]:
    return {k: dataclasses.replace(f, required=False) for k, f in spec.items()}


class RectificationSpec(TableSpec):
    model = Rectification
    fields = {**inspections.RECT_FIELDS, **_optional(inspections.REPLY_FIELDS)}
    refs = frozenset({"inspection_id"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        problems = _parent_township(batch, row, inspection_id="inspection")
        if problems:
            return problems
        inspection = batch.lookup("inspection", row["inspection_id"])
        problems = inspections.deadline_problems(row["deadline"], inspection["inspected_on"], 1)  # type: ignore[index]
        if not row.get("notice_no"):
            # keyed by the series, not the township: a county database numbers every township's notices in its own
            tc = row["township_code"]
            code = batch.cached(("notice-series", tc), lambda: notice_numbers.series(batch.session, tc))
            key = ("notice", code, inspection["inspected_on"].year)  # type: ignore[index]
            if key not in batch.cache:  # (prefix with the issuing unit's short name, next number)
                batch.cache[key] = _first_notice_number(batch, code, key[2])
            prefix, number = batch.cache[key]
            row["notice_no"] = f"{prefix}{number:03d}号"
            batch.cache[key][1] += 1
        else:
            batch.cache["notice_given"] = True
        return problems

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """In a `one_run`, the next plan's numbers go on from this plan's once it is written — unless a row named
        its own number (then the next plan reads the numbers in use again)."""
        if batch.cache.get("notice_given"):
            batch.cache.setdefault("run_notes", {})[NOTICE_MEMO] = None
            return
        numbers = {k[1:]: tuple(v) for k, v in batch.cache.items() if isinstance(k, tuple) and k[0] == "notice"}
        if numbers:
            memo = bulk.run_memo(batch.session) or {}
            carried = {k: v for k, v in memo.get(NOTICE_MEMO, {}).get("numbers", {}).items() if k not in numbers}

            def note(conn: Any) -> dict[str, Any]:
                return {"numbers": {**carried, **numbers}, "last_rowid": _last_rowid(conn)}

            batch.cache.setdefault("run_notes", {})[NOTICE_MEMO] = note

    def derive(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """Closed, closed on and the current deadline from every re-inspection of the rectification: those of
        this batch and, for a stored rectification, those stored (a rectification changed alone, as a sync
        package carries it when only its own row changed, keeps the re-inspection that closed it).

        Not in a rollback (`undoing`): its rows are before-images, stored rows put back as they were, and their
        state is the one they held — which a database from an earlier release may hold different from the derivation
        in date order (its re-inspections set the state as they came, in the order they were entered)."""
        if batch.session.info.get(UNDOING):
            return
        found: dict[str, dict[str, Any]] = {}
        stored_ids = sorted(o.id for o in outs if batch.existing["rectification"].get(o.id))
        t = Reinspection.__table__
        for start in range(0, len(stored_ids), 500):
            q = select(t).where(t.c.rectification_id.in_(stored_ids[start : start + 500]), _live(t.c.deleted_at))
            found.update({r._mapping["id"]: dict(r._mapping) for r in batch.session.execute(q)})
        found.update(batch.rows["reinspection"])  # this batch's rows stand for their stored selves
        by_rect: dict[str, list[tuple[bool, Any, Any]]] = defaultdict(list)
        live = [r for r in found.values() if r.get("deleted_at") is None]
        for re in sorted(live, key=lambda r: (r["inspected_on"], r["id"])):  # as inspections._rederive orders
            by_rect[re["rectification_id"]].append((re["passed"], re["inspected_on"], re.get("new_deadline")))
        for o in outs:
            row = batch.rows["rectification"][o.id]
            row["closed"], row["closed_on"], row["current_deadline"] = inspections.rectification_state(
                row["deadline"], by_rect.get(row["id"], [])
            )


NOTICE_MEMO = "notice_numbers"


def _first_notice_number(batch: Batch, township_code: str | None, year: int) -> list[Any]:
    """[prefix, next number] of a series' notices in a year (`township_code`: the series' unit,
    `notice_numbers.series`), as `inspections.next_notice_no` gives it.

    That reads every notice number of the township and year in use (one past the highest, so a number typed by
    hand is never given twice): in the demo's run of 200,000 communities, fifteen reads per plan of a table
    that grows with every plan. Within a `one_run` the next plan goes on from the last plan's numbers instead,
    as long as the table has had no insert since that plan was written (its last rowid is the same: nothing
    else added a notice) and that plan named no number of its own.
    """
    memo = bulk.run_memo(batch.session)
    carried = memo.get(NOTICE_MEMO) if memo is not None else None
    if carried is not None and (township_code, year) in carried["numbers"]:
        if _last_rowid(batch.session.connection()) == carried["last_rowid"]:
            prefix, number = carried["numbers"][(township_code, year)]
            return [prefix, number]
    first = inspections.next_notice_no(batch.session, township_code, year)  # a series' unit is its own series
    cut = first.index("〕") + 1
    return [first[:cut], int(first[cut:-1])]


def _last_rowid(conn: Any) -> Any:
    """The rectification table's highest rowid (SQLite; a run exists only there): any insert moves it."""
    return conn.exec_driver_sql("SELECT max(rowid) FROM rectification").scalar()


class ReinspectionSpec(TableSpec):
    model = Reinspection
    fields = inspections.REINSPECT_FIELDS
    refs = frozenset({"rectification_id"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        problems = _parent_township(batch, row, rectification_id="rectification")
        if problems:
            return problems
        rect = batch.lookup("rectification", row["rectification_id"])
        inspection = batch.lookup("inspection", rect["inspection_id"])  # type: ignore[index]
        return inspections.reinspection_problems(row, inspection["inspected_on"], batch.today, False)  # type: ignore[index]


SPECS: dict[str, TableSpec] = {
    "project": ProjectSpec(),
    "community": CommunitySpec(),
    "renovation_item": ItemSpec(),
    "milestone": MilestoneSpec(),
    "funding_line": FundingLineSpec(),
    "investment_entry": InvestmentEntrySpec(),
    "inspection": InspectionSpec(),
    "inspection_result": ResultSpec(),
    "rectification": RectificationSpec(),
    "reinspection": ReinspectionSpec(),
}
ORDER: tuple[str, ...] = tuple(SPECS)  # parents before children; the tables sync writes through this path


# -- supervision: schedules, orders with their targets and steps, residents' requests, hand-given points -----
# The demo writes them here, and so does a sync import (sync's BULK_TABLES: every table here a package carries).

MERGING = "oldcomm_bulk_merging"  # session.info key: the rows are a sync merge of that installation's acts
AUTHORED = "oldcomm_bulk_authored"  # session.info key: which stored records that installation made itself


@contextlib.contextmanager
def merging(
    session: Any,
    mode: str | None,
    code: str | None,
    authored: Callable[[str, list[str]], set[str]] | None = None,
) -> Iterator[None]:
    """Inside the block the rows written are merged from another installation's history (a sync import, its
    rollback, a conflict's decision, a held record's release): `mode` and `code` are the installation whose acts
    they are, so who-may-act rules ask about it (a county order arriving at a township was issued by the
    county), an order's steps are replayed from a state the target had (not necessarily its state here, which
    the merge may have moved concurrently), and the merged rows are kept as they are (a target's columns
    follow the field merge and its conflicts, a reply the merge chose stands, creation times stay).
    `authored(table, ids)`: which of these stored records that installation made or changed itself (a sync
    import knows it from their version vectors); its new steps of an order come after those it made, so its
    replay never starts before them (a second copy of its own answer is refused, not kept as history)."""
    with (
        funding_dates.scoped_info(session, MERGING, (mode, code)),
        funding_dates.scoped_info(session, AUTHORED, authored),
    ):
        yield


UNDOING = "oldcomm_bulk_undoing"  # session.info: a rollback puts back before-images (history.rollback)


@contextlib.contextmanager
def undoing(session: Any) -> Iterator[None]:
    """Inside the block the rows written are before-images a rollback puts back: a clerk's act here, not the
    other side's record, so a catalogue entry retired since is refused as for any new use."""
    session.info[UNDOING] = True
    try:
        yield
    finally:
        session.info.pop(UNDOING, None)


def _from_other_side(batch: Batch) -> bool:
    """A record merged from the other side (made there before it knew of a retirement here), not a rollback."""
    return _merged(batch) is not None and not batch.session.info.get(UNDOING)


def _merged(batch: Batch) -> tuple[str | None, str | None] | None:
    """(mode, code) of the installation whose acts a sync merge writes; None for any other write."""
    found = batch.session.info.get(MERGING)
    return tuple(found) if found else None


def _acting(batch: Batch) -> tuple[str | None, str | None]:
    """(mode, code) of whoever acts: the installation a merge's rows come from, else this database."""
    merged = _merged(batch)
    if merged is not None:
        return merged
    return batch.cached("mode", lambda: (workspace.mode(batch.session), workspace.own_code(batch.session)))


class ScheduleSpec(TableSpec):
    model = InspectionSchedule
    fields = schedules.FIELDS

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        if row.get("community_id"):
            c = batch.lookup("community", row["community_id"])
            missing = schedules.community_problems(_Values(c) if c else None)
            if missing or c is None:
                return missing
            row["township_code"] = c["township_code"]
        template = None
        if row.get("template_id"):
            ref = str(row["template_id"])
            template = batch.cached(("template", ref), lambda: schedules.find_template(batch.session, ref))
            if template is not None:
                row["template_id"] = template.id
        return _township(batch, self.fields, row) + schedules.schedule_problems(_Values(row), template)


class RequestSpec(TableSpec):
    model = ResidentRequest
    fields = {**requests.FIELDS, **_optional(requests.REPLY_FIELDS)}

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        c = batch.lookup("community", row.get("community_id"))
        missing = requests.community_problems(_Values(c) if c else None)
        if missing or c is None:
            return missing
        code = row["township_code"] = c["township_code"]
        problems = list(
            batch.cached(("request_township", code), lambda: township_rule(batch.session, requests.TOWNSHIP, code))
        )
        days = batch.cached("request_reply_days", lambda: requests.reply_days(batch.session))
        row["reply_deadline"] = requests.reply_deadline(row.get("reply_deadline"), row["raised_on"], days)
        problems += requests.request_problems(_Values(row), batch.today)
        merged = _merged(batch) is not None  # a reply the field merge chose (each passed this rule where written)
        if (
            not merged
            and stored is not None
            and (row.get("reply"), row.get("replied_on")) != (stored["reply"], stored["replied_on"])
        ):
            refused = requests.replied_already(stored["reply"], stored["replied_on"])
            if refused:
                problems.append(problem(requests.REPLY_FIELDS, "reply", refused))
        if row.get("reply") or row.get("replied_on"):
            for key in ("reply", "replied_on"):
                if row.get(key) is None:
                    problems.append(problem(requests.REPLY_FIELDS, key, "必须填写"))
            if row.get("replied_on"):
                problems += requests.reply_problems(row["replied_on"], row["raised_on"], batch.today)
        elif row.get("satisfaction"):
            problems.append(problem(requests.REPLY_FIELDS, "satisfaction", requests.NOT_REPLIED))
        return problems


class ManualScoreSpec(TableSpec):
    model = AssessmentManualScore
    fields = assessment.MANUAL_FIELDS

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        year = row["year"]
        scheme = batch.cached(("scheme", year), lambda: assessment.scheme_for(batch.session, year))
        row["points"] = assessment.manual_points(scheme, year, row["township_code"], row["indicator"], row["points"])
        return []

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """One live score per township, year and indicator (`set_manual` changes the one there is)."""
        t = AssessmentManualScore
        keys: dict[tuple[Any, ...], str] = {}
        for year in sorted({batch.rows["assessment_manual_score"][o.id]["year"] for o in outs if o.action != REJECT}):
            q = select(t.year, t.township_code, t.indicator, t.id).where(t.year == year, t.deleted_at.is_(None))
            keys.update({(y, c, i): str(rid) for y, c, i, rid in batch.session.execute(q)})
        for o in outs:
            if o.action == REJECT:
                continue
            row = batch.rows["assessment_manual_score"][o.id]
            key = (row["year"], row["township_code"], row["indicator"])
            if keys.setdefault(key, o.id) != o.id:
                _reject(batch, o, [problem(self.fields, "indicator", assessment.ONE_SCORE)])


def _numbers_orders_here(batch: Batch) -> bool:
    """Whether an order's number is this database's to keep unique: not at a township taking the county's orders.
    The county alone numbers them; restored from a backup older than an order, it gives the lost order's number
    again when the clerk re-issues it, and the township, which holds the lost one, keeps both rather than refuse
    every later package of the county."""
    if _merged(batch) is None:
        return True
    here = batch.cached("mode", lambda: (workspace.mode(batch.session), workspace.own_code(batch.session)))
    return here[0] != workspace.TOWNSHIP


class OrderSpec(TableSpec):
    model = SupervisionOrder
    fields = orders.FIELDS

    def fill(self, batch: Batch, values: dict[str, Any]) -> None:
        """As `orders.issue`: an order unless said otherwise, issued today unless dated."""
        if values.get("order_type") is None:
            values["order_type"] = "order"
        if values.get("issued_on") is None:
            values["issued_on"] = batch.today

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        refused = orders.county_only_message(_acting(batch)[0], "下达督办")
        if refused:
            return [FieldProblem("order_type", "督办", refused)]
        numbers: dict[str, str] = batch.cache.setdefault("order_numbers", {})  # number -> the batch's order
        number = row.get("number")
        taken = False
        if number and (stored is None or stored.get("number") != number) and _numbers_orders_here(batch):
            taken = numbers.get(number, row["id"]) != row["id"] or batch.cached(
                ("order_number", number), lambda: orders.number_taken(batch.session, number)
            )
        problems = orders.order_problems(row, batch.today, taken)
        if problems:
            return problems
        if not number:  # the year's next number, as `issue` gives it (counted on through the batch)
            key = ("order_next", row["order_type"], row["issued_on"].year)
            if key not in batch.cache:
                first = orders.next_number(batch.session, row["order_type"], key[2])
                cut = first.index("〕") + 1
                batch.cache[key] = [first[:cut], int(first[cut:-1])]
            while f"{batch.cache[key][0]}{batch.cache[key][1]:03d}号" in numbers:
                batch.cache[key][1] += 1
            row["number"] = f"{batch.cache[key][0]}{batch.cache[key][1]:03d}号"
            batch.cache[key][1] += 1
        numbers[row["number"]] = row["id"]
        row["year"] = row["issued_on"].year
        row["township_code"] = None  # county-wide
        return []

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """A new order addresses at least one township (its targets in this batch)."""
        given = {str(t.get("order_id")) for t in batch.input.get("order_target", ()) if t.get("deleted_at") is None}
        for o in outs:
            if o.action == CREATE and o.id not in given:
                _reject(batch, o, [problem(orders.TARGET_FIELDS, "township_code", orders.NO_TARGET)])


class OrderTargetSpec(TableSpec):
    model = OrderTarget
    fields = orders.TARGET_FIELDS
    refs = frozenset({"order_id"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        order = batch.lookup("supervision_order", row.get("order_id"))
        if order is None or order.get("deleted_at") is not None:
            return [FieldProblem("order_id", "督办", f"所属记录 {row.get('order_id')} 不存在或已删除")]
        oid = str(order["id"])
        row["deadline"] = order["deadline"]
        seen = batch.cache.get(("order_targets", oid))
        if seen is None:  # the order's stored live targets count first (as `issue` numbers them)
            q = select(OrderTarget.township_code, OrderTarget.project_id).where(
                OrderTarget.order_id == oid, OrderTarget.deleted_at.is_(None), OrderTarget.id != row["id"]
            )
            seen = batch.cache[("order_targets", oid)] = [tuple(k) for k in batch.session.execute(q)]
        code = row["township_code"]
        township = list(batch.cached(("township", code), lambda: township_rule(batch.session, self.fields, code)))
        project = batch.lookup("project", row.get("project_id")) if row.get("project_id") else None
        key = (code, row.get("project_id"))
        found = _Values(project) if project else None
        problems = orders.target_problems(len(seen) + 1, row, township, found, key in seen)
        seen.append(key)
        return problems

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """A new target starts with its 下达 step (an order_event row "issue" in this batch)."""
        given = batch.input.get("order_event", ())
        issued = {str(e.get("target_id")) for e in given if e.get("action") == "issue"}
        for o in outs:
            if o.action == CREATE and o.id not in issued:
                _reject(batch, o, [problem(orders.EVENT_FIELDS, "action", orders.NOT_ISSUED)])


class OrderEventSpec(TableSpec):
    """A target's steps in the order given: each replayed through `orders.transition` (the single edit's
    state machine) from the state the steps before it left; the target's columns follow its last step."""

    model = OrderEvent
    fields = orders.EVENT_FIELDS
    refs = frozenset({"target_id"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        tid = str(row.get("target_id") or "")
        target = batch.lookup("order_target", tid)
        if target is None or target.get("deleted_at") is not None:
            return [FieldProblem("target_id", "督办对象", f"所属记录 {tid or '（空）'} 不存在或已删除")]
        row["township_code"] = target["township_code"]
        if _merged(batch) is not None:
            return self._merged_step(batch, row, stored, target)
        states: dict[str, dict[str, Any]] = batch.cache.setdefault("order_states", {})
        if tid not in states:
            states[tid] = dict(target)
            if not batch.existing["order_target"].get(tid):
                states[tid]["state"] = None  # a new target: not issued until its 下达 step
        state = states[tid]
        action = row["action"]
        if action == "issue":
            if state["state"] is not None:
                return [problem(self.fields, "action", orders.ISSUED_ONCE)]
            changes: dict[str, Any] = {"state": "pending"}
        else:
            if state["state"] is None:
                return [problem(self.fields, "action", orders.NOT_ISSUED)]
            mode, own = batch.cached("mode", lambda: (workspace.mode(batch.session), workspace.own_code(batch.session)))
            refused = orders.step_message(mode, own, action, target["township_code"])
            if refused:
                return [problem(self.fields, "action", refused)]
            order = batch.lookup("supervision_order", target["order_id"]) or {}
            row["on"], row["text"], changes = orders.transition(
                _Values(state), action, row.get("text"), row["on"], order["issued_on"], batch.today, mode == "county"
            )
        state.update(changes)
        row["state_after"] = state["state"]
        if stored is None and row.get("created_at") is None:  # a history is read in creation order: one
            clock = batch.cache.setdefault("order_event_clock", [utcnow(), 0])
            clock[1] += 1  # batch's steps a microsecond apart (a carried creation time stays: sync)
            row["created_at"] = clock[0] + timedelta(microseconds=clock[1])
        batch.cache.setdefault("order_changes", {}).setdefault(tid, {}).update(changes)
        return []

    def _merged_step(
        self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None, target: dict[str, Any]
    ) -> list[FieldProblem]:
        """A step of a sync merge: who may take it (the installation it comes from); its place in the target's
        history is checked over all the new steps of the target at once (`finish`)."""
        if stored is None or stored.get("action") != row.get("action"):
            mode, own = _acting(batch)
            refused = orders.step_message(mode, own, row["action"], target["township_code"])
            if refused:
                return [problem(self.fields, "action", refused)]
        if stored is None:
            batch.cache.setdefault("order_new_steps", {}).setdefault(str(row["target_id"]), []).append(row["id"])
        return []

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """A sync merge's new steps of each target, replayed in creation order through `orders.transition` from a
        state the target had here (its state now, else the state after one of its stored steps, newest first,
        else not yet issued): the other side took them from the state it knew, which the merge may since have
        moved here (the county answering on paper while the township answered too). Steps no such state
        accepts are refused, the first failing one with the state machine's message."""
        if _merged(batch) is None:
            return
        mode = _acting(batch)[0]
        by_id = {o.id: o for o in outs}
        for tid, ids in batch.cache.get("order_new_steps", {}).items():
            steps = sorted(
                (batch.rows["order_event"][i] for i in ids if i in batch.rows["order_event"]),
                key=lambda r: (r.get("created_at") or datetime.min, str(r["id"])),
            )
            if not steps:
                continue
            batch.load("order_target", [tid])
            target = batch.lookup("order_target", tid) or {}
            stored = batch.existing["order_target"].get(tid)
            starts = self._starts(batch, tid, ids, stored)
            order = batch.lookup("supervision_order", target.get("order_id")) or {}
            first_failure: tuple[str, list[FieldProblem]] | None = None
            for start in dict.fromkeys(starts):
                failure = self._replay(batch, dict(stored or target), start, steps, order, mode)
                if failure is None:
                    first_failure = None
                    break
                first_failure = first_failure or failure
            if first_failure is not None:
                rid, problems = first_failure
                if rid in by_id:
                    _reject(batch, by_id[rid], problems)

    def _starts(self, batch: Batch, tid: str, new: list[str], stored: Mapping[str, Any] | None) -> list[str | None]:
        """The states the sender's new steps of a target may start from, latest first: the target's state here,
        then the state after each stored step, newest first, down to the newest step the sender made itself
        (it took its new steps after that one), else down to not yet issued."""
        if stored is None:
            return [None]
        starts: list[str | None] = [stored["state"]]
        q = (
            select(OrderEvent.id, OrderEvent.state_after)
            .where(OrderEvent.target_id == tid, OrderEvent.deleted_at.is_(None), OrderEvent.id.not_in(new))
            .order_by(OrderEvent.created_at.desc(), OrderEvent.id.desc())
        )
        earlier = batch.session.execute(q).all()
        authored = batch.session.info.get(AUTHORED)
        own = authored("order_event", [i for i, _s in earlier]) if authored is not None and earlier else set()
        for step_id, after in earlier:
            starts.append(after)
            if step_id in own:
                return starts
        return [*starts, None]

    def _replay(
        self,
        batch: Batch,
        state: dict[str, Any],
        start: str | None,
        steps: list[dict[str, Any]],
        order: Mapping[str, Any],
        mode: str | None,
    ) -> tuple[str, list[FieldProblem]] | None:
        """None when every step is allowed from `start` on; else the first refused step and why."""
        state["state"] = start
        for row in steps:
            action = row["action"]
            if action == "issue":
                if state["state"] is not None:
                    return row["id"], [problem(self.fields, "action", orders.ISSUED_ONCE)]
                state["state"] = "pending"
                continue
            if state["state"] is None:
                return row["id"], [problem(self.fields, "action", orders.NOT_ISSUED)]
            try:
                _on, _text, changes = orders.transition(
                    _Values(state),
                    action,
                    row.get("text"),
                    row["on"],
                    order.get("issued_on") or date.min,
                    batch.today,
                    mode == workspace.COUNTY,
                )
            except ValidationError as exc:
                return row["id"], list(exc.problems)
            state.update(changes)
        return None

    def derive(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """Each target's columns as its last step left them: in this batch's row, or an update of a stored one."""
        extra = batch.cache.setdefault("extra_updates", {}).setdefault("order_target", [])
        for tid, changes in batch.cache.get("order_changes", {}).items():
            if tid in batch.rows["order_target"]:
                batch.rows["order_target"][tid].update(changes)
            else:
                stored = batch.existing["order_target"][tid]
                moved = {k: v for k, v in changes.items() if stored.get(k) != v}
                if moved:
                    extra.append({"id": tid, "version": stored["version"], **moved})


SUPERVISION: dict[str, TableSpec] = {
    "inspection_schedule": ScheduleSpec(),
    "resident_request": RequestSpec(),
    "assessment_manual_score": ManualScoreSpec(),
    "supervision_order": OrderSpec(),
    "order_target": OrderTargetSpec(),
    "order_event": OrderEventSpec(),
}
SPECS.update(SUPERVISION)


class PartySpec(TableSpec):
    """A project's responsible party (五方责任主体): its fields and `responsibility.party_problems`, the rules of
    `set_parties`. A clerk sets the five at once through that service; this spec writes a party that arrives
    by sync (the tombstoned earlier party travels as its own record)."""

    model = ResponsibleParty
    fields = {**responsibility.FIELDS, "role": Field("role", "责任主体", required=True, max_length=16)}
    refs = frozenset({"project_id"})

    def check(self, batch: Batch, row: dict[str, Any], stored: dict[str, Any] | None) -> list[FieldProblem]:
        problems = _parent_township(batch, row, project_id="project")
        if problems:
            return problems
        unknown = responsibility.role_problem(row["role"])
        return [unknown] if unknown is not None else responsibility.party_problems(row["role"], row)

    def finish(self, batch: Batch, outs: list[RowOutcome]) -> None:
        """One live party per role of a project (`set_parties` retires the one it replaces): the parties as they
        will be — stored live ones, those the batch deletes or changes taken as the batch has them, plus the
        batch's new ones. A second live party of a role (both sides named one before they exchanged) is refused
        with the one it meets named; sync holds it as a conflict (rule_holds) whose decision keeps one."""
        rows = batch.rows["responsible_party"]
        arriving: dict[tuple[str, str], list[RowOutcome]] = defaultdict(list)
        for o in outs:
            if o.action != REJECT and rows[o.id].get("deleted_at") is None:
                row = rows[o.id]
                arriving[(str(row["project_id"]), str(row["role"]))].append(o)
        if not arriving:
            return
        projects_ = sorted({pid for pid, _ in arriving})
        read: dict[str, Mapping[str, Any]] = {}
        t = ResponsibleParty
        for start in range(0, len(projects_), 500):
            q = select(t.id, t.project_id, t.role, t.unit_name, t.leader).where(
                t.project_id.in_(projects_[start : start + 500]), _live(t.deleted_at)
            )
            read.update({str(r.id): r._asdict() for r in batch.session.execute(q)})
        new = {o.id for group in arriving.values() for o in group}
        stored: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
        for pid, live in batch.live_after("responsible_party", "project_id", projects_, read).items():
            for rid, p in sorted(live.items()):  # the parties as the batch leaves them, but for its new ones
                if rid not in new:
                    stored[(pid, str(p["role"]))].append((rid, p.get("unit_name") or "", p.get("leader") or ""))
        for key, group in arriving.items():
            present = list(stored.get(key, []))
            for o in sorted(group, key=lambda o: o.id):
                if present:
                    _rid, unit, leader = present[0]
                    label = responsibility.ROLES.get(key[1], key[1])
                    why = f"该项目已有{label}（{unit}，项目负责人{leader}），同一责任主体只能有一个"
                    _reject(batch, o, [FieldProblem("role", "责任主体", why)])
                    continue
                row = rows[o.id]
                present.append((o.id, row.get("unit_name") or "", row.get("leader") or ""))


SPECS["responsible_party"] = PartySpec()
# every table, parents before children: prepare and apply
TABLES: tuple[str, ...] = ORDER + tuple(SUPERVISION) + ("responsible_party",)

__all__ = ["ORDER", "SPECS", "TABLES", "TableSpec", "ValidationError"]
