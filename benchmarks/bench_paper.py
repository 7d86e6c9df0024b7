"""Benchmark of printing: 1,000 filled patrol records as one PDF and as 1,000 files, beside a bare reportlab
page of the same text in the same run; and the print preview's first page with pypdfium2.

Run on demand (it is not a test):

    python benchmarks/bench_paper.py [--records 1000] [--out benchmarks/out]

It builds a township database with --records patrol inspections (14 checklist lines each, findings, one
rectification on every third) through the core's services, then times, in one run:

* ours, one file: `documents.print_inspections` (reading every record through the core and laying out the
  forms with platypus: tables, wrapped cells, QR codes, 第 x 页 共 y 页);
* ours, N files: `documents.render(session, "patrol", id, file)` per record;
* bare reportlab, one file and N files: the same records read through the same core call
  (`sources.inspection`), each written as a page of plain `canvas.drawString` lines of the same text in the
  same embedded font — no tables, no wrapping, no QR code. The ratio ours / bare is the price of the form.

It checks every file's fonts (the Chinese face embedded as a subset, no unembedded font) and reports the
sizes. Then the preview: pypdfium2's import, opening the 1,000-record PDF and rendering its first page at
96 dpi (what the preview shows first), in a fresh subprocess. `--wheels` also downloads the pypdfium2 and
PySide6-Addons wheels (`pip download --no-deps`) to report their sizes. Report: stdout and OUT/bench_paper.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

from oldcomm_desktop.core import catalogues, communities, inspections, projects, workspace
from oldcomm_desktop.core.paper import documents, sources
from oldcomm_desktop.core.paper.fonts import register
from oldcomm_desktop.storage.database import Database, open_database

TOWNSHIP = ("341122001000", "城关街道")


def build(path: Path, records: int) -> list[str]:
    db = open_database(path)
    ids: list[str] = []
    with db.transaction("基准") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP[0], name=TOWNSHIP[1], operator="基准")
        project = projects.create(
            s, {"name": "城关街道2025年老旧小区改造项目(一批)", "contractor": "青禾县城建工程有限公司"}
        )
        comms = [
            communities.create(s, {"name": f"幸福里小区{n}期", "project_id": project.id, "address": f"城北路{n}号"})
            for n in range(1, 21)
        ]
        tmpl = catalogues.template(s, "patrol_default")
        start = date(2025, 1, 1)
        for n in range(records):
            fail = n % 3 == 0
            results = [
                {
                    "template_item_id": it.id,
                    "area": it.area,
                    "text": it.text,
                    "result": "fail" if fail and i == 4 else "pass",
                }
                for i, it in enumerate(tmpl.items)
            ]
            day = start + timedelta(days=n % 300)
            rects = (
                [
                    {
                        "problem": "材料进场未经监理验收",
                        "requirement": "补办进场验收，不合格材料清退出场",
                        "deadline": day + timedelta(days=7),
                    }
                ]
                if fail
                else []
            )
            insp = inspections.record(
                s,
                comms[n % len(comms)],
                {
                    "kind": "patrol",
                    "inspected_on": day,
                    "inspectors": "县住建局 周工、乡镇 王敏",
                    "findings": f"第{n + 1}次巡查：现场围挡基本完好，扬尘控制措施落实，个别楼道材料堆放不规范。",
                },
                results,
                rects,
                template="patrol_default",
                today=date(2026, 1, 1),
            )
            ids.append(insp.id)
    db.close()
    return ids


def lines_of(d: dict) -> list[str]:
    """The text a patrol form shows, as plain lines (what the bare page writes)."""
    site = d["site"]
    out = [
        "质量安全巡查记录表",
        f"项目名称：{site.project}",
        f"小区名称：{site.community}　乡镇（街道）：{site.township}",
        f"小区地址：{site.address}",
        f"施工单位：{site.unit('contractor')}　监理单位：{site.unit('supervisor')}",
        f"检查日期：{d['inspected_on']}　检查人员：{d['inspectors']}",
    ]
    out += [f"{n}　{r['area'] or ''}　{r['text']}　{r['result_label']}" for n, r in enumerate(d["results"], 1)]
    out.append(f"发现问题：{d['findings'] or ''}")
    out += [f"{r['notice_no']}　{r['problem']}　{r['requirement'] or ''}　{r['deadline']}" for r in d["rectifications"]]
    out.append("检查人（签字）：　　施工项目经理（签字）：　　总监理工程师（签字）：")
    out.append(f"记录编号 {d['id']}　第 1 页 共 1 页")
    return out


def bare_page(canvas, lines: list[str], font: str) -> None:
    y = 800.0
    for line in lines:
        canvas.setFont(font, 10)
        canvas.drawString(56, y, line)
        y -= 15
    canvas.showPage()


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    """(wall, CPU) seconds since `start`: on a shared machine the CPU time is the steadier of the two."""
    return time.perf_counter() - start[0], time.process_time() - start[1]


def bare(db: Database, ids: list[str], target: Path | None, folder: Path | None) -> tuple[float, float]:
    from reportlab.pdfgen.canvas import Canvas

    font = register().name
    t = clock()
    with db.transaction() as s:
        if target is not None:
            c = Canvas(str(target), initialFontName=font, invariant=1)
            for i in ids:
                bare_page(c, lines_of(sources.inspection(s, i, ("patrol",), "巡查")), font)
            c.save()
        else:
            for n, i in enumerate(ids):
                c = Canvas(str(folder / f"{n:04d}.pdf"), initialFontName=font, invariant=1)
                bare_page(c, lines_of(sources.inspection(s, i, ("patrol",), "巡查")), font)
                c.save()
    return since(t)


def ours_one(db: Database, target: Path) -> tuple[tuple[float, float], int]:
    t = clock()
    with db.transaction() as s:
        result = documents.print_inspections(s, target, township=TOWNSHIP[0])
    return since(t), result.pages


def ours_many(db: Database, ids: list[str], folder: Path) -> tuple[float, float]:
    t = clock()
    with db.transaction() as s:
        for n, i in enumerate(ids):
            documents.render(s, "patrol", i, folder / f"{n:04d}.pdf")
    return since(t)


def fonts_ok(path: Path) -> tuple[bool, str]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    flags = [line.split()[-5:-2] for line in out]
    names = {line.split()[0].split("+")[-1] for line in out}
    return all(f == ["yes", "yes", "yes"] for f in flags) and bool(flags), ", ".join(sorted(names))


def size_of(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def first_page_probe(pdf: Path) -> str:
    code = f"""
import time
t0 = time.perf_counter()
import pypdfium2 as pdfium
t1 = time.perf_counter()
doc = pdfium.PdfDocument({str(pdf)!r})
n = len(doc)
t2 = time.perf_counter()
img = doc[0].render(scale=96 / 72).to_pil()
t3 = time.perf_counter()
print(f"{{(t1 - t0) * 1000:.1f}} {{(t2 - t1) * 1000:.1f}} {{(t3 - t2) * 1000:.1f}} {{n}} {{img.width}}x{{img.height}}")
"""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def wheel_sizes(folder: Path) -> dict[str, int]:
    essentials = metadata.version("PySide6-Essentials")
    sizes = {}
    for spec in (f"pypdfium2=={metadata.version('pypdfium2')}", f"PySide6-Addons=={essentials}"):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder), spec], check=True
        )
    for wheel in folder.glob("*.whl"):
        sizes[wheel.name] = wheel.stat().st_size
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wheels", action="store_true", help="download the two wheels to report their sizes")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench_paper-", dir=args.out))
    try:
        t = time.perf_counter()
        ids = build(work / "bench.sqlite3", args.records)
        built = time.perf_counter() - t
        db = open_database(work / "bench.sqlite3", write=False)
        register()
        rows = []
        timings: dict[str, list[tuple[float, float]]] = {k: [] for k in ("ours1", "oursN", "bare1", "bareN")}
        pages = 0
        for _ in range(args.runs):
            for d in ("ours", "bare"):
                shutil.rmtree(work / d, ignore_errors=True)
                (work / d).mkdir()
            sec, pages = ours_one(db, work / "ours.pdf")
            timings["ours1"].append(sec)
            timings["bare1"].append(bare(db, ids, work / "bare.pdf", None))
            timings["oursN"].append(ours_many(db, ids, work / "ours"))
            timings["bareN"].append(bare(db, ids, None, work / "bare"))
        med = {k: statistics.median(w for w, _c in v) for k, v in timings.items()}
        cpu = {k: statistics.median(c for _w, c in v) for k, v in timings.items()}
        ours_files = sorted((work / "ours").glob("*.pdf"))
        bare_files = sorted((work / "bare").glob("*.pdf"))
        ok1, names1 = fonts_ok(work / "ours.pdf")
        sample = [ours_files[0], ours_files[len(ours_files) // 2], ours_files[-1]]
        okN = all(fonts_ok(p)[0] for p in sample)
        font_file = register().path
        rows.append(
            ("one file", "ours1", (work / "ours.pdf").stat().st_size, "bare1", (work / "bare.pdf").stat().st_size)
        )
        rows.append((f"{len(ids):,} files", "oursN", size_of(ours_files), "bareN", size_of(bare_files)))
        probe = first_page_probe(work / "ours.pdf").split()
        db.close()
        wheels = wheel_sizes(work / "wheels") if args.wheels else {}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    mb = lambda n: f"{n / 1e6:.1f} MB"  # noqa: E731
    report = [
        f"# bench_paper: {len(ids):,} filled patrol records",
        "",
        f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · reportlab "
        f"{metadata.version('reportlab')} · pypdfium2 {metadata.version('pypdfium2')} · {date.today()} · "
        f"median of {args.runs} · records built through the services in {built:.1f} s",
        f"font: {font_file.name} ({mb(font_file.stat().st_size)}), in the PDFs: {names1}; "
        f"embedded as subset, no other font: one file {'yes' if ok1 else 'NO'}, "
        f"sampled single files {'yes' if okN else 'NO'}",
        "",
        "| output | ours: wall / CPU | size | bare reportlab page: wall / CPU | size | ratio wall / CPU |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, k_ours, s_ours, k_bare, s_bare in rows:
        report.append(
            f"| {name} | {med[k_ours]:.1f} / {cpu[k_ours]:.1f} s | {mb(s_ours)} "
            f"| {med[k_bare]:.1f} / {cpu[k_bare]:.1f} s | {mb(s_bare)} "
            f"| {med[k_ours] / med[k_bare]:.2f}× / {cpu[k_ours] / cpu[k_bare]:.2f}× |"
        )
    report += [
        "",
        f"Pages in the one file: {pages:,}; CPU per record {cpu['ours1'] / len(ids) * 1000:.1f} ms (one file), "
        f"{cpu['oursN'] / len(ids) * 1000:.1f} ms (a file each); the bare page's includes the same core read "
        f"of each record ({cpu['bare1'] / len(ids) * 1000:.1f} ms).",
        "",
        f"Preview (fresh process): import pypdfium2 {probe[0]} ms, open the {pages:,}-page PDF {probe[1]} ms, "
        f"render page 1 at 96 dpi ({probe[4]}) {probe[2]} ms.",
    ]
    if wheels:
        report.append("")
        report += [f"- wheel {name}: {mb(size)}" for name, size in sorted(wheels.items())]
    text = "\n".join(report)
    print(text)
    (args.out / "bench_paper.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
