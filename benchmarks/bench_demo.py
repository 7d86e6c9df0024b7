"""`oldcomm demo --communities N` as the CLI runs it, with the CPU per chunk: does the cost per community grow?

    /usr/bin/time -v python benchmarks/bench_demo.py --communities 20000 --db /tmp/x/demo.sqlite3
    python benchmarks/bench_demo.py --communities 20000 --db /tmp/x/demo.sqlite3 --profile /tmp/x/demo.prof

The command is `cli.main(["--db", DB, "demo", "--communities", N])` in this process; `bulk.prepare` and
`bulk.apply` are wrapped to time each chunk (CPU by `time.process_time`, wall by `time.perf_counter`), and
the chunks are printed in tenths of the run: CPU ms per community in prepare, apply and the demo's own row
making (the rest of the chunk). The part after the last chunk (index builds, full-text, categories,
landmarks, the supervision demo, commit) is printed as "end". `--profile` writes a cProfile of the whole
command (slower; for finding costs, not for the numbers). The database file must not exist yet.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--communities", type=int, default=20_000)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--profile", type=Path)
    ap.add_argument("--profile-chunks", nargs=2, type=int, metavar=("FIRST", "LAST"), help="profile these chunks only")
    ap.add_argument("--profile-end", action="store_true", help="profile only the end of the demo's one run")
    args = ap.parse_args()
    if args.db.exists():
        ap.error(f"{args.db} exists")
    from oldcomm_desktop import cli
    from oldcomm_desktop.core.importing import bulk

    chunks: list[dict[str, float]] = []
    state = {"cpu": 0.0, "wall": 0.0}
    real_prepare, real_apply = bulk.prepare, bulk.apply

    chunk_prof = cProfile.Profile(time.process_time)

    def profiled(n: int) -> bool:
        return bool(args.profile_chunks) and args.profile_chunks[0] <= n <= args.profile_chunks[1]

    def prepare(*a, **k):  # type: ignore[no-untyped-def]
        c0 = time.process_time()
        if profiled(len(chunks) + 1):
            plan = chunk_prof.runcall(real_prepare, *a, **k)
        else:
            plan = real_prepare(*a, **k)
        chunks.append({"start_cpu": state["cpu"], "make": c0 - state["cpu"], "prepare": time.process_time() - c0})
        chunks[-1]["communities"] = len(plan.outcomes.get("community", []))
        return plan

    def apply(*a, **k):  # type: ignore[no-untyped-def]
        c0 = time.process_time()
        out = chunk_prof.runcall(real_apply, *a, **k) if profiled(len(chunks)) else real_apply(*a, **k)
        c1 = time.process_time()
        chunks[-1]["apply"] = c1 - c0
        if k.get("event", True):  # not one of demo.build's chunks (the supervision demo's one write)
            chunks.pop()
        else:
            state["cpu"] = c1
        return out

    bulk.prepare, bulk.apply = prepare, apply  # type: ignore[assignment]
    real_one_run = bulk.one_run
    run_end = {"cpu": 0.0}

    @contextlib.contextmanager
    def one_run(session):  # type: ignore[no-untyped-def]
        with contextlib.ExitStack() as stack:
            stack.enter_context(real_one_run(session))
            yield
            c0 = time.process_time()
            if args.profile_end:
                chunk_prof.enable()
            stack.close()  # the run's end: indexes, full text, categories, sort keys, landmarks
            if args.profile_end:
                chunk_prof.disable()
            run_end["cpu"] = time.process_time() - c0

    bulk.one_run = one_run  # type: ignore[assignment]
    argv = ["--db", str(args.db), "demo", "--communities", str(args.communities)]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    state["cpu"] = cpu0
    if args.profile and not (args.profile_chunks or args.profile_end):
        prof = cProfile.Profile(time.process_time)  # CPU: the machine is shared, wall time is noise
        code = prof.runcall(cli.main, argv)
        prof.dump_stats(str(args.profile))
    else:
        code = cli.main(argv)
    if args.profile_chunks or args.profile_end:
        assert args.profile
        chunk_prof.dump_stats(str(args.profile))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    end = time.process_time() - state["cpu"]
    n = args.communities
    print(f"exit {code}; {n:,} communities: wall {wall:.1f} s, CPU {cpu:.1f} s ({cpu / n * 1000:.2f} ms each)")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    if args.db.exists():
        print(f"file {args.db.stat().st_size / 1e9:.2f} GB")
    print("| part of the run | communities | make | prepare | apply | all (CPU ms per community) |")
    print("|---|---:|---:|---:|---:|---:|")
    tenth = max(1, len(chunks) // 10)
    for i in range(0, len(chunks), tenth):
        part = chunks[i : i + tenth]
        k = sum(c["communities"] for c in part) or 1
        mk, pr, ap_ = (sum(c[x] for c in part) / k * 1000 for x in ("make", "prepare", "apply"))
        print(f"| chunks {i + 1}–{i + len(part)} | {k:,} | {mk:.2f} | {pr:.2f} | {ap_:.2f} | {mk + pr + ap_:.2f} |")
    print(
        f"end (after the last chunk): {end:.1f} CPU s, of which the one run's end {run_end['cpu']:.1f}"
        " (the rest: the supervision demo, commit)"
    )
    return code


if __name__ == "__main__":
    raise SystemExit(main())
