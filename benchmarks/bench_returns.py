"""Benchmark of the progress return (进度月报表): the whole export beside openpyxl write-only writing the same cells.

Run on demand (not a test):

    PYTHONPATH=$PWD python3 benchmarks/bench_returns.py [--sizes 10000 200000] [--out /tmp/bench_returns]
                                                        [--rebuild] [--profile]

The data: a township database with 10,000 communities made once by `bench_core.Generator` through SQLAlchemy
Core inserts (10 items, 3 funding lines and 4 milestones each), every community in the 2025 plan, one dated
investment entry per started or finished one. A larger size is a copy of it grown in SQL: each further 10,000
is one `INSERT … SELECT` per table (communities, items, funding lines, milestones, investment entries) with
new UUIDs and the names suffixed "（k区）" — the same shape per community at every size, with no Python per row.
Both are cached in OUT under the schema's head revision (`returns_<n>_<head>.sqlite3`) and reused by later
runs (`--rebuild` makes them again). Then, each in a fresh subprocess so peak RSS is its own:

- **ours**: `export.produce(session, "progress", 2025-06, out)` — the SQL of the figures as of the period's end,
  the written numbers with 小计/合计, the standard template's header, styles, merges and footer, streamed;
- **baseline**: openpyxl `write_only` writing the very same cells (values and per-column styles, the same
  header and footer rows, the same merges), the values streamed from a pickle made from our output beforehand
  (reading the pickle is part of the baseline's time).

The database file is read once before ours runs (the baseline's pickle is fresh in the page cache too).
It reports wall and CPU seconds (CPU is the steadier on a shared machine), the ratios ours / baseline, and
peak RSS (VmHWM: absolute, and above the process after imports). `--profile` runs only ours under cProfile.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import subprocess
import sys
import time
import uuid
from copy import copy
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))


def cpu_s() -> float:
    """CPU seconds of this process so far: steadier than wall time on a shared, loaded machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss it does not inherit the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


BASE = 10_000  # communities made by bench_core.Generator; larger sizes are copies of them made in SQL


def _copy_db(src: Path, dst: Path) -> None:
    """A consistent copy through SQLite's backup API (reads through the WAL, unlike a file copy)."""
    import sqlite3

    import bench_core

    bench_core._remove_db(dst)
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    with b:
        a.backup(b)
    a.close()
    b.close()


def build_base(path: Path, n: int) -> None:
    """`n` communities through `bench_core.Generator` and SQLAlchemy Core (10 items, 3 funding lines and 4
    milestones each), all in the 2025 plan, with one dated investment entry per started or finished one."""
    import bench_core
    from sqlalchemy import insert, text

    from oldcomm_desktop.core import workspace
    from oldcomm_desktop.storage.database import open_database

    partial = path.with_name(path.name + ".partial")
    bench_core._remove_db(partial)
    db = open_database(partial)
    with db.transaction("基准测试") as s:
        workspace.initialise(
            s,
            mode=workspace.TOWNSHIP,
            code=bench_core.TOWNSHIP_CODE,
            name=bench_core.TOWNSHIP_NAME,
            operator="基准测试",
        )
    gen = bench_core.Generator(*bench_core._catalogue(db), seed=1)
    for start in range(0, n, 5000):
        chunk = gen.chunk(start, min(5000, n - start))
        with db.engine.begin() as conn:
            for table in bench_core.TABLES:
                conn.execute(insert(table), chunk[table.name])
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE community SET plan_year = 2025"))
        ids = [
            r[0]
            for r in conn.execute(text("SELECT id FROM community WHERE status IN ('started','completed','accepted')"))
        ]
        rows = [
            {
                "id": str(uuid.uuid4()),
                "community_id": cid,
                "entry_date": "2025-05-31",
                "amount": 1234567,
                "township_code": bench_core.TOWNSHIP_CODE,
            }
            for cid in ids
        ]
        conn.execute(
            text(
                "INSERT INTO investment_entry (id, created_at, updated_at, township_code, version, community_id, "
                "entry_date, amount) VALUES (:id, '2025-06-01', '2025-06-01', :township_code, 1, :community_id, "
                ":entry_date, :amount)"
            ),
            rows,
        )
        # the money arrived, dated in March (core/funding_dates.py): a past period's return reads it dated
        from datetime import date

        from oldcomm_desktop.core import funding_dates

        line_ids = [r[0] for r in conn.execute(text("SELECT id FROM funding_line"))]
        funding_dates.write_current(conn, line_ids, date(2025, 3, 1))
    db.close()
    _copy_db(partial, path)  # through the backup API: the WAL's pages are in the copy
    bench_core._remove_db(partial)


# the tables a copy of a community takes along, and the column pointing at the community
COPIED = (
    ("community", None),
    ("renovation_item", "community_id"),
    ("funding_line", "community_id"),
    ("funding_line_history", "funding_line_id"),
    ("milestone", "community_id"),
    ("investment_entry", "community_id"),
)


def replicate(path: Path, copies: int) -> None:
    """Set-based growth: each copy k re-inserts every base community and its rows in one INSERT … SELECT per
    table, with the name suffixed "（k区）" and ids that stay UUIDs but can be no base id: the base ids are
    version 4 (a "4" as 15th character, 8/9/a/b as 20th), a copy's have another version digit and c/d."""
    if copies > 30:
        raise SystemExit("at most 31 times the base")
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    top = {t: con.execute(f"SELECT max(rowid) FROM {t}").fetchone()[0] or 0 for t, _ in COPIED}
    cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t, _ in COPIED}
    for k in range(1, copies + 1):
        with con:
            for table, ref in COPIED:
                exprs = []
                for c in cols[table]:
                    if c == "id" or c == ref:
                        digit, variant = "012356789abcdef"[(k - 1) % 15], "cd"[(k - 1) // 15]
                        exprs.append(
                            f"substr({c}, 1, 14) || '{digit}' || substr({c}, 16, 4) || '{variant}' || substr({c}, 21)"
                        )
                    elif table == "community" and c == "name":
                        exprs.append(f"name || '（{k}区）'")
                    else:
                        exprs.append(c)
                con.execute(
                    f"INSERT INTO {table} ({', '.join(cols[table])}) SELECT {', '.join(exprs)} "
                    f"FROM {table} WHERE rowid <= {top[table]}"
                )
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def build(path: Path, n: int, cache: Path) -> None:
    """The database for `n` communities: the cached base, copied and grown in SQL when `n` is larger."""
    base = cache / f"base_{BASE}_{_schema_head()}.sqlite3"
    if not base.exists():
        t = time.perf_counter()
        build_base(base, BASE)
        print(f"built the {BASE:,}-community base in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    if n % BASE:
        raise SystemExit(f"--sizes must be multiples of {BASE}")
    partial = path.with_name(path.name + ".partial")
    _copy_db(base, partial)
    if n > BASE:
        replicate(partial, n // BASE - 1)
    partial.rename(path)  # a run stopped half-way leaves no database that looks finished


def _schema_head() -> str:
    versions = ROOT / "oldcomm_desktop" / "storage" / "migrations" / "versions"
    return max(p.stem.split("_")[0] for p in versions.glob("[0-9]*.py"))


def ours(db_path: str, out: str) -> None:
    from oldcomm_desktop.core.returns import export
    from oldcomm_desktop.core.returns.periods import Period
    from oldcomm_desktop.storage.database import open_database

    base = rss_mb()
    t, c = time.perf_counter(), cpu_s()
    with open_database(db_path, write=False) as db, db.transaction() as s:
        produced = export.produce(s, "progress", Period(2025, 6), Path(out))
    print(f"RESULT ours {time.perf_counter() - t:.2f} {rss_mb():.1f} {base:.1f} {produced.rows} {cpu_s() - c:.2f}")


def profile(db_path: str, out: str) -> None:
    """`ours` under cProfile: the top of the cumulative and own-time lists to stderr."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(ours, db_path, out)
    for key in ("tottime", "cumulative"):
        pstats.Stats(prof, stream=sys.stderr).sort_stats(key).print_stats(25)


def extract(xlsx: str, pkl: str) -> None:
    """Our output's cells (values by row) into a pickle stream, for the baseline to write again."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(xlsx)
    sheet = wb.get_sheet_by_index(0)
    with open(pkl, "wb") as fh:
        for row in sheet.iter_rows():
            pickle.dump(row, fh, protocol=pickle.HIGHEST_PROTOCOL)
    print("RESULT extract")


def baseline(pkl: str, out: str) -> None:
    """openpyxl write-only: the same header/footer rows, merges, widths, and each data cell with its column's style."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.cell import WriteOnlyCell

    from oldcomm_desktop.core.returns.standard_templates import standard_path

    base = rss_mb()
    t, cpu0 = time.perf_counter(), cpu_s()
    tpl = load_workbook(standard_path("progress")).active
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(tpl.title)
    for key, dim in tpl.column_dimensions.items():
        ws.column_dimensions[key].width = dim.width
    styles = []
    for c in tpl[5]:
        proto = WriteOnlyCell(ws)
        proto.font, proto.border, proto.alignment = copy(c.font), copy(c.border), copy(c.alignment)
        proto.number_format = c.number_format
        styles.append(proto._style)
    n = 0
    with open(pkl, "rb") as fh:
        while True:
            try:
                row = pickle.load(fh)
            except EOFError:
                break
            cells = []
            for v, st in zip(row, styles, strict=False):
                cell = WriteOnlyCell(ws, value=None if v == "" else v)
                cell._style = st
                cells.append(cell)
            ws.append(cells)
            n += 1
    for rng in tpl.merged_cells.ranges:
        if rng.max_row < 5:
            ws.merged_cells.add(rng.coord)
    wb.save(out)
    print(f"RESULT baseline {time.perf_counter() - t:.2f} {rss_mb():.1f} {base:.1f} {n} {cpu_s() - cpu0:.2f}")


def _warm(path: Path) -> None:
    """Read the database file once, so ours does not pay a cold disk read the baseline (reading a pickle just
    written) does not: both start from the page cache."""
    with path.open("rb") as fh:
        while fh.read(8 << 20):
            pass


def _child(*argv: str) -> list[str]:
    done = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    done.check_returncode()
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    return line.split()[2:]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 200_000])
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench_returns"))
    ap.add_argument("--child", nargs="+")
    ap.add_argument("--rebuild", action="store_true", help="build the databases again even when cached")
    ap.add_argument("--profile", action="store_true", help="only run ours under cProfile for each size")
    args = ap.parse_args()
    if args.child:
        {"ours": ours, "baseline": baseline, "extract": extract, "profile": profile}[args.child[0]](*args.child[1:])
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()[0]:.1f} at start",
        "",
        "| communities | rows written | ours wall / CPU (s) | openpyxl write-only, same cells: wall / CPU (s) | "
        "ratio wall / CPU | peak RSS ours / baseline (MB) | RSS above start ours / baseline (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in args.sizes:
        db = args.out / f"returns_{n}_{_schema_head()}.sqlite3"
        t = time.perf_counter()
        if args.rebuild or not db.exists():
            build(db, n, args.out)
            print(f"built {n:,} communities in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
        if args.profile:
            _child("--child", "profile", str(db), str(args.out / f"profile_{n}.xlsx"))
            continue
        out_ours, out_base, pkl = (str(args.out / f"{x}_{n}") for x in ("ours.xlsx", "base.xlsx", "cells.pkl"))
        _warm(db)
        o = [float(x) for x in _child("--child", "ours", str(db), out_ours)]
        _child("--child", "extract", out_ours, pkl)
        b = [float(x) for x in _child("--child", "baseline", pkl, out_base)]
        Path(pkl).unlink(missing_ok=True)
        lines.append(
            f"| {n:,} | {int(o[3]):,} | {o[0]:.1f} / {o[4]:.1f} | {b[0]:.1f} / {b[4]:.1f} | "
            f"{o[0] / b[0]:.2f}× / {o[4] / b[4]:.2f}× | {o[1]:.0f} / {b[1]:.0f} | "
            f"{o[1] - o[2]:.0f} / {b[1] - b[2]:.0f} |"
        )
        print(lines[-1], file=sys.stderr, flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
