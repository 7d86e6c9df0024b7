"""Merging one incoming record into ours, field by field, with a version vector per field.

Each field of a shared record carries a version vector: {installation code: how many times it changed
that field there}. Comparing the incoming vector with ours tells, without any clock on the wall:

- theirs ≤ ours: we already have that value or a later one (a package imported twice, or out of order);
- ours < theirs: they changed it after the value we hold — take theirs;
- neither: both sides changed the field since they last agreed — a **conflict**. Ours stays, theirs is
  recorded with both times, and a clerk decides; nothing is overwritten. (If both happen to hold the same
  value the vectors are simply joined.) Derived columns (status, pinyin initials …) are not worth a clerk's
  time: both sides take the larger value, so they agree.

A deletion on one side against an edit of any field on the other is a conflict too (on 删除时间, keep ours /
take theirs): a record never ends deleted with an edit inside that the deleting side had not seen. Two
deletions of the same record on both sides are one intent, not a conflict: the earlier tombstone time stands
on both (asking a clerk to choose between two deletion times would only invite both sides to decide at once,
and two concurrent decisions are a new conflict, so the nodes would never settle).

Different fields of one record merge independently, so a township's edit of 户数 and the county's correction
of 总投资 both survive. Resolving a conflict is an edit that has seen both sides (the joined vector plus one
of our own), so it wins everywhere once it travels. This is what makes the order of imports and repeated
imports irrelevant: the result depends only on the set of changes, not on how they arrived.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Clock = dict[str, int]
Clocks = dict[str, Clock]  # field -> vector; "*" is the vector of every field not listed

BEFORE, AFTER, SAME, CONCURRENT = "before", "after", "same", "concurrent"
DELETED = "deleted_at"  # a soft deletion (a tombstone) is a field like any other, with one extra rule below


def compare(a: Mapping[str, int], b: Mapping[str, int]) -> str:
    """How vector `a` stands to `b`: before (a < b), after (a > b), same, or concurrent."""
    less = more = False
    for k in a.keys() | b.keys():
        x, y = a.get(k, 0), b.get(k, 0)
        if x < y:
            less = True
        elif x > y:
            more = True
        if less and more:
            return CONCURRENT
    if less:
        return BEFORE
    if more:
        return AFTER
    return SAME


def join(a: Mapping[str, int], b: Mapping[str, int]) -> Clock:
    return {k: max(a.get(k, 0), b.get(k, 0)) for k in a.keys() | b.keys()}


def bump(clock: Mapping[str, int], node: str) -> Clock:
    out = dict(clock)
    out[node] = out.get(node, 0) + 1
    return out


def of(clocks: Mapping[str, Clock], name: str) -> Clock:
    return clocks.get(name) or clocks.get("*") or {}


def compact(clocks: Clocks) -> Clocks:
    """Drop per-field vectors equal to the default one (keeps the shadow small)."""
    default = clocks.get("*") or {}
    return {k: v for k, v in clocks.items() if k == "*" or v != default}


@dataclass
class FieldConflict:
    field: str
    ours: Any
    theirs: Any
    theirs_clock: Clock
    # A deletion of ours against their edits: the edited fields' vectors, kept back from our state until a clerk
    # decides (see _delete_against_edit); the decision joins them in.
    withheld: Clocks = dataclasses.field(default_factory=dict)  # "field" is the name of a field here

    def stored_clock(self) -> dict[str, Any]:
        """What the conflict row keeps as their clock: the field's vector, or with vectors kept back, all of them
        per field (read back by `stored_clocks`)."""
        return {self.field: self.theirs_clock, **self.withheld} if self.withheld else self.theirs_clock


def stored_clocks(field_name: str, stored: Mapping[str, Any]) -> Clocks:
    """A conflict row's clock per field: a plain vector is the conflicting field's own; a dict of vectors also
    holds the vectors a deletion kept back (`FieldConflict.stored_clock`)."""
    if stored and all(isinstance(v, Mapping) for v in stored.values()):
        return {k: dict(v) for k, v in stored.items()}
    return {field_name: dict(stored)}


def join_stored(field_name: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Two stored conflict clocks joined field by field, stored as `FieldConflict.stored_clock` would store them."""
    x, y = stored_clocks(field_name, a), stored_clocks(field_name, b)
    out = {k: join(x.get(k, {}), y.get(k, {})) for k in x.keys() | y.keys()}
    return out if set(out) != {field_name} else out[field_name]


@dataclass
class Merged:
    """The outcome for one record: the new values and vectors, and what happened to each field."""

    values: dict[str, Any]
    clocks: Clocks
    taken: list[str] = field(default_factory=list)  # fields that took their value
    conflicts: list[FieldConflict] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)  # fields whose open conflict their side has decided
    echo: bool = False  # the result is exactly their state: nothing to send back to them

    @property
    def changed(self) -> bool:
        return bool(self.taken)


def merge_record(
    ours: Mapping[str, Any],
    ours_clocks: Mapping[str, Clock],
    theirs: Mapping[str, Any],
    theirs_clocks: Mapping[str, Clock],
    fields: list[str],
    derived: frozenset[str] = frozenset(),
) -> Merged:
    """Merge their state of one record into ours (both as JSON values); see the module docstring."""
    values = dict(ours)
    clocks: Clocks = {}
    result = Merged(values=values, clocks=clocks)
    all_theirs = True
    for name in fields:
        mine, other = of(ours_clocks, name), of(theirs_clocks, name)
        relation = compare(other, mine)
        if relation in (BEFORE, SAME):
            clocks[name] = mine
            if relation == BEFORE:
                all_theirs = False
            elif ours.get(name) != theirs.get(name):
                # Same vector, different value: one side counted the same change twice, as a database restored
                # from an old backup does (its next edit gets a number its peer already holds for another value).
                # Keeping ours silently would leave the two sides apart for good: it is a conflict a clerk sees.
                all_theirs = False
                if name in derived:
                    winner = max(ours.get(name), theirs.get(name), key=lambda v: (v is not None, str(v)))
                    if winner != ours.get(name):
                        values[name] = winner
                        result.taken.append(name)
                else:
                    result.conflicts.append(FieldConflict(name, ours.get(name), theirs.get(name), dict(other)))
            continue
        if relation == AFTER:
            if ours.get(name) != theirs.get(name):
                values[name] = theirs.get(name)
                result.taken.append(name)
            clocks[name] = dict(other)
            result.settled.append(name)
            continue
        # concurrent
        joined = join(mine, other)
        all_theirs = False  # the joined vector is news to them
        if ours.get(name) == theirs.get(name):
            clocks[name] = joined
            result.settled.append(name)
            continue
        if name == DELETED and ours.get(name) is not None and theirs.get(name) is not None:
            # both sides deleted the record: they agree; the earlier tombstone time stands on both
            first = min(ours[name], theirs[name], key=str)
            if first != ours.get(name):
                values[name] = first
                result.taken.append(name)
            clocks[name] = joined
            result.settled.append(name)
            continue
        if name in derived:
            winner = max(ours.get(name), theirs.get(name), key=lambda v: (v is not None, str(v)))
            if winner != ours.get(name):
                values[name] = winner
                result.taken.append(name)
            clocks[name] = joined
            continue
        clocks[name] = mine
        result.conflicts.append(FieldConflict(name, ours.get(name), theirs.get(name), dict(other)))
    if _delete_against_edit(result, ours, ours_clocks, theirs, theirs_clocks, fields, derived):
        all_theirs = False
    result.echo = all_theirs
    # keep the default vector as the most common one so the shadow stays compact
    result.clocks = compact({"*": _most_common(clocks), **clocks})
    return result


def _delete_against_edit(
    result: Merged,
    ours: Mapping[str, Any],
    ours_clocks: Mapping[str, Clock],
    theirs: Mapping[str, Any],
    theirs_clocks: Mapping[str, Clock],
    fields: list[str],
    derived: frozenset[str],
) -> bool:
    """A deletion on one side against an edit (of any field) on the other since they last agreed: a conflict.

    Field by field the two would merge quietly (their tombstone is newer, our edit of 户数 is newer), and the
    record would end deleted with an edit nobody who deleted it had seen. So the deletion becomes a conflict
    on `deleted_at` (keep ours / take theirs): the record keeps our deleted-or-live state until a clerk
    decides, and the other fields merge as usual (an edit that arrives at a deleted record is kept inside it,
    so "take theirs" there restores the record with the edit). Derived columns do not count as an edit.
    Returns True when it recorded the conflict.
    """
    name = DELETED
    if name not in fields or any(c.field == name for c in result.conflicts):
        return False
    mine, other = of(ours_clocks, name), of(theirs_clocks, name)
    relation = compare(other, mine)
    ours_deleted, theirs_deleted = ours.get(name) is not None, theirs.get(name) is not None
    if ours_deleted == theirs_deleted or relation not in (BEFORE, AFTER):
        return False
    edited = [f for f in fields if f != name and f not in derived]
    withheld: Clocks = {}
    if relation == AFTER and theirs_deleted:  # their deletion arrives: did we edit what they had not seen?
        if not any(compare(of(theirs_clocks, f), of(ours_clocks, f)) in (BEFORE, CONCURRENT) for f in edited):
            return False
        if name in result.taken:
            result.taken.remove(name)
        if name in result.settled:
            result.settled.remove(name)
        result.values[name] = ours.get(name)
    elif relation == BEFORE and ours_deleted:  # we deleted: did they edit what we had not seen?
        if not any(compare(of(theirs_clocks, f), of(ours_clocks, f)) in (AFTER, CONCURRENT) for f in edited):
            return False
        # Their edits are kept inside our deleted record, but not their vectors: with those our next package
        # would claim to have seen the edits, and the other side would take our deletion as decided (closing
        # its conflict, or never recording one). They wait in the conflict until a clerk here decides.
        for f in edited:
            if compare(of(theirs_clocks, f), of(ours_clocks, f)) == AFTER:
                withheld[f] = dict(of(theirs_clocks, f))
                result.clocks[f] = dict(of(ours_clocks, f))
    else:
        return False
    result.clocks[name] = dict(mine)
    result.conflicts.append(FieldConflict(name, ours.get(name), theirs.get(name), dict(other), withheld))
    return True


def _most_common(clocks: Mapping[str, Clock]) -> Clock:
    seen: dict[str, tuple[int, Clock]] = {}
    for c in clocks.values():
        key = repr(sorted(c.items()))
        n, _ = seen.get(key, (0, c))
        seen[key] = (n + 1, c)
    if not seen:
        return {}
    return max(seen.values(), key=lambda t: t[0])[1]
