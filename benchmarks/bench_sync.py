"""On-demand benchmark: export and import of a sync package, beside a plain executemany of the same rows.

    python benchmarks/bench_sync.py                    # 100,000 records (20,000 communities + 80,000 items)
    python benchmarks/bench_sync.py --records 10000    # quick check
    python benchmarks/bench_sync.py --profile          # also a cProfile of the import (benchmarks/out/)
    python benchmarks/bench_sync.py --repeat 3         # two more rounds of import and trigger-free baseline

A township database gets N records through SQLAlchemy Core (a fifth communities, the rest renovation items
typed from the catalogue). Timed, in the same run:
- export: `sync export --full` (scan into the shadow, JSON Lines, zip, sign, write atomically, read back and verify);
- import: the county's `sync import` of that package (verify, check every value, merge, write rows, shadows,
  audit entries and before-images, one transaction);
- baseline: plain `sqlite3.executemany` of the same rows (read from the township database) into an empty copy
  of the county database, one transaction.
The Markdown report is printed and written to benchmarks/out/bench_sync.md.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from oldcomm_desktop.core import derived, workspace  # noqa: E402
from oldcomm_desktop.core.model import Community, ItemType, RenovationItem  # noqa: E402
from oldcomm_desktop.core.sync import importer, keys  # noqa: E402
from oldcomm_desktop.core.sync.exporter import export  # noqa: E402
from oldcomm_desktop.storage.database import PAGE_CACHE_KIB, open_database  # noqa: E402

COUNTY, TOWNSHIP = "341122000000", "341122001000"


def build_township(path: Path, records: int, seed: int) -> None:
    rng = random.Random(seed)
    db = open_database(path)
    with db.transaction("基准") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP, name="城关街道")
    with db.transaction("基准") as s:
        types = [t for (t,) in s.execute(select(ItemType.id))]
        n_comm = records // 5
        now = datetime(2026, 1, 1)
        comms = []
        for i in range(n_comm):
            comms.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                    "township_code": TOWNSHIP,
                    "name": f"幸福里{i}号小区",
                    "address": f"城关街道人民路{i}号",
                    "year_built": rng.randint(1980, 2000),
                    "buildings": rng.randint(1, 30),
                    "households": rng.randint(20, 900),
                    "floor_area": Decimal(rng.randint(100000, 9000000)) / 100,
                    "plan_year": 2026,
                    "total_investment": Decimal(rng.randint(10**6, 10**9)) / 100,
                    "status": "planned",
                    "notes": "管网改造、道路硬化、加装电梯" if i % 3 == 0 else None,
                }
            )
        for c in comms:  # the derived columns a clerk's save computes (pinyin keys, status), as real data has
            c.update(derived.community_columns(c, []))
        s.execute(insert(Community), comms)
        items = []
        for j in range(records - n_comm):
            c = comms[j % n_comm]
            items.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                    "township_code": TOWNSHIP,
                    "community_id": c["id"],
                    "community_sort": c["name_sort"],
                    "item_type_id": rng.choice(types),
                    "description": "更换老旧管网",
                    "planned_quantity": Decimal(rng.randint(100, 100000)) / 100,
                    "investment": Decimal(rng.randint(10**4, 10**8)) / 100,
                    "status": "planned",
                }
            )
        s.execute(insert(RenovationItem), items)
    db.close()


def build_county(path: Path) -> None:
    db = open_database(path)
    with db.transaction("基准") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code=COUNTY, name="青禾县")
    db.close()


def introduce(township: Path, county: Path, folder: Path) -> None:
    t, c = open_database(township), open_database(county)
    for a, b, code in ((t, c, TOWNSHIP), (c, t, COUNTY)):
        with a.transaction("基准") as s:
            keys.export_public_key(s, folder / f"{code}.pub")
        with b.transaction("基准") as s:
            keys.trust(s, folder / f"{code}.pub", code)
    t.close()
    c.close()


def baseline(
    township: Path, empty_county: Path, *, landmark_triggers: bool = True, cache_kib: int | None = None
) -> tuple[float, int]:
    """Plain sqlite3: the same rows (as stored) executemany'd into an empty county database.

    `landmark_triggers=False`: without the item-landmark triggers of migration 0014 (they fire per item
    insert, in the baseline and in the import alike), to compare with the numbers measured before 0014.
    `cache_kib`: the page cache the import itself writes with (`storage.database.page_cache`, 128 MB) instead
    of SQLite's default 2 MB. With the default, 100,000 rows with random keys into the tables' indexes spill
    dirty pages and read them back: the plain write costs ~1.5-2x what it costs with the bigger cache."""
    src = sqlite3.connect(township)
    dst = sqlite3.connect(empty_county)
    if not landmark_triggers:
        from oldcomm_desktop.core.stored_landmarks import TRIGGER_NAMES

        for name in TRIGGER_NAMES:
            dst.execute(f"DROP TRIGGER IF EXISTS {name}")  # fixed names
        dst.commit()
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=FULL")
    dst.execute("PRAGMA foreign_keys=ON")
    if cache_kib:
        dst.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
    rows = {}
    for table in ("community", "renovation_item"):
        cur = src.execute(f"SELECT * FROM {table}")  # fixed names
        cols = [d[0] for d in cur.description]
        data = cur.fetchall()
        if table == "renovation_item":  # the county's own catalogue ids, as the import maps them
            t_types = dict(src.execute("SELECT id, code FROM item_type").fetchall())
            c_types = {code: i for i, code in dst.execute("SELECT id, code FROM item_type").fetchall()}
            k = cols.index("item_type_id")
            data = [(*r[:k], c_types[t_types[r[k]]], *r[k + 1 :]) for r in data]
        rows[table] = (cols, data)
    src.close()
    started = time.perf_counter()
    cpu = time.process_time()
    n = 0
    with dst:
        for table, (cols, data) in rows.items():
            marks = ",".join("?" * len(cols))
            dst.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES ({marks})", data)
            n += len(data)
    elapsed = time.perf_counter() - started
    BASELINE_CPU.append(time.process_time() - cpu)
    dst.close()
    return elapsed, n


BASELINE_CPU: list[float] = []
CACHE_KIB = PAGE_CACHE_KIB  # the page cache the import writes with


def _bare_round(township: Path, work: Path, cache_kib: int | None = None) -> float:
    """One more trigger-free baseline into a fresh copy of the empty county; its CPU seconds."""
    fresh = work / "bare_round.sqlite3"
    shutil.copy(work / "bare_before.sqlite3", fresh)
    baseline(township, fresh, landmark_triggers=False, cache_kib=cache_kib)
    for p in work.glob("bare_round.sqlite3*"):
        p.unlink()
    return BASELINE_CPU.pop()


def _import_round(work: Path, package: Path, records: int) -> float:
    """One more import of the package into a fresh copy of the county as it was before the first; its CPU s."""
    fresh = work / "county_round.sqlite3"
    shutil.copy(work / "county_before.sqlite3", fresh)
    db = open_database(fresh)
    cpu = time.process_time()
    report = importer.import_package(db, package, operator="基准")
    cpu = time.process_time() - cpu
    db.close()
    assert report.total("added") == records, report.total("added")
    for p in work.glob("county_round.sqlite3*"):
        p.unlink()
    return cpu


def _dump(profiler: cProfile.Profile, out: Path, name: str) -> None:
    prof = out / f"{name}.prof"
    profiler.dump_stats(prof)
    with (out / f"{name}.txt").open("w") as fh:
        pstats.Stats(str(prof), stream=fh).sort_stats("cumulative").print_stats(30)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", action="store_true")
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of the import and the trigger-free baseline, interleaved, each into a fresh copy; the best "
        "CPU of each is compared (CPU seconds swing ±15 %% between identical runs on a shared machine)",
    )
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench_sync"))
    try:
        t_path, c_path, raw_path = work / "township.sqlite3", work / "county.sqlite3", work / "raw.sqlite3"
        t0 = time.perf_counter()
        build_township(t_path, args.records, args.seed)
        build_county(c_path)
        shutil.copy(c_path, raw_path)
        shutil.copy(c_path, work / "raw_no_triggers.sqlite3")
        introduce(t_path, c_path, work)
        shutil.copy(c_path, work / "county_before.sqlite3")  # the extra rounds import into copies of these
        shutil.copy(work / "raw_no_triggers.sqlite3", work / "bare_before.sqlite3")
        print(f"built {args.records:,} records in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

        raw_s, raw_n = baseline(t_path, raw_path)
        bare_s, _n = baseline(t_path, work / "raw_no_triggers.sqlite3", landmark_triggers=False)
        bare_cpu = BASELINE_CPU.pop()

        db = open_database(t_path)
        exporter_profile = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if exporter_profile:
            exporter_profile.enable()
        with db.transaction("基准") as s:
            result = export(s, work, full=True)
        if exporter_profile:
            exporter_profile.disable()
            _dump(exporter_profile, args.out, "bench_sync_export")
        export_s = time.perf_counter() - started
        db.close()
        size = result.path.stat().st_size

        db = open_database(c_path)
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        import_cpu = time.process_time()
        times = os.times()
        if profiler:
            profiler.enable()
        report = importer.import_package(db, result.path, operator="基准")
        if profiler:
            profiler.disable()
        import_s = time.perf_counter() - started
        import_cpu = time.process_time() - import_cpu
        user, system = os.times().user - times.user, os.times().system - times.system
        db.close()
        assert report.total("added") == args.records == raw_n, (report.total("added"), raw_n)
        # the county answers (its package carries the receipt); the township's next export is then empty
        db = open_database(c_path)
        with db.transaction("基准") as s:
            down = export(s, work, to=TOWNSHIP)
        db.close()
        db = open_database(t_path)
        importer.import_package(db, down.path, operator="基准")
        db.close()
        db = open_database(t_path)
        started = time.perf_counter()
        with db.transaction("基准") as s:
            again = export(s, work)
        again_s = time.perf_counter() - started
        db.close()
        if profiler:
            _dump(profiler, args.out, "bench_sync_import")
        imports, bares, cached = [import_cpu], [bare_cpu], [_bare_round(t_path, work, CACHE_KIB)]
        for _round in range(args.repeat - 1):
            bares.append(_bare_round(t_path, work))
            imports.append(_import_round(work, result.path, args.records))
            cached.append(_bare_round(t_path, work, CACHE_KIB))
        lines = [
            f"# Sync package benchmark — {args.records:,} records",
            "",
            f"Machine: {platform.platform()}, Python {platform.python_version()}, {platform.processor() or '?'}; "
            f"{datetime.now():%Y-%m-%d %H:%M}. Package {size / 1024 / 1024:.1f} MB "
            f"({args.records // 5:,} communities + {args.records - args.records // 5:,} renovation items).",
            "",
            "| step | seconds | records/s | ÷ executemany |",
            "|---|---:|---:|---:|",
            f"| plain sqlite3 executemany of the same rows (baseline) | {raw_s:.2f} | {raw_n / raw_s:,.0f} | 1.0× |",
            f"| export --full (scan, write, sign, verify) | {export_s:.2f} | {args.records / export_s:,.0f} | "
            f"{export_s / raw_s:.1f}× |",
            f"| import (verify, check, merge, write, one transaction) | {import_s:.2f} | "
            f"{args.records / import_s:,.0f} | {import_s / raw_s:.1f}× |",
            f"| CPU seconds: baseline / import | {BASELINE_CPU[-1]:.2f} / {import_cpu:.2f} | – | "
            f"{import_cpu / BASELINE_CPU[-1]:.1f}× |",
            f"| import CPU: user / system seconds | {user:.2f} / {system:.2f} | – | – |",
            f"| baseline without the item-landmark triggers (0014), wall / CPU s | {bare_s:.2f} / {bare_cpu:.2f} | – | "
            f"import ÷ it: {import_s / bare_s:.1f}× wall, {import_cpu / bare_cpu:.1f}× CPU |",
            f"| trigger-free baseline with the import's 128 MB page cache, CPU s per round | "
            f"{' '.join(f'{b:.2f}' for b in cached)} | – | import best ÷ its best: "
            f"{min(imports) / min(cached):.1f}× |",
            f"| county's answer: {down.total} records echoed back | – | – | – |",
            *(
                [
                    f"| {args.repeat} rounds interleaved, CPU s: trigger-free baseline / import | "
                    f"{' '.join(f'{b:.2f}' for b in bares)} / {' '.join(f'{i:.2f}' for i in imports)} | – | "
                    f"best ÷ best: {min(imports) / min(bares):.1f}×; per round "
                    f"{', '.join(f'{i / b:.1f}×' for i, b in zip(imports, bares, strict=True))} |"
                ]
                if args.repeat > 1
                else []
            ),
            f"| township's next incremental export after the receipt ({again.total} records) | {again_s:.2f} | – | – |",
        ]
        text = "\n".join(lines) + "\n"
        print(text)
        (args.out / "bench_sync.md").write_text(text, encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
