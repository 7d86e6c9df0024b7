"""Benchmark of supervision on a county-sized ledger: occurrences, rankings, the assessment, lists.

Run on demand (it is not a test):

    python benchmarks/bench_supervision.py --db DEMO.sqlite3 [--months 12] [--requests 5]

DEMO.sqlite3 is a county demo (`oldcomm demo --communities N --db DEMO.sqlite3`); it is copied, and into
the copy go, through SQLAlchemy Core, a monthly management schedule for every community, a scored
management check per community and month for `--months` months (one in ten months skipped, so there are
missed occurrences), `--requests` residents' requests per community and 20 orders to every township.
Then it times (median of 3) what the dashboard, the 督办考核 page and the commands call. Markdown to stdout.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _median(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def fill(db, months: int, per_community: int, seed: int = 1) -> dict[str, int]:
    from sqlalchemy import insert, select

    from oldcomm_desktop.core import divisions
    from oldcomm_desktop.core.model import Community, Inspection
    from oldcomm_desktop.core.model.base import new_id, utcnow
    from oldcomm_desktop.core.model.supervision import (
        InspectionSchedule,
        OrderTarget,
        ResidentRequest,
        SupervisionOrder,
    )
    from oldcomm_desktop.core.supervision.periods import month_end

    rng = random.Random(seed)
    today = date.today()
    first = today.replace(day=1)
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    now = utcnow()
    base = {"created_at": now, "updated_at": now, "version": 1}
    with db.transaction("基准") as s:
        comms = list(s.execute(select(Community.id, Community.township_code).where(Community.deleted_at.is_(None))))
        townships = [d.code for d in divisions.townships(s)]
        schedules, checks, requests = [], [], []
        for cid, tcode in comms:
            schedules.append(
                {
                    **base,
                    "id": new_id(),
                    "township_code": tcode,
                    "community_id": cid,
                    "kind": "management",
                    "frequency": "monthly",
                    "starts_on": first,
                }
            )
            month = first
            while month <= today:
                if rng.random() > 0.1:
                    day = min(month + timedelta(days=rng.randint(0, 27)), today, month_end(month))
                    score = Decimal(rng.randint(5500, 9900)) / 100
                    checks.append(
                        {
                            **base,
                            "id": new_id(),
                            "township_code": tcode,
                            "community_id": cid,
                            "kind": "management",
                            "inspected_on": day,
                            "total_score": score,
                            "grade": "优秀"
                            if score >= 90
                            else "良好"
                            if score >= 80
                            else "合格"
                            if score >= 60
                            else "不合格",
                        }
                    )
                month = month_end(month) + timedelta(days=1)
            for _ in range(per_community):
                raised = today - timedelta(days=rng.randint(0, 365))
                replied = rng.random() < 0.8
                requests.append(
                    {
                        **base,
                        "id": new_id(),
                        "township_code": tcode,
                        "community_id": cid,
                        "topic": rng.choice(["停车难", "路灯", "噪音", "漏水"]),
                        "channel": "hotline",
                        "raised_on": raised,
                        "reply_deadline": raised + timedelta(days=15),
                        "reply": "已处理" if replied else None,
                        "replied_on": raised + timedelta(days=5) if replied else None,
                        "satisfaction": rng.choice(["satisfied", "basically", "unsatisfied"]) if replied else None,
                    }
                )
        orders, targets = [], []
        for n in range(20):
            oid, issued = new_id(), today - timedelta(days=rng.randint(0, 300))
            orders.append(
                {
                    **base,
                    "id": oid,
                    "number": f"项目督办〔{issued.year}〕{900 + n:03d}号",
                    "year": issued.year,
                    "order_type": "order",
                    "problem": "基准",
                    "requirement": "基准",
                    "issued_on": issued,
                    "deadline": issued + timedelta(days=10),
                }
            )
            for t in townships:
                state = rng.choice(["pending", "in_progress", "done", "confirmed"])
                answered = issued + timedelta(days=rng.randint(1, 20)) if state in ("done", "confirmed") else None
                targets.append(
                    {
                        **base,
                        "id": new_id(),
                        "township_code": t,
                        "order_id": oid,
                        "deadline": issued + timedelta(days=10),
                        "state": state,
                        "answered_on": answered,
                        "first_answered_on": answered,
                        "answered_at_county": False,
                    }
                )
        for table, rows in (
            (InspectionSchedule, schedules),
            (Inspection, checks),
            (ResidentRequest, requests),
            (SupervisionOrder, orders),
            (OrderTarget, targets),
        ):
            for i in range(0, len(rows), 5000):
                s.execute(insert(table), rows[i : i + 5000])
    return {
        "communities": len(comms),
        "schedules": len(schedules),
        "checks": len(checks),
        "requests": len(requests),
        "order targets": len(targets),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, type=Path)
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--requests", type=int, default=5)
    args = p.parse_args(argv)
    from oldcomm_desktop.core import overview
    from oldcomm_desktop.core.supervision import assessment, orders, requests, schedules
    from oldcomm_desktop.core.supervision.scoring.rankings import ranking
    from oldcomm_desktop.storage.database import open_database

    work = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    shutil.copyfile(args.db, work)
    db = open_database(work)
    sizes = fill(db, args.months, args.requests)
    today = date.today()
    last = today.replace(day=1) - timedelta(days=1)
    cases = {
        "dashboard counts (missed checks this year, overdue orders and replies)": overview.supervision_counts,
        "schedule occurrences, all of them": lambda s: schedules.occurrences(s),
        "schedules list (`schedule list`)": lambda s: schedules.rows(s),
        f"ranking of {last:%Y-%m}, all townships": lambda s: ranking(s, f"{last:%Y-%m}"),
        f"assessment {today.year}": lambda s: assessment.compute(s, today.year),
        "orders list": lambda s: orders.rows(s),
        "requests list": lambda s: requests.rows(s),
        "requests roll-up per community": lambda s: requests.roll_up(s),
    }
    print("| " + " · ".join(f"{k} {v:,}" for k, v in sizes.items()) + " |  |")
    print("|---|---|")
    for name, fn in cases.items():
        with db.transaction() as s:
            seconds = _median(lambda fn=fn, s=s: fn(s))
        print(f"| {name} | {seconds * 1000:,.0f} ms |")
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
