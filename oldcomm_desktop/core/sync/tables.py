"""Which tables travel in a package, and how one row becomes JSON and back.

Two kinds of table travel:

- **shared records** (a township's communities, items, milestones, money, inspections, photos …) live on
  exactly two installations, the township and its county, and are identified by their UUID everywhere;
  they are merged field by field (merge.py).
- **catalogue rows** (categories, item types, indicators, funding sources, templates, divisions) are seeded
  in every database with that database's own UUIDs, so they are identified by a natural key (their code)
  instead. The county's catalogue is authoritative: it travels down whole and replaces the township's.
  A shared record's reference to a catalogue row travels as that row's natural key.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, LargeBinary, Table
from sqlalchemy.engine import Connection

from oldcomm_desktop.core.model import Base
from oldcomm_desktop.core.model.base import Fixed2

# Parents before children: a package is applied in this order so every foreign key finds its row.
SHARED_TABLES: tuple[str, ...] = (
    "project",
    "responsible_party",
    "community",
    "renovation_item",
    "milestone",
    "funding_line",
    "funding_line_history",  # arrived/paid as dated (core/funding_dates.py): travels with its line, both ways
    "investment_entry",
    "inspection",
    "inspection_result",
    "rectification",
    "reinspection",
    "inspection_schedule",
    "resident_request",
    "supervision_order",
    "order_target",
    "order_event",
    "return_submission",
    "return_archive",
    "return_round",
    "return_note",
    "attachment",
)
# County-wide records (township_code empty) that still travel down: a county order goes to every township it
# addresses (those with an order_target row), with the order's attachments. Only the county sends them.
COUNTY_WIDE: frozenset[str] = frozenset({"supervision_order"})
# What a township's package may never create: the county's acts (they come down, never up). A column and
# its values that make a new row a county act; None: every new row is (an order's targets are the county's).
COUNTY_ACTS: dict[str, tuple[str, frozenset[str]] | None] = {
    "return_round": ("action", frozenset({"approved", "sent_back", "reopened"})),
    "order_event": ("action", frozenset({"issue", "confirm", "send_back"})),
    "order_target": None,
}
# Not carried at all (they stay where they are made): the county's assessment of its townships.
STAY_AT_COUNTY: tuple[str, ...] = ("assessment_scheme", "assessment_manual_score", "assessment_result")
CATALOGUE_TABLES: tuple[str, ...] = (
    "category",
    "effect_indicator",
    "item_type",
    "funding_source",
    "checklist_template",
    "checklist_template_item",
    "division",
)
# Columns that are bookkeeping of one database, not data: never compared, never sent.
LOCAL_COLUMNS = frozenset({"id", "version", "updated_at"})
# Columns a program derives from other data; when both sides computed different values the larger one is
# taken on both sides (so they agree) and no clerk is asked: the next save recomputes them anyway.
DERIVED = frozenset({"search_initials", "name_sort", "status", "current_deadline", "closed", "closed_on"})
DERIVED_BY_TABLE = {"community": DERIVED, "rectification": DERIVED, "project": DERIVED}

def table(name: str) -> Table:
    return Base.metadata.tables[name]


def data_columns(name: str) -> list[Column]:
    """The columns that travel, in table order."""
    return [c for c in table(name).columns if c.name not in LOCAL_COLUMNS]


def catalogue_target(col: Column) -> str | None:
    """The catalogue table a column points at, if any (then its value travels as a natural key)."""
    for fk in col.foreign_keys:
        target = fk.column.table.name
        if target in CATALOGUE_TABLES:
            return target
    return None


# ------------------------------------------------------------------ values <-> JSON


def _enc_decimal(v: Any) -> Any:
    return None if v is None else format(Decimal(v).quantize(Decimal("0.01")), "f")


def _dec_decimal(v: Any) -> Any:
    return None if v is None else Decimal(str(v))


def _enc_iso(v: Any) -> Any:
    return None if v is None else v.isoformat()


def _dec_date(v: Any) -> Any:
    return None if v is None else date.fromisoformat(v)


def _dec_datetime(v: Any) -> Any:
    return None if v is None else datetime.fromisoformat(v)


def _enc_bytes(v: Any) -> Any:
    return None if v is None else base64.b64encode(bytes(v)).decode("ascii")


def _dec_bytes(v: Any) -> Any:
    return None if v is None else base64.b64decode(v, validate=True)


def _same(v: Any) -> Any:
    return v


def _dec_bool(v: Any) -> Any:
    return None if v is None else bool(v)


def codec(col: Column) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(to JSON, from JSON) for one column's Python values."""
    t = col.type
    if isinstance(t, Fixed2):
        return _enc_decimal, _dec_decimal
    if isinstance(t, DateTime):
        return _enc_iso, _dec_datetime
    if isinstance(t, Date):
        return _enc_iso, _dec_date
    if isinstance(t, Boolean):
        return _dec_bool, _dec_bool
    if isinstance(t, LargeBinary):  # a return's archived .xlsx and snapshot: base64 text
        return _enc_bytes, _dec_bytes
    if isinstance(t, JSON):
        return _same, _same
    return _same, _same


def check_value(col: Column, value: Any) -> str | None:
    """Why a JSON value cannot go into this column, or None (a package's values are checked before use)."""
    if value is None:
        return None if col.nullable or col.name == "id" else "不能为空"
    t = col.type
    try:
        if isinstance(t, Fixed2):
            Decimal(str(value))
            if not isinstance(value, (str, int)):
                return "应为数字文本"
        elif isinstance(t, DateTime):
            datetime.fromisoformat(value)
        elif isinstance(t, Date):
            date.fromisoformat(value)
        elif isinstance(t, Boolean):
            if not isinstance(value, bool):
                return "应为是/否"
        elif isinstance(t, JSON):
            return None
        elif isinstance(t, LargeBinary):
            if not isinstance(value, str):
                return "应为 base64 文本"
            base64.b64decode(value, validate=True)
        elif getattr(t, "python_type", None) is int:
            if not isinstance(value, int) or isinstance(value, bool):
                return "应为整数"
        elif not isinstance(value, str):
            return "应为文本"
        elif getattr(t, "length", None) and len(value) > getattr(t, "length", 0):
            return f"超过 {getattr(t, 'length', 0)} 个字符"
    except (ValueError, TypeError, ArithmeticError, binascii.Error):
        return f"“{str(value)[:40]}”格式不对"
    return None


def dumps(value: Any) -> str:
    """Canonical JSON: the same value always gives the same text (shadow states are compared as text).

    A record's state whose values are all text, integers, yes/no or empty (nearly every one: dates and
    amounts are text by then) is written by orjson, in C (a seventh of a full export's CPU went to `json`
    here). For such a dict orjson's text is json's exactly — keys sorted by code point, no spaces, non-ASCII
    as it is, the same escapes (every code point compared, tests/core/sync/test_canonical_json.py) — so
    shadows written before and after compare equal. The same for a dict or list of those one level down (a
    record's clocks, a list column). Anything else (a float, a deeper value, an integer beyond 64 bits, a
    lone surrogate) goes to `json` as before."""
    if _orjson is not None and type(value) is dict and _plain(value):
        try:
            return _orjson.dumps(value, option=_orjson.OPT_SORT_KEYS).decode()
        except TypeError:  # orjson.JSONEncodeError: a non-text key, an integer beyond 64 bits, a lone surrogate
            pass
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_PLAIN = frozenset({str, int, bool, type(None)})


def _plain(value: dict) -> bool:
    for v in value.values():
        kind = type(v)
        if kind in _PLAIN:
            continue
        if kind is dict and all(type(x) in _PLAIN for x in v.values()):
            continue
        if kind is list and all(type(x) in _PLAIN for x in v):
            continue
        return False
    return True


_orjson: Any
try:  # declared in pyproject.toml; without it every text comes from json, the same text
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None


# ------------------------------------------------------------------ natural keys of catalogue rows


def natural_keys(conn: Connection, name: str) -> dict[str, str]:
    """id -> natural key of every row of one catalogue table in this database."""
    t = table(name)
    if name == "checklist_template_item":
        tmpl = table("checklist_template")
        rows = conn.execute(
            t.select()
            .with_only_columns(t.c.id, tmpl.c.code, t.c.sort_order)
            .join_from(t, tmpl, t.c.template_id == tmpl.c.id)
        )
        return {r[0]: f"{r[1]}#{r[2]}" for r in rows}
    return {r[0]: r[1] for r in conn.execute(t.select().with_only_columns(t.c.id, t.c.code))}


class KeyMaps:
    """Catalogue ids <-> natural keys of one database, loaded once per export or import."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.to_key: dict[str, dict[str, str]] = {}
        self.to_id: dict[str, dict[str, str]] = {}
        self.reload()

    def reload(self, names: tuple[str, ...] = CATALOGUE_TABLES) -> None:
        for name in names:
            keys = natural_keys(self.conn, name)
            self.to_key[name] = keys
            self.to_id[name] = {k: i for i, k in keys.items()}

    def key(self, name: str, ident: str | None) -> str | None:
        if ident is None:
            return None
        return self.to_key[name].get(ident, ident)

    def ident(self, name: str, key: str | None) -> str | None:
        if key is None:
            return None
        return self.to_id[name].get(key)


class RowCodec:
    """One shared table's rows as JSON dicts (catalogue references as natural keys) and back."""

    def __init__(self, name: str, keys: KeyMaps):
        self.name = name
        self.table = table(name)
        self.columns = data_columns(name)
        self.keys = keys
        self.encoders = []
        self.decoders = []
        for c in self.columns:
            enc, dec = codec(c)
            target = catalogue_target(c)
            if target is not None:
                enc = (lambda t: lambda v: keys.key(t, v))(target)
                dec = (lambda t: lambda v: keys.ident(t, v))(target)
            self.encoders.append((c.name, enc))
            self.decoders.append((c.name, dec))
        self.refs: dict[str, str] = {c.name: t for c in self.columns if (t := catalogue_target(c))}
        # Most columns are text and integers that JSON holds as they are: convert only the others.
        self.names = [c.name for c in self.columns]
        self.special_enc = [(n, f) for n, f in self.encoders if f is not _same and f is not _dec_bool]
        self.special_dec = [(n, f) for n, f in self.decoders if f is not _same]
        self.checkers = [(c.name, checker(c)) for c in self.columns if c.name not in self.refs]
        # Each checker's answer for an empty value, asked once (a check of None depends on the column alone):
        # most of a record's columns are empty, and a call per empty cell was a third of the value checks.
        self.empty_checks = [(name, check, check(None)) for name, check in self.checkers]
        # A column added later with a default (funding_source.active, migration 0013) is absent from the rows
        # of a package written before it: absent is not "empty", the default stands in on insert.
        self.defaulted = {c.name for c in self.columns if c.default is not None or c.server_default is not None}

    def encode(self, row: Any) -> dict[str, Any]:
        m = row._mapping if hasattr(row, "_mapping") else row
        out = {name: m[name] for name in self.names}
        for name, enc in self.special_enc:
            out[name] = enc(out[name])
        return out

    def decode(self, values: dict[str, Any]) -> dict[str, Any]:
        """Column values from JSON values (only the columns present; the package's were checked first)."""
        out = dict(values)
        get = out.get
        for name, dec in self.special_dec:
            v = get(name)
            if v is not None:  # every decoder maps an empty value to itself (and an absent one stays absent)
                out[name] = dec(v)
        return out

    def problems(self, values: dict[str, Any]) -> tuple[str, str] | None:
        """The first (column, problem) of a JSON row, or None."""
        get = values.get
        for name, check, if_empty in self.empty_checks:
            v = get(name)
            if v is None:
                if not if_empty or (name not in values and name in self.defaulted):
                    continue
                return name, if_empty
            problem = check(v)
            if problem:
                return name, problem
        return None


def checker(col: Column) -> Callable[[Any], str | None]:
    """A fast check for the common cases (text within its length, plain integers), check_value otherwise."""
    t = col.type
    nullable = col.nullable
    length = getattr(t, "length", None)
    if type(t).__name__ in ("String", "Text") and not isinstance(t, (Fixed2, JSON)):

        def text(v: Any) -> str | None:
            if v is None:
                return None if nullable else "不能为空"
            if type(v) is str and (length is None or len(v) <= length):
                return None
            return check_value(col, v)

        return text
    if getattr(t, "python_type", None) is int and not isinstance(t, Fixed2):

        def integer(v: Any) -> str | None:
            if v is None:
                return None if nullable else "不能为空"
            return None if type(v) is int else "应为整数"

        return integer
    # Amounts and times: a text the column's own parser takes is fine (what check_value asks of it, without
    # its chain of type tests per value); a repeated text (every row's creation time) is parsed once.
    if isinstance(t, (Fixed2, DateTime, Date)):
        parse: Callable[[str], Any] = date.fromisoformat
        if isinstance(t, Fixed2):
            parse = Decimal
        elif isinstance(t, DateTime):
            parse = datetime.fromisoformat
        seen: set[str] = set()

        def parsed(v: Any) -> str | None:
            if type(v) is str:
                if v in seen:
                    return None
                try:
                    parse(v)
                except (ValueError, TypeError, ArithmeticError):
                    return check_value(col, v)
                if len(seen) < 1024:
                    seen.add(v)
                return None
            return check_value(col, v)

        return parsed
    return lambda v: check_value(col, v)
