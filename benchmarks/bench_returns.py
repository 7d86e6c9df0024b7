"""Benchmark of the progress return (进度月报表): the whole export beside openpyxl write-only writing the same cells.

Run on demand (not a test):

    PYTHONPATH=$PWD python3 benchmarks/bench_returns.py [--sizes 10000 200000] [--out benchmarks/out]

For each size it builds a township database with `bench_core.Generator` through SQLAlchemy Core inserts (N
communities with 10 items, 3 funding lines and 4 milestones each), puts every community into the 2025 plan
and adds one dated investment entry per started or finished community. Then, each in a fresh subprocess so
peak RSS is its own:

- **ours**: `export.produce(session, "progress", 2025-06, out)` — the SQL of the figures as of the period's end,
  the written numbers with 小计/合计, the standard template's header, styles, merges and footer, streamed;
- **baseline**: openpyxl `write_only` writing the very same cells (values and per-column styles, the same
  header and footer rows, the same merges), the values streamed from a pickle made from our output beforehand
  (reading the pickle is part of the baseline's time).

It reports seconds, the ratio ours / baseline, and peak RSS (absolute, and above the process after imports).
"""

from __future__ import annotations

import argparse
import pickle
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss it does not inherit the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(path: Path, n: int) -> None:
    import bench_core
    from sqlalchemy import insert, text

    from oldcomm_desktop.core import workspace
    from oldcomm_desktop.storage.database import open_database

    bench_core._remove_db(path)
    db = open_database(path)
    with db.transaction("基准测试") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=bench_core.TOWNSHIP_CODE,
                             name=bench_core.TOWNSHIP_NAME, operator="基准测试")
    gen = bench_core.Generator(*bench_core._catalogue(db), seed=1)
    for start in range(0, n, 5000):
        chunk = gen.chunk(start, min(5000, n - start))
        with db.engine.begin() as conn:
            for table in bench_core.TABLES:
                conn.execute(insert(table), chunk[table.name])
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE community SET plan_year = 2025"))
        ids = [r[0] for r in conn.execute(text(
            "SELECT id FROM community WHERE status IN ('started','completed','accepted')"))]
        rows = [
            {"id": str(uuid.uuid4()), "community_id": cid, "entry_date": "2025-05-31", "amount": 1234567,
             "township_code": bench_core.TOWNSHIP_CODE}
            for cid in ids
        ]
        conn.execute(text(
            "INSERT INTO investment_entry (id, created_at, updated_at, township_code, version, community_id, "
            "entry_date, amount) VALUES (:id, '2025-06-01', '2025-06-01', :township_code, 1, :community_id, "
            ":entry_date, :amount)"), rows)
    db.close()


def ours(db_path: str, out: str) -> None:
    from oldcomm_desktop.core.returns import export
    from oldcomm_desktop.core.returns.periods import Period
    from oldcomm_desktop.storage.database import open_database

    base = rss_mb()
    t = time.perf_counter()
    with open_database(db_path, write=False) as db, db.transaction() as s:
        produced = export.produce(s, "progress", Period(2025, 6), Path(out))
    print(f"RESULT ours {time.perf_counter() - t:.2f} {rss_mb():.1f} {base:.1f} {produced.rows}")


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
    t = time.perf_counter()
    tpl = load_workbook(standard_path("progress")).active
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(tpl.title)
    for key, dim in tpl.column_dimensions.items():
        ws.column_dimensions[key].width = dim.width
    styles = []
    for c in tpl[5]:
        proto = WriteOnlyCell(ws)
        proto.font, proto.border, proto.alignment = c.font.copy(), c.border.copy(), c.alignment.copy()
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
    print(f"RESULT baseline {time.perf_counter() - t:.2f} {rss_mb():.1f} {base:.1f} {n}")


def _child(*argv: str) -> list[str]:
    done = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    return line.split()[2:]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 200_000])
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench_returns"))
    ap.add_argument("--child", nargs="+")
    ap.add_argument("--reuse", action="store_true", help="keep a database built by an earlier run")
    args = ap.parse_args()
    if args.child:
        {"ours": ours, "baseline": baseline, "extract": extract}[args.child[0]](*args.child[1:])
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    lines = ["| communities | ours (s) | openpyxl write-only, same cells (s) | ratio | peak RSS ours / baseline (MB) | "
             "RSS above start ours / baseline (MB) | rows |", "|---|---|---|---|---|---|---|"]
    for n in args.sizes:
        db = args.out / f"returns_{n}.sqlite3"
        t = time.perf_counter()
        if not (args.reuse and db.exists()):
            build(db, n)
        print(f"built {n:,} communities in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
        out_ours, out_base, pkl = (str(args.out / f"{x}_{n}") for x in ("ours.xlsx", "base.xlsx", "cells.pkl"))
        o = _child("--child", "ours", str(db), out_ours)
        _child("--child", "extract", out_ours, pkl)
        b = _child("--child", "baseline", pkl, out_base)
        ratio = float(o[0]) / float(b[0])
        lines.append(
            f"| {n:,} | {float(o[0]):.1f} | {float(b[0]):.1f} | {ratio:.2f}× | {float(o[1]):.0f} / {float(b[1]):.0f} | "
            f"{float(o[1]) - float(o[2]):.0f} / {float(b[1]) - float(b[2]):.0f} | {o[3]} |"
        )
        print(lines[-1], file=sys.stderr, flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
