"""The bulk write path: many rows per table, the same rules as a single edit, one transaction, one audit event.

Used by the Excel import, the demo and (later) the sync import. Every write through the services goes record
by record through the ORM with a flush per change (~20 communities a second); this path validates a whole
batch with the services' own field specs and rules (`bulk_tables`), computes the derived columns per table
with the functions the single edit uses (`core/derived.py`), and writes with Core `insert … executemany` in
batches inside the caller's transaction. The audit log gets one ``import`` event naming the source and one
entry per record (``create``, or ``update`` per changed field), written in bulk too.

API (table-generic; table names are the SQL table names, e.g. ``community``):

    plan = bulk.prepare(session, {"project": [...], "community": [...], "milestone": [...]})
    plan.rejected        # rows that fail, with their problems: nothing is written while any exist
    plan.counts()        # {"community": {"create": 3, "update": 1, "unchanged": 7, "reject": 0}, ...}
    event_id = bulk.apply(session, plan, source="台账.xlsx")   # or bulk.write(...) = prepare + apply

A row is a mapping of field names (as in the service's FIELDS; raw text as a clerk typed it, or typed
values) plus the table's reference columns (``community_id`` …). A row with an ``id`` that exists is an
update: only the fields it names change, its version goes up by one, and only changed fields are audited;
a row whose values equal the stored ones is left untouched. A row with a new ``id`` (or none) is created;
callers pick ids themselves to link children to parents in the same batch.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Boolean, Date, DateTime, Table, and_, bindparam, func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import collector
from oldcomm_desktop.core.audit import IGNORED, _text
from oldcomm_desktop.core.errors import ConfirmationNeeded, FieldProblem, OldcommError, ValidationError
from oldcomm_desktop.core.model import AuditEntry
from oldcomm_desktop.core.model.base import Fixed2, new_id, new_ids, utcnow

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
BATCH_SIZE = 2000
ID_CHUNK = 500  # ids per IN (…) when reading what exists (SQLite's variable limit is 32,766, PostgreSQL's larger)


class Cancelled(OldcommError):
    """The caller asked to stop; the transaction must be rolled back (nothing was committed)."""


class BulkRejected(ValidationError):
    """Some rows fail their rules; nothing was written. `rejected` lists each with its problems."""

    def __init__(self, rejected: list[RowOutcome]):
        self.rejected = rejected
        first = rejected[:20]
        problems = [FieldProblem(p.field, p.label, f"{o.where()}：{p.message}") for o in first for p in o.problems]
        super().__init__(problems)


@dataclass
class RowOutcome:
    """What happens to one input row: created, updated (which fields), unchanged, or rejected (why)."""

    table: str
    index: int  # position in the caller's list for that table
    action: str
    id: str = ""  # set for every row once prepared (new rows get a fresh UUID)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (old, new)
    problems: list[FieldProblem] = field(default_factory=list)
    needs_confirmation: bool = False  # rejected only because a question (e.g. extension years) was not confirmed
    label: str = ""  # how the caller names the row (e.g. "第 12 行"); default "<table> 第 n 条"

    def where(self) -> str:
        return self.label or f"{self.table} 第 {self.index + 1} 条"


@dataclass
class Plan:
    """The outcome of every row, and the full rows ready to write; nothing has been written yet."""

    outcomes: dict[str, list[RowOutcome]] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # full rows of create/update outcomes
    extra_updates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # derived-only changes
    run_notes: dict[str, Any] = field(default_factory=dict)  # for the open `one_run`'s memo once applied

    @property
    def rejected(self) -> list[RowOutcome]:
        return [o for outs in self.outcomes.values() for o in outs if o.action == REJECT]

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for table, outs in self.outcomes.items():
            c = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, REJECT: 0}
            for o in outs:
                c[o.action] += 1
            result[table] = c
        return result


class Batch:
    """What the table rules may look up while a batch is checked: the session, today, earlier tables' rows,
    and per-batch caches (a rule asked about the same township twice is answered once)."""

    def __init__(self, session: Session, *, today: date, confirm: bool):
        self.session = session
        self.today = today
        self.confirm = confirm
        self.rows: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # table -> id -> full row (accepted)
        self.existing: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # table -> id -> stored row
        self.cache: dict[Any, Any] = {}
        self.input: Mapping[str, Sequence[Mapping[str, Any]]] = {}  # every table's rows as given (rules over tables)
        self.prepared: set[str] = set()  # tables whose rows are all checked (their `rows` hold the batch's)

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def lookup(self, table: str, record_id: str | None) -> dict[str, Any] | None:
        """A row of `table` by id: from this batch, else from the database (live or not); None if unknown."""
        if not record_id:
            return None
        found = self.rows[table].get(record_id)
        if found is not None:
            return found
        if record_id not in self.existing[table]:
            self.load(table, [record_id])
        return self.existing[table].get(record_id)

    def carried(self, table: str) -> Mapping[str, Mapping[str, Any]]:
        """Each row of `table` this batch carries, by id, as the batch has it: its checked row once the table is
        prepared (deletions and restores included), else its given values over the stored row (a sync row of a
        stored record names only what changed). Rows that name no id are new and have none yet."""
        if table in self.prepared:
            return self.rows[table]
        key = ("carried", table)
        if key not in self.cache:
            given = {str(r["id"]): r for r in self.input.get(table, ()) if r.get("id")}
            self.load(table, given)
            self.cache[key] = {rid: {**(self.existing[table].get(rid) or {}), **r} for rid, r in given.items()}
        return cast(Mapping[str, Mapping[str, Any]], self.cache[key])

    def live_after(
        self, table: str, column: str, parents: Collection[str], stored: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, dict[str, Mapping[str, Any]]]:
        """Per parent (the value of `column`, one of `parents`), the live rows of `table` by id as they will be
        once this batch is written: `stored` — the rule's own read of the stored live rows, by id — with each
        row the batch carries taken as the batch has it, those it deletes left out, and those it adds or
        restores put in.

        Why: a rule over sibling rows (a running total, one party per role, the sum of 批复) judged against the
        stored rows alone refuses a package whose records are valid together — the township withdrew an entry
        and recorded it again, the two arrive together — and sync can only refuse such a package for good (no
        edit here clashes with it). The one view of "the table after the package" such rules read."""
        carried = self.carried(table)
        wanted = {str(p) for p in parents}
        out: dict[str, dict[str, Mapping[str, Any]]] = defaultdict(dict)
        for rid, row in stored.items():
            mine = carried.get(rid)
            self._keep_live(out, wanted, column, rid, {**row, **mine} if mine is not None else row)
        for rid, row in carried.items():
            if rid not in stored:
                self._keep_live(out, wanted, column, rid, row)
        return out

    @staticmethod
    def _keep_live(
        out: dict[str, dict[str, Mapping[str, Any]]], wanted: set[str], column: str, rid: str, row: Mapping[str, Any]
    ) -> None:
        parent = row.get(column)
        if row.get("deleted_at") is None and parent is not None and str(parent) in wanted:
            out[str(parent)][rid] = row

    def load(self, table: str, ids: Iterable[str]) -> None:
        """Read stored rows of `table` by id into `existing` (chunked IN lists)."""
        t = table_of(table)
        wanted = [i for i in dict.fromkeys(ids) if i and i not in self.existing[table]]
        if len(wanted) > ID_CHUNK and self.cached(("empty", table), lambda: self._empty(t)):
            # nothing stored in the table (a first import): no IN list per 500 ids (prepare writes nothing)
            self.existing[table].update(dict.fromkeys(wanted))  # type: ignore[arg-type]
            return
        highest = self.cached(("highest", table), lambda: self._highest(t)) if len(wanted) > 1 else None
        if highest is not None and min(wanted) > highest:
            # every id sorts after the highest stored one, so none is stored: the demo's and any batch of ids
            # made here since the table was last written (time-ordered) — one look at the primary key's last
            # entry instead of an IN list per 500 ids; prepare writes nothing, so the answer holds for the batch
            self.existing[table].update(dict.fromkeys(wanted))  # type: ignore[arg-type]
            return
        for start in range(0, len(wanted), ID_CHUNK):
            chunk = wanted[start : start + ID_CHUNK]
            for row in self.session.execute(select(t).where(t.c.id.in_(chunk))).mappings():
                self.existing[table][row["id"]] = dict(row)
            for i in chunk:
                self.existing[table].setdefault(i, None)  # type: ignore[arg-type]

    def _empty(self, t: Table) -> bool:
        return self.session.execute(select(t.c.id).limit(1)).first() is None

    def _highest(self, t: Table) -> str | None:
        """The highest stored id of `t` as SQLite orders text (byte order of UTF-8: as Python orders str); None
        on another database, whose collation may order text otherwise (no shortcut there)."""
        if self.session.connection().dialect.name != "sqlite":
            return None
        return self.session.execute(select(func.max(t.c.id))).scalar() or ""


def table_of(name: str) -> Table:
    from oldcomm_desktop.core.importing.bulk_tables import SPECS

    # Declarative typing says FromClause (a class may map a select); ours all map a Table.
    return cast(Table, SPECS[name].model.__table__)


SET_BY_APPLY = ("id", "created_at", "updated_at", "version")


def _defaults(t: Table) -> dict[str, Any]:
    """Each column's Python-side default as the ORM would fill it: scalars as they are; a callable default
    (other than the id, times and version this module sets) is marked and called per row."""
    out: dict[str, Any] = {}
    for col in t.columns:
        d = col.default
        if d is not None and d.is_scalar:
            out[col.key] = getattr(d, "arg", None)
        elif d is not None and d.is_callable and col.key not in SET_BY_APPLY:
            out[col.key] = _Callable(d.arg)  # type: ignore[attr-defined]
        else:
            out[col.key] = None
    return out


class _Callable:
    """A callable column default, called for each new row (SQLAlchemy wraps it to take a context)."""

    def __init__(self, fn: Callable[[Any], Any]):
        self.fn = fn


@collector.paused()
def prepare(
    session: Session,
    rows_by_table: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    confirm: bool = False,
    today: date | None = None,
    labels: Mapping[str, Sequence[str]] | None = None,
    carry: Mapping[str, Collection[str]] | None = None,
    tombstones: bool = False,
    period_lock: bool = False,
) -> Plan:
    """Parse, check and derive every row of every table (in dependency order); write nothing.

    `confirm`: questions a single edit would ask (a community built in the extension years, more done than
    planned) count as answered yes; otherwise such rows are rejected with `needs_confirmation` set.
    `labels`: per table, how to name each row in messages (e.g. "第 12 行").
    `carry`: per table, columns beyond the service's fields a row may carry as typed values, written as they
    are (the sync import: created_at, deleted_at, columns derived on the other side, which derive recomputes).
    `tombstones`: a row that ends deleted, or whose only change is its deletion or restore, is written without
    the table's rules, as the recycle bin deletes and restores (a deletion is never refused; its parent may
    be gone too); it also stays out of the rules over several rows (sums, running totals). Only a table whose
    service refuses some deletions or restores itself (a milestone another depends on) checks it, through
    its spec's `tombstone` hook, so a deletion arriving by sync meets the rule a clerk's deletion meets.
    `period_lock`: the rows are a clerk's own edits (the Excel ledger import): a row that would alter an
    approved, locked return is rejected with the reason a single edit gets (importing/period_locks.py); the
    returns' lock is an ORM flush hook this path's Core writes never reach.
    """
    from oldcomm_desktop.core.importing import period_locks
    from oldcomm_desktop.core.importing.bulk_tables import SPECS
    from oldcomm_desktop.core.importing.bulk_tables import TABLES as ORDER

    unknown = set(rows_by_table) - set(SPECS)
    if unknown:
        raise OldcommError(f"批量写入不支持这些表：{'、'.join(sorted(unknown))}")
    session.flush()
    batch = Batch(session, today=today or date.today(), confirm=confirm)
    batch.input = rows_by_table
    plan = Plan()
    for table in ORDER:
        rows = rows_by_table.get(table)
        if not rows:
            continue
        spec = SPECS[table]
        t = table_of(table)
        defaults = _defaults(t)
        callables = [(k, v.fn) for k, v in defaults.items() if type(v) is _Callable]  # once, not per row
        given = [str(i) for r in rows if (i := r.get("id"))]
        batch.load(table, given)
        spec.preload(batch, rows)
        outs: list[RowOutcome] = []
        names = (labels or {}).get(table)
        extra = frozenset((carry or {}).get(table, ()))
        row_layouts: list[tuple[str, ...]] = []
        memo = run_memo(session)  # in a run, values parsed by earlier plans are not parsed again
        known = memo.setdefault(f"parsed {table}", {}) if memo is not None else None
        columns = _parse_columns(spec, rows, row_layouts, known)
        layouts: dict[tuple[str, ...], tuple[list[str], list[str], list[str]]] = {}
        # the ids of rows that name none, made at once in row order (each such row is new: one id each)
        next_id = iter(new_ids(len(rows) - len(given))).__next__
        for index, raw in enumerate(rows):
            out = RowOutcome(table, index, REJECT, label=names[index] if names else "")
            outs.append(out)
            _prepare_row(
                batch,
                spec,
                defaults,
                callables,
                raw,
                out,
                columns[index],
                extra=extra,
                tombstones=tombstones,
                layouts=layouts,
                layout=row_layouts[index],
                next_id=next_id,
            )
        batch.prepared.add(table)
        kept_out = batch.cache.get(("tombstones", table), ())
        spec.finish(batch, [o for o in outs if o.id not in kept_out] if kept_out else outs)
        plan.outcomes[table] = outs
    for table in ORDER:
        if table in plan.outcomes:
            SPECS[table].derive(batch, [o for o in plan.outcomes[table] if o.action != REJECT])
    # a township's acts merged at the county, and a ledger import's rows, meet the returns' lock
    merged = period_locks.checked(session)
    locked = (merged or period_lock) and period_locks.in_force(batch)
    for table, outs in plan.outcomes.items():
        full_rows = []
        for o in outs:
            if o.action == REJECT:
                continue
            row = batch.rows[table][o.id]
            if o.action == UPDATE or o.action == UNCHANGED:
                old = batch.existing[table][o.id]
                o.changes = {k: (old[k], v) for k, v in row.items() if k in old and old[k] != v and k != "version"}
                o.action = UPDATE if o.changes else UNCHANGED
            if o.action == UNCHANGED:
                continue
            stored = batch.existing[table].get(o.id) or {}
            why = locked and period_locks.refusal(
                batch, table, o.action == CREATE, row, stored, set(o.changes), merged=merged
            )
            if why:
                o.action = REJECT
                o.problems.append(FieldProblem(period_locks.FIELD, "", why))
                continue
            full_rows.append(row)
        plan.rows[table] = full_rows
    plan.extra_updates = {t: rows for t, rows in batch.cache.get("extra_updates", {}).items() if rows}
    plan.run_notes = batch.cache.get("run_notes", {})
    return plan


_MEMO_TYPES = frozenset({str, int, date, type(None)})  # equal values parse alike (not float: -0.0 == 0.0)
# a number field's parse depends on a number's value only (Decimal("1.0") and Decimal("1.00") both become
# 1.00; -0.0 and 0.0 both zero), so there equal floats and Decimals parse alike too
_NUMBER_MEMO_TYPES = _MEMO_TYPES | {float, Decimal}
_NUMBER_KINDS = frozenset({"int", "decimal", "money"})
_SAMPLE = 512  # values of a column looked at to judge whether they repeat (see _mostly_distinct)


def _mostly_distinct(column: Sequence[Any]) -> bool:
    """Whether a column's first values are mostly different from each other (amounts, areas, quantities).

    Then each value is worked on as it comes rather than through a dict of the distinct ones: a Decimal's
    hash is a modular power in CPython (~2,700 instructions, more than parsing or binding the value), and each
    row's Decimal is a new object, so the dict hashed every cell for no repeat to gain from (3.6 % of a sync
    import's instructions at 10,000 records, all of it Decimal hashes in this module)."""
    sample = column[:_SAMPLE]
    return len(set(sample)) * 2 > len(sample)


class _Failed:
    """A cell whose parse failed, with the field's message (never a parsed value: a parse returns no such)."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


# field kinds whose parse follows the value alone (not dates: the latest date allowed moves with the day)
_KNOWN_KINDS = _NUMBER_KINDS | {"text", "choice"}
_KNOWN_MAX = 20_000  # values kept per column across a run's plans (then it starts again)
_KNOWN_TRIAL = 5_000  # distinct values of a column looked up before the run judges whether keeping them pays
_LAYOUT_GROUPS = 16  # up to this many row layouts in a batch: parsed group by group (see _parse_columns)


def _keep(
    known: dict[Any, Any], column: tuple[str, type], kept: dict[Any, Any], memo: dict[Any, Any], failures: int
) -> None:
    """Keep a plan's parsed values of a column for the run's next plans — while they pay: a column whose
    values seldom come again (names, telephone numbers, most amounts) is dropped after a few plans and parsed
    plan by plan as before, so the run's memory holds only the columns that repeat (~1 in 3 found, or more)."""
    tally = known.setdefault(("tally", column), [0, 0])  # [values looked up, found]
    found = sum(1 for v in memo if v in kept)
    tally[0] += len(memo)
    tally[1] += found
    if tally[0] >= _KNOWN_TRIAL and tally[1] * 3 < tally[0]:
        known[column] = None  # not worth it: `prepare`'s next plans parse this column plainly
        return
    if len(kept) + len(memo) - found > _KNOWN_MAX:
        kept.clear()
    kept.update(memo if not failures else {v: r for v, r in memo.items() if type(r) is not _Failed})


def _parse_columns(
    spec: Any,
    rows: Sequence[Mapping[str, Any]],
    layouts: list[tuple[str, ...]] | None = None,
    known: dict[tuple[str, type], dict[Any, Any]] | None = None,
) -> list[tuple[dict[str, Any], list[FieldProblem]]]:
    """Every row's field values parsed column by column, each distinct value of a column once.

    The parse is the field's own (`Field.parse`, as a single edit runs it); a ledger repeats most values
    (townships, years, statuses, dates, counts), so a column of 50,000 cells holds a few thousand distinct
    ones. Per row: (parsed values, problems). `layouts`, if given, gets each row's keys as a tuple (one
    tuple per layout, shared by its rows: `prepare` looks up what a layout holds beyond its fields by it).
    `known` (a `one_run`'s, across its plans): per column and value type, the values parsed already and what
    they parsed to, for the fields whose parse follows the value alone (`_KNOWN_KINDS`): the demo's amounts,
    quantities and addresses repeat from plan to plan. Only values that parsed are kept (a failing value is
    parsed again, so its row gets its problem)."""
    first = rows[0].keys() if rows else {}.keys()
    same = all(r.keys() == first for r in rows)  # every row names the same fields (a ledger's, the demo's)
    if same and layouts is not None:
        layouts[:] = [tuple(first)] * len(rows)
    if not same:
        groups: dict[tuple[str, ...], list[int]] = {}
        row_layouts = list(map(tuple, rows))
        for i, layout in enumerate(row_layouts):
            groups.setdefault(layout, []).append(i)
        if layouts is not None:
            shared = {layout: layout for layout in groups}
            layouts[:] = [shared[layout] for layout in row_layouts]
        if len(groups) <= _LAYOUT_GROUPS:
            # a few layouts (the demo's milestones with or without a document number, items started or
            # not): each group is parsed as a same-layout batch (a parsed dict per row made at once)
            out: list[Any] = [None] * len(rows)
            for members in groups.values():
                group = _parse_columns(spec, [rows[i] for i in members], known=known)
                for i, result in zip(members, group, strict=True):
                    out[i] = result
            return out
    parsed: list[dict[str, Any]] = [{} for _ in rows]
    problems: list[list[FieldProblem]] = [[] for _ in rows]
    keys: Iterable[str] = list(first) if same else dict.fromkeys(k for r in rows for k in r)
    fields = spec.fields
    names: list[str] = []  # same layout: the parsed columns, made into each row's dict at once below
    values: list[list[Any]] = []
    constant: list[bool] = []  # per parsed column: every row's value is one and the same object
    failed: list[tuple[str, list[int]]] = []
    grid: dict[str, Sequence[Any]] = {}
    if same:
        wanted = [k for k in keys if k != "id" and k in fields]
        grid = dict(zip(wanted, _columns(rows, wanted), strict=True))
    for key in keys:
        f = fields.get(key)
        if f is None or key == "id":
            continue
        parse = f.parse
        one_value = False
        if same:
            indexes: Sequence[int] = range(len(rows))
            column = grid[key]
        else:
            indexes = [i for i, r in enumerate(rows) if key in r]
            column = [rows[i][key] for i in indexes]
        failures = 0

        def one(value: Any) -> Any:
            nonlocal failures
            try:
                return parse(value)  # noqa: B023 - used within this iteration only
            except ValueError as exc:
                failures += 1
                return _Failed(str(exc))

        memo_types = _NUMBER_MEMO_TYPES if f.kind in _NUMBER_KINDS else _MEMO_TYPES
        kinds = set(map(type, column))
        if len(kinds) == 1:  # one type (the usual column): equal values parse alike, the value is the key
            kind = kinds.pop()
            kept = known.setdefault((key, kind), {}) if known is not None and f.kind in _KNOWN_KINDS else None
            if kind in memo_types and kept is not None and known is not None:
                memo = {v: kept[v] if v in kept else one(v) for v in dict.fromkeys(column)}
                hits = list(map(memo.__getitem__, column))
                _keep(known, (key, kind), kept, memo, failures)
                one_value = len(memo) == 1
            elif kind in memo_types and not (kind is Decimal and _mostly_distinct(column)):
                memo = {v: one(v) for v in dict.fromkeys(column)}
                hits = list(map(memo.__getitem__, column))
                one_value = len(memo) == 1
            else:
                hits = list(map(one, column))
        else:
            if Decimal in kinds and _mostly_distinct(column):  # amounts among empty cells: no hash per amount
                memo_types = memo_types - {Decimal}
            pairs = list(zip(map(type, column), column, strict=True))
            by_pair = {pair: one(pair[1]) for pair in dict.fromkeys(p for p in pairs if p[0] in memo_types)}
            hits = [by_pair[pair] if pair[0] in memo_types else one(pair[1]) for pair in pairs]
        bad = [i for i, hit in enumerate(hits) if type(hit) is _Failed] if failures else []
        for i in bad:
            problems[indexes[i]].append(FieldProblem(key, f.label, hits[i].message))
        if same:
            names.append(key)
            values.append(hits)
            constant.append(one_value)
            if bad:
                failed.append((key, bad))
        else:
            for i, hit in zip(indexes, hits, strict=True):
                parsed[i][key] = hit
            for i in bad:
                del parsed[indexes[i]][key]
    if same and names:
        parsed = _row_dicts(names, values, constant, len(rows))
        for key, bad in failed:  # a value that failed is not a parsed value (its problem is noted)
            for i in bad:
                del parsed[i][key]
    return list(zip(parsed, problems, strict=True))


def _columns(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[Sequence[Any]]:
    """The rows' values of `keys`, column by column: each row's values taken at once (`itemgetter`), then turned
    into columns in C. One pass over the rows rather than one per column: the dicts of a batch lie all over
    memory (38 passes over 20,000 community rows cost ~0.1 s in cache misses alone)."""
    if not keys:
        return []
    if len(keys) == 1:
        return [[r[keys[0]] for r in rows]]
    return list(zip(*map(itemgetter(*keys), rows), strict=True))


def _row_dicts(names: list[str], columns: list[list[Any]], constant: list[bool], n: int) -> list[dict[str, Any]]:
    """Each row's parsed values as a dict of `names` in their order, from the parsed columns.

    Most columns of a batch hold one value for every row (28 of the 38 fields of the sync benchmark's
    communities, most of them empty): those are set once in a first row, and each row is a copy of it with its
    own values put in, rather than a dict built from all 38 (measured: 0.07–0.09 → 0.04–0.05 s for those
    20,000 rows)."""
    if not any(constant):
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    first = dict(zip(names, (column[0] for column in columns), strict=True))
    varying = [name for name, one in zip(names, constant, strict=True) if not one]
    if not varying:
        return [first.copy() for _ in range(n)]
    out = []
    copy = first.copy
    for row in zip(*(column for column, one in zip(columns, constant, strict=True) if not one), strict=True):
        values = copy()
        values.update(zip(varying, row, strict=True))
        out.append(values)
    return out


def _prepare_row(
    batch: Batch,
    spec: Any,
    defaults: dict[str, Any],
    callables: list[tuple[str, Callable[[Any], Any]]],
    raw: Mapping[str, Any],
    out: RowOutcome,
    parsed_row: tuple[dict[str, Any], list[FieldProblem]] | None = None,
    *,
    extra: frozenset[str] = frozenset(),
    tombstones: bool = False,
    layouts: dict[tuple[str, ...], tuple[list[str], list[str], list[str]]] | None = None,
    layout: tuple[str, ...] | None = None,
    next_id: Callable[[], str] = new_id,
) -> None:
    parsed, problems = parsed_row if parsed_row is not None else _parse_columns(spec, [raw])[0]
    if layout is None:
        layout = tuple(raw)
    kept = layouts.get(layout) if layouts is not None else None
    if kept is None:
        kept = _layout(spec, layout, extra)
        if layouts is not None:
            layouts[layout] = kept
    ref_keys, extra_keys, unknown = kept
    for key in unknown:
        problems.append(FieldProblem(key, key, "不是可以写入的字段"))
    given = raw.get("id")
    record_id = str(given) if given else None
    stored = batch.existing[out.table].get(record_id) if record_id else None
    if stored is not None:
        row = dict(stored)
        out.action = UPDATE
    else:
        spec.fill(batch, parsed)  # defaults a single edit fills in before its required-field check
        row = defaults.copy()
        for key, fn in callables:
            row[key] = fn(None)
        record_id = record_id or next_id()
        row["id"] = record_id
        for name, f in spec.required:
            if parsed.get(name) is None and not any(p.field == name for p in problems):
                problems.append(FieldProblem(name, f.label, "必须填写"))
        out.action = CREATE
    # references and carried columns are never fields (`_layout`), so they and the parsed values do not overlap
    for key in ref_keys:
        value = raw[key]
        row[key] = value if value not in ("",) else None
    for key in extra_keys:
        row[key] = raw[key]
    row.update(parsed)
    out.id = record_id or ""
    if problems:
        out.action, out.problems = REJECT, problems
        return
    if tombstones and _tombstone(row, stored):
        assert record_id is not None
        problems = spec.tombstone(batch, row, stored)
        if problems:
            out.action, out.problems = REJECT, problems
            return
        batch.cache.setdefault(("tombstones", out.table), set()).add(record_id)
        batch.rows[out.table][record_id] = row
        return
    try:
        problems = spec.check(batch, row, stored)
    except ConfirmationNeeded as exc:
        out.action, out.needs_confirmation = REJECT, True
        p = exc.problem
        out.problems = [FieldProblem(p.field, p.label, f"需要确认：{p.message}")]
        return
    except ValidationError as exc:
        problems = list(exc.problems)
    if problems:
        out.action, out.problems = REJECT, problems
        return
    assert record_id is not None
    batch.rows[out.table][record_id] = row


def _layout(spec: Any, keys: tuple[str, ...], extra: frozenset[str]) -> tuple[list[str], list[str], list[str]]:
    """What a row naming `keys` holds beyond its fields (parsed by `_parse_columns`) and its id: reference
    columns, carried columns, and names that are not writable here. Worked out once per layout of a batch
    (the demo's and a ledger's rows share a few), not per row."""
    refs, carried, unknown = [], [], []
    for key in keys:
        if key == "id" or key in spec.fields:
            continue
        if key in spec.refs:
            refs.append(key)
        elif key in extra:
            carried.append(key)
        else:
            unknown.append(key)
    return refs, carried, unknown


def _tombstone(row: Mapping[str, Any], stored: Mapping[str, Any] | None) -> bool:
    """A row that ends deleted, or whose only change is its deletion or restore (see prepare's `tombstones`)."""
    if row.get("deleted_at") is not None:
        return True
    return stored is not None and all(stored.get(k) == v for k, v in row.items() if k != "deleted_at")


@collector.paused()
def apply(
    session: Session,
    plan: Plan,
    *,
    source: str,
    kind: str = "import",
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    event: bool = True,
) -> str:
    """Write a plan without rejected rows in the caller's transaction; return the audit event's id.

    `progress(done, total)` is called between batches; when `cancelled()` turns true, Cancelled is raised and
    the caller's rollback leaves the database as it was. `event=False`: the caller writes in several plans
    (bounded memory) and records the one event itself with `record_event`.

    On SQLite the write has a bigger page cache, set back afterwards (`storage.database.page_cache`): keys of
    stored rows (ids made before the time-ordered ones, names, dates) touch pages all over an index, and with
    the default 2 MB a 200,000-community write re-reads the same pages. Set back, a window that keeps its
    connection after an Excel import does not keep the 128 MB. A `one_run` (the demo) sets its own for all its
    plans. (temp_store cannot change inside a transaction, SQLite refuses; journal and synchronous stay as the
    data-safety setup chose them: WAL, FULL, which costs one sync at commit.)
    """
    from oldcomm_desktop.storage.database import page_cache

    args = (source, kind, batch_size, progress, cancelled, event)
    if session.info.get(_RUN) is not None:
        return _apply(session, plan, *args)
    with page_cache(session):
        return _apply(session, plan, *args)


def _apply(
    session: Session,
    plan: Plan,
    source: str,
    kind: str,
    batch_size: int,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
    event: bool,
) -> str:
    from oldcomm_desktop.core.importing.bulk_tables import TABLES as ORDER

    if plan.rejected:
        raise BulkRejected(plan.rejected)
    conn = session.connection()
    run: _Run | None = session.info.get(_RUN)
    if run is not None:
        run.conn = conn
    now = utcnow()
    operator = session.info.get("operator")
    if not (operator or "").strip():  # the audit hook's rule, for writes that bypass the ORM
        from oldcomm_desktop.core.audit import NO_OPERATOR, OperatorMissing

        raise OperatorMissing(NO_OPERATOR)
    event_id = new_id()
    audit = [_event(now, operator, event_id, source, kind, plan.counts())] if event else []
    total = sum(len(r) for r in plan.rows.values()) + sum(len(r) for r in plan.extra_updates.values())
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if cancelled is not None and cancelled():
            raise Cancelled("已取消，数据库没有任何改动")
        if progress is not None:
            progress(done, total)

    for table in ORDER:
        t = table_of(table)
        outs = {o.id: o for o in plan.outcomes.get(table, []) if o.action in (CREATE, UPDATE)}
        creates, updates = [], []
        for row in plan.rows.get(table, []):
            o = outs[row["id"]]
            if o.action == CREATE:
                row["created_at"] = row.get("created_at") or now  # a carried creation time stays (sync)
                row["updated_at"] = now
                row["version"] = 1
                creates.append(row)
                audit.append(  # _audit(now, operator, table, id, "create") without the calls (one per record)
                    {
                        "at": now,
                        "operator": operator,
                        "table_name": table,
                        "record_id": row["id"],
                        "action": "create",
                        "field": None,
                        "old_value": None,
                        "new_value": None,
                    }
                )
            else:
                updates.append((row, o.changes))
        insert = _Insert(conn, t)
        creates.sort(key=_by_id)  # in key order: the primary-key B-tree is appended to, not split all over
        with indexes_built_after(conn, t.name, len(creates), run):
            for start in range(0, len(creates), batch_size):
                chunk = creates[start : start + batch_size]
                insert(chunk)
                step(len(chunk))
        extra = [
            (r, {k: (None, v) for k, v in r.items() if k not in ("id", "version")})
            for r in plan.extra_updates.get(table, [])
        ]
        for row, changes in updates + extra:
            for key, (old, new) in changes.items():
                if key in IGNORED:
                    continue
                action = UPDATE
                if key == "deleted_at":
                    action = "delete" if new is not None else "restore"
                audit.append(_audit(now, operator, table, row["id"], action, key, old, new))
        _update(conn, t, updates, extra, now, batch_size, step)
    _refresh_listing_shapes(conn, plan, run)
    from oldcomm_desktop.core import (  # arrived/paid changes leave a dated row, as through the ORM
        funding_dates,
    )

    funding_dates.after_bulk(session, conn, plan)
    if run is not None:
        for key, note in plan.run_notes.items():  # what the next plan of the run may take from this one
            if note is None:
                run.memo.pop(key, None)
            else:
                run.memo[key] = note(conn)
    insert = _Insert(conn, AuditEntry.__table__, skip=frozenset({"seq"}))  # type: ignore[arg-type]
    with indexes_built_after(conn, AuditEntry.__tablename__, len(audit), run):
        for start in range(0, len(audit), batch_size * 5):
            insert(audit[start : start + batch_size * 5])
    session.expire_all()  # ORM objects loaded before now must re-read what Core just wrote
    return event_id


def insert_new(conn: Any, t: Table, rows: Sequence[Mapping[str, Any]], *, now: Any = None) -> None:
    """Insert rows the bulk path derives beside a plan (dated funding history …) as it inserts a plan's own:
    each column's default filled in, a fresh id, the times and version 1, to the driver as tuples."""
    if not rows:
        return
    now = now or utcnow()
    defaults = _defaults(t)
    callables = [(k, v.fn) for k, v in defaults.items() if type(v) is _Callable]
    full = []
    next_id = iter(new_ids(sum(1 for r in rows if not r.get("id")))).__next__  # made at once, in row order
    for r in rows:
        row = dict(defaults)
        for key, fn in callables:
            row[key] = fn(None)
        row.update(r)
        row["id"] = row.get("id") or next_id()
        row["created_at"] = row.get("created_at") or now
        row["updated_at"] = now
        row["version"] = 1
        full.append(row)
    insert = _Insert(conn, t)
    for start in range(0, len(full), BATCH_SIZE):
        insert(full[start : start + BATCH_SIZE])


def _refresh_listing_shapes(conn: Any, plan: Plan, run: _Run | None = None) -> None:
    """The full-text index and the categories per community, which the ORM keeps by a session hook
    (core/listing_index.py) and Core writes must keep themselves. In a `one_run`, the categories, the
    items' sort keys and the landmarks wait for the run's end (once over everything it touched)."""
    from oldcomm_desktop.core import listing_index

    def rows(table: str) -> list[Mapping[str, Any]]:
        return list(plan.rows.get(table, [])) + list(plan.extra_updates.get(table, []))

    # plan.rows hold whole rows (a create's, or the stored row with its changes), pinyin initials derived;
    # extra_updates only the derived columns they change, so those communities are read back
    outs = {o.id: o for o in plan.outcomes.get("community", [])}
    whole = plan.rows.get("community", [])
    created = [_search_row(r) for r in whole if outs[r["id"]].action == CREATE]
    listing_index.write_search(conn, "community", created, new=True)
    text = {"name", "address", "search_initials"}
    changed = [_search_row(r) for r in whole if outs[r["id"]].action == UPDATE and text & set(outs[r["id"]].changes)]
    listing_index.write_search(conn, "community", changed)
    partial = [r["id"] for r in plan.extra_updates.get("community", []) if "name" in r or "address" in r]
    if partial:
        t = table_of("community")
        stored = []
        for start in range(0, len(partial), 500):
            chunk = partial[start : start + 500]
            q = select(t.c.id, t.c.name, t.c.address, t.c.search_initials).where(t.c.id.in_(chunk))
            stored += [tuple(r) for r in conn.execute(q)]
        listing_index.write_search(conn, "community", stored)
    item_outs = {o.id: o for o in plan.outcomes.get("renovation_item", [])}
    items = [r for r in rows("renovation_item") if "description" in r]
    fresh = [(r["id"], r.get("description")) for r in items if _created(item_outs.get(r["id"]))]
    listing_index.write_search(conn, "item", fresh, new=True)
    kept = [(r["id"], r.get("description")) for r in items if not _created(item_outs.get(r["id"]))]
    listing_index.write_search(conn, "item", kept)
    touched: set[str] = {r["community_id"] for r in rows("renovation_item") if r.get("community_id") is not None}
    renamed = {r["id"] for r in rows("community") if "name" in r}
    if run is not None:  # one run (the demo): categories and sort keys once at its end
        run.touched |= touched | renamed
        return
    created_here = _fresh_communities(conn, plan, outs)  # their shapes come from this plan alone
    if touched - set(created_here):
        listing_index.refresh_categories(conn, touched - set(created_here))
    sorted_already = {c for c, settled in created_here.items() if settled}
    if (touched | renamed) - sorted_already:
        listing_index.refresh_item_sort(conn, (touched | renamed) - sorted_already)
    if sum(1 for o in plan.outcomes.get("renovation_item", []) if o.action == CREATE) >= BULK_INDEX_ROWS:
        from oldcomm_desktop.core import stored_landmarks  # many new items: the landmarks spread again

        stored_landmarks.refresh(conn)


def _fresh_communities(conn: Any, plan: Plan, outs: Mapping[str, RowOutcome]) -> dict[str, bool]:
    """Communities this plan creates, with their categories written from the plan's own items (a new community
    has no stored items: a first import of 20,000 communities skips 40 join queries); each maps to whether all
    its items already carry its sort key (a sync package carries it), so their copy need not be made again."""
    from oldcomm_desktop.core.model import CommunityCategory, ItemType

    created = {r["id"]: r.get("name_sort") for r in plan.rows.get("community", []) if _created(outs.get(r["id"]))}
    if not created:
        return {}
    kinds = dict(conn.execute(select(ItemType.id, ItemType.category_id)).all())
    pairs: set[tuple[Any, Any]] = set()
    settled = dict.fromkeys(created, True)
    for r in list(plan.rows.get("renovation_item", [])) + list(plan.extra_updates.get("renovation_item", [])):
        cid = r.get("community_id")
        if cid not in created:
            continue
        if r.get("deleted_at") is None and kinds.get(r.get("item_type_id")) is not None:
            pairs.add((kinds[r["item_type_id"]], cid))
        if r.get("community_sort") != created[cid]:
            settled[cid] = False
    if pairs:  # as tuples (_Insert), not through SQLAlchemy's per-row parameter dicts: one pair per category
        insert = _Insert(conn, CommunityCategory.__table__)  # type: ignore[arg-type]
        insert([{"category_id": k, "community_id": c} for k, c in sorted(pairs, key=repr)])
    return settled


def _created(out: RowOutcome | None) -> bool:
    """A record this batch inserts: it has no search text yet, so none need deleting first."""
    return out is not None and out.action == CREATE


BULK_INDEX_ROWS = 5000  # from this many new rows on (and at least as many as the table holds) …


@contextlib.contextmanager
def indexes_built_after(conn: Any, table: str, new_rows: int, run: _Run | None = None) -> Iterator[None]:
    """… SQLite builds a table's secondary indexes once after the inserts instead of row by row.

    Inserting into a table with a dozen indexes (the community list sorts on ten columns) updates every
    B-tree per row; building an index over the finished table sorts once (measured: −35 % CPU for 50,000
    communities). The indexes are dropped and made again from their own stored SQL inside the caller's
    transaction: SQLite's DDL is transactional, so a cancel or failure rolls them back with the rows.
    Only for a big batch into a table it at least doubles (a first import); otherwise nothing changes.
    """
    if run is not None and conn.dialect.name == "sqlite" and new_rows:
        run.lift(conn, table, new_rows)
        yield
        return
    if conn.dialect.name != "sqlite" or new_rows < BULK_INDEX_ROWS:
        yield
        return
    from oldcomm_desktop.core.listing_index import sqlite_objects_lifted

    quote = conn.dialect.identifier_preparer.quote
    held = conn.exec_driver_sql(f"SELECT count(*) FROM {quote(table)}").scalar() or 0
    if held > new_rows:
        yield
        return
    with sqlite_objects_lifted(conn, "index", table=table):
        yield


_RUN = "oldcomm_bulk_run"  # session.info key of the open `one_run`
RUN_KEEP = frozenset({"community_id", "project_id", "inspection_id", "rectification_id", "funding_line_id"})
RUN_CACHE_KIB = 524_288  # the page cache for a run (512 MB at most, freed when the connection closes)


class _Run:
    """What a `one_run` holds until it ends: the tables whose indexes are down, the communities whose
    categories and items' sort keys wait."""

    def __init__(self, conn: Any, stack: contextlib.ExitStack):
        self.conn, self.stack = conn, stack
        self.lifted: set[str] = set()  # tables looked at (indexes down, or left as they were)
        self.touched: set[str] = set()
        self.memo: dict[str, Any] = {}  # what a table's rules carry from one plan of the run to the next

    def lift(self, conn: Any, table: str, new_rows: int) -> None:
        """At a table's first batch in the run: if the batch at least doubles it (a table the run fills),
        its secondary indexes go down until the run ends — all but those led by a reference column, which
        the rules read between batches (a community's items, a project's milestones)."""
        if table in self.lifted:
            return
        self.lifted.add(table)
        from oldcomm_desktop.core.listing_index import sqlite_objects_lifted

        quote = conn.dialect.identifier_preparer.quote
        if (conn.exec_driver_sql(f"SELECT count(*) FROM {quote(table)}").scalar() or 0) > new_rows:
            return
        keep = RUN_KEEP if table != AuditEntry.__tablename__ else frozenset()  # nothing reads the log meanwhile
        self.stack.enter_context(sqlite_objects_lifted(conn, "index", table=table, keep_leading=keep))


@contextlib.contextmanager
def one_run(session: Session) -> Iterator[None]:
    """Many plans of new records applied in one transaction as one write (the demo's 200,000 communities,
    made and checked a few hundred projects at a time): on SQLite the work whose cost grows with the
    database is done once at the end instead of per plan.

    Per plan, each index keyed by a random UUID (ids are time-ordered since, `model/base.new_id`; the indexes
    on names and dates are still random) took page reads all over a B-tree that outgrew the page
    cache, the landmark triggers updated the items list's landmarks per item (and the landmarks were spread
    again per plan once there were 200,000 items), and the categories and sort keys of each plan's items
    were written in a second pass. In a run: a table the run fills has its secondary indexes built once at
    the end (`_Run.lift`), the landmark triggers and the full-text insert trigger are lifted and the
    landmarks spread and the full-text rows added in one statement at the end, categories and item sort
    keys are refreshed once (over whole tables when the run wrote every community: `_every_community`), and
    notice numbers go on from plan to plan (`run_memo`). All of it in the caller's transaction: SQLite's DDL
    is transactional, so a cancel or failure rolls back schema and rows together (and the lifted objects are
    made again at once).
    For runs of new records (records updated or deleted in a run keep their full-text rows by the delete
    and update triggers, which stay). PostgreSQL: nothing changes.
    """
    conn = session.connection()
    if conn.dialect.name != "sqlite" or _RUN in session.info:
        yield
        return
    from oldcomm_desktop.core import listing_index, stored_landmarks

    listing_index.sqlite_transaction(conn)
    conn.exec_driver_sql(f"PRAGMA cache_size=-{RUN_CACHE_KIB}")
    first_doc = conn.exec_driver_sql("SELECT coalesce(max(docid), 0) FROM search_text").scalar()
    with contextlib.ExitStack() as stack:
        for name in (*stored_landmarks.TRIGGER_NAMES, "search_text_ai"):
            stack.enter_context(listing_index.sqlite_objects_lifted(conn, "trigger", name=name))
        run = _Run(conn, stack)
        session.info[_RUN] = run
        try:
            yield
            session.flush()
            conn = run.conn
            every = bool(run.touched) and _every_community(conn, run.touched)
            if every:  # the sort keys before the sort index is built (its index on community_id stays)
                listing_index.refresh_every_item_sort(conn)
            elif run.touched:
                listing_index.refresh_item_sort(conn, run.touched)
        finally:
            session.info.pop(_RUN, None)
    # the indexes and triggers are back (built once over the finished tables)
    if every:
        listing_index.refresh_every_category(conn)
    elif run.touched:
        listing_index.refresh_categories(conn, run.touched)
    conn.exec_driver_sql(
        f"INSERT INTO {listing_index.FTS_TABLE}(rowid, body) SELECT docid, body FROM search_text WHERE docid > ?",
        (first_doc,),
    )
    stored_landmarks.refresh(conn)


def _every_community(conn: Any, ids: set[str]) -> bool:
    """Whether `ids` (communities a run wrote or gave items: all stored) are every community there is — a run
    that filled a new database, as the demo does. Then the categories and sort keys are refreshed over the
    whole tables in one statement each, not 500 ids at a time (at 100,000 communities: 11 of the end's 30 s,
    a third of it SQLAlchemy expanding the IN lists)."""
    return len(ids) == conn.exec_driver_sql("SELECT count(*) FROM community").scalar()


def run_memo(session: Session) -> dict[str, Any] | None:
    """The open `one_run`'s memo (None outside a run): what a table's rules carry from one plan of the run to
    the next instead of reading it again from tables that grow with every plan (the next notice number)."""
    run: _Run | None = session.info.get(_RUN)
    return run.memo if run is not None else None


def _by_id(row: Mapping[str, Any]) -> str:
    return str(row["id"])


def _search_row(r: Mapping[str, Any]) -> tuple[Any, ...]:
    return (r["id"], r.get("name"), r.get("address"), r.get("search_initials"))


_BY_VALUE = (Boolean, Date, DateTime, Fixed2)  # bind processors whose result follows the value alone


class _Insert:
    """INSERT … executemany of whole rows, with each column's bind processor applied once per value.

    SQLAlchemy's Core executemany builds a parameter dict per row (~10 µs); here the statement is compiled
    once and rows go to the driver as tuples, which keeps a 200,000-community demo within minutes.
    """

    def __init__(self, conn: Any, t: Table, skip: frozenset[str] = frozenset()):
        self.conn = conn
        self.cols = [c for c in t.columns if c.key not in skip]
        dialect = conn.dialect
        self.procs = [c.type._cached_bind_processor(dialect) for c in self.cols]
        self.by_value = [isinstance(c.type, _BY_VALUE) for c in self.cols]
        mark = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": ":{n}", "named": ":c{n}"}[dialect.paramstyle]
        marks = ", ".join(mark.format(n=i + 1) for i in range(len(self.cols)))
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(c.name) for c in self.cols)
        self.sql = f"INSERT INTO {quote(t.name)} ({names}) VALUES ({marks})"
        self.named = dialect.paramstyle == "named"

    def __call__(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        # column by column: each bind processor maps over one column (no per-row Python loop), then back to rows
        columns: list[Any] = _columns(rows, [c.key for c in self.cols])
        for i, p in enumerate(self.procs):
            if p:
                columns[i] = _bound(p, columns[i]) if self.by_value[i] else map(p, columns[i])
        params: list[Any] = list(zip(*columns, strict=True))
        if self.named:
            params = [{f"c{i + 1}": v for i, v in enumerate(row)} for row in params]
        self.conn.exec_driver_sql(self.sql, params)


def _bound(proc: Callable[[Any], Any], column: Sequence[Any]) -> Sequence[Any]:
    """A column's values through its bind processor, each distinct value once where values repeat.

    Most bound columns of a batch repeat: the times and version are one value for every row, dates and
    yes/no flags a few hundred; a processor call is a Python call per cell (~250 per demo community). Only
    for the types in `_BY_VALUE`, whose processors give equal values equal results (Decimal("1.0") and
    Decimal("1.00") both bind as 100 fen; date, datetime and bool text and numbers follow the value).
    """
    n = len(column)
    first = column[0]
    if column.count(first) == n:  # one value (equal values: the times, the version, a batch's one date)
        return [proc(first)] * n
    # mostly different (amounts): a call each, judged from the column's first values before hashing every
    # cell (a Decimal's hash costs more than its bind, see _mostly_distinct), then over the whole column
    if _mostly_distinct(column):
        return list(map(proc, column))
    distinct = dict.fromkeys(column)
    if len(distinct) * 2 > n:
        return list(map(proc, column))
    by_value = {v: proc(v) for v in distinct}
    return list(map(by_value.__getitem__, column))


def _event(now: Any, operator: Any, event_id: str, source: str, kind: str, counts: Mapping) -> dict[str, Any]:
    """The import event: table "import_event", action "import", field = kind, old = counts (JSON), new = source."""
    return {
        "at": now,
        "operator": operator,
        "table_name": "import_event",
        "record_id": event_id,
        "action": "import",
        "field": kind,
        "old_value": json.dumps(counts, ensure_ascii=False),
        "new_value": source,
    }


def record_event(session: Session, *, source: str, kind: str, counts: Mapping[str, Mapping[str, int]]) -> str:
    """Write the one audit event of an import written as several plans (see `apply(event=False)`)."""
    event_id = new_id()
    row = _event(utcnow(), session.info.get("operator"), event_id, source, kind, counts)
    session.connection().execute(AuditEntry.__table__.insert(), [row])  # type: ignore[attr-defined]
    return event_id


def _audit(
    now: Any,
    operator: Any,
    table: str,
    record_id: str,
    action: str,
    key: str | None = None,
    old: Any = None,
    new: Any = None,
) -> dict[str, Any]:
    return {
        "at": now,
        "operator": operator,
        "table_name": table,
        "record_id": record_id,
        "action": action,
        "field": key,
        "old_value": _text(old),
        "new_value": _text(new),
    }


def _update(
    conn: Any, t: Table, updates: list, extra: list, now: Any, batch_size: int, step: Callable[[int], None]
) -> None:
    """UPDATE … executemany per set of changed columns; the version moves and must be the one read."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row, changes in updates + extra:
        keys = tuple(sorted(k for k in changes if k not in ("id", "version", "created_at", "updated_at")))
        params = {f"p_{k}": row[k] for k in keys}
        params["p_id"] = row["id"]
        params["p_version"] = row["version"]
        params["p_new_version"] = (row["version"] or 0) + 1
        params["p_updated_at"] = now
        groups[keys].append(params)
    for keys, group in groups.items():
        stmt = (
            t.update()
            .where(and_(t.c.id == bindparam("p_id"), t.c.version == bindparam("p_version")))
            .values(
                {
                    **{k: bindparam(f"p_{k}") for k in keys},
                    "version": bindparam("p_new_version"),
                    "updated_at": bindparam("p_updated_at"),
                }
            )
        )
        for start in range(0, len(group), batch_size):
            chunk = group[start : start + batch_size]
            result = conn.execute(stmt, chunk)
            if result.rowcount not in (-1, len(chunk)):
                raise OldcommError("有记录在导入期间被别人修改过，导入已取消，请重新导入")
            step(len(chunk))


def write(
    session: Session,
    rows_by_table: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    source: str,
    kind: str = "import",
    confirm: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Plan:
    """prepare + apply: all rows valid and written, or BulkRejected and nothing written."""
    plan = prepare(session, rows_by_table, confirm=confirm, today=today)
    if plan.rejected:
        raise BulkRejected(plan.rejected)
    apply(session, plan, source=source, kind=kind, progress=progress, cancelled=cancelled)
    return plan
