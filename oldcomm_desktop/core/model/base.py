"""What every stored record shares: a UUID, times, the owning township, a version and a tombstone.

These are what file-based sync needs later: a stable id across machines, an owner to route the record
to, a version to spot concurrent edits, and soft deletion so a deletion travels like any change.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from oldcomm_desktop.core.money import CENT

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_random_bytes = os.urandom  # where new_id takes its random bytes (a test may put a seeded source here)


def _now_ms() -> int:  # where new_id reads the clock (a test may fix it)
    return time.time_ns() // 1_000_000


_id_lock = threading.Lock()
_last_ms = 0  # the timestamp of the last id made here, and its counter (rand_a)
_counter = 0


def new_id() -> str:
    """A time-ordered (version 7, RFC 9562) UUID in its usual text form: 48 bits of Unix milliseconds, a
    12-bit counter, 62 random bits.

    Why time-ordered: every table's primary key is this id, and a random (version 4) key lands each insert
    at a random page of an ever larger B-tree; once the tables outgrow SQLite's page cache every insert reads
    pages from disk (the demo's cost per community grew with the database). Ids made one after another sort
    one after another, so new rows append to the right edge of the index. Within one millisecond the counter
    counts up (it starts at a random value with its top bit clear, leaving at least 2,048 steps); when it runs
    out, or the clock goes back, the timestamp moves on by one from the last id's, so ids made here always
    sort in the order they were made. The 62 random bits keep ids from different machines apart (sync).

    Formatted as text directly: a bulk import makes one per record (~100,000 for a 50,000-row
    ledger), and uuid.UUID's checks and properties cost several times more. Made by `new_ids`, so the counter
    rule has one definition for a single id and a batch.
    """
    return new_ids(1)[0]


def new_ids(n: int) -> list[str]:
    """`n` ids as `n` calls of `new_id` would make them at one moment: one read of the clock and of the random
    source (10 bytes an id, taken in order), one turn of the lock, the same counter rule.

    Why: the bulk path makes ~24 ids per demo community (~30 for a ledger row with its children); one call
    each costs ~2.5 µs (the lock, the clock, `os.urandom`), most of it per call, not per id. The ids are the
    same kind — time order, the counter counting up within the millisecond (and the timestamp moving on when
    it runs out), 62 random bits — and sort after every id made here before them and before every id made
    after them; with the clock fixed and the same random bytes, `new_ids(n) == [new_id() for _ in range(n)]`.
    """
    global _last_ms, _counter
    if n <= 0:
        return []
    raw = _random_bytes(10 * n)
    hexed = raw.hex()  # rand_b is the low 62 bits of each id's 10 bytes: hex digits 4-19 of its 20
    now = _now_ms()
    out: list[str] = []
    append = out.append
    with _id_lock:
        last, counter = _last_ms, _counter
        shown, head = -1, ""
        for k in range(n):
            if now > last:  # a new millisecond: the counter starts at the top 11 of the 80 random bits
                last, counter = now, int.from_bytes(raw[10 * k : 10 * k + 2]) >> 5
            elif counter < 0xFFF:
                counter += 1
            else:
                last, counter = last + 1, int.from_bytes(raw[10 * k : 10 * k + 2]) >> 5
            if last != shown:
                ms = f"{last & _MS:012x}"
                shown, head = last, f"{ms[:8]}-{ms[8:]}-7"
            h = hexed[20 * k + 4 : 20 * k + 20]
            append(f"{head}{counter:03x}-{_VARIANT_HEX[h[0]]}{h[1:4]}-{h[4:]}")
        _last_ms, _counter = last, counter
    return out


_MS = (1 << 48) - 1
# the first hex digit of rand_b's 16 with its top two bits set to the variant's 10
_VARIANT_HEX = {f"{d:x}": f"{8 | (d & 3):x}" for d in range(16)}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Fixed2(TypeDecorator):
    """A Decimal with two places, stored as a scaled integer (fen, or hundredths of a m²).

    SQLite has no exact decimal type; an integer column keeps sums exact on both SQLite and PostgreSQL.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):  # SQLAlchemy's signature
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        return int((value * 100).to_integral_value())

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Record:
    """Mixin for every record a clerk creates or changes (catalogue rows included)."""

    if TYPE_CHECKING:
        # Set by every mapped subclass; declared here so code holding "some Record" can name its table.
        __tablename__: str

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    township_code: Mapped[str | None] = mapped_column(String(12), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # declarative passes the class
        # Optimistic locking: two clerks saving the same record on a shared server cannot silently
        # overwrite each other; the second save fails and is shown as such.
        return {"version_id_col": cls.version}

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
