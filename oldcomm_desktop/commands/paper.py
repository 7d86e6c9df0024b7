"""`oldcomm print`: a form as PDF, filled from a record or blank for use on site, or a month's inspections.

    oldcomm print FORM (--id UUID | --blank) --out FILE.pdf
    oldcomm print inspections --period YYYY-MM [--township CODE] --out FILE.pdf

The ids come from `oldcomm list` (inspections for patrol and scorecard, rectifications for notice and
reinspection, communities for the community's papers).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from oldcomm_desktop.core.paper.documents import FORMS

EXIT_OK = 0


def add_parsers(sub: argparse._SubParsersAction, add_db: Callable[[argparse.ArgumentParser], None]) -> dict:
    forms = "；".join(f"{code} {spec.title}" for code, spec in FORMS.items())
    p = sub.add_parser(
        "print",
        help="打印表单为 PDF（巡查记录、整改通知、评分表、小区档案等）",
        description=f"表单：{forms}；inspections 批量打印一个月（或一个乡镇）的检查记录。",
    )
    add_db(p)
    p.add_argument("form", choices=[*FORMS, "inspections"], metavar="FORM", help="表单名称，或 inspections")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--id", help="记录编号（见 oldcomm list）")
    which.add_argument("--blank", action="store_true", help="打印空白表（现场填写用）")
    p.add_argument("--period", help="批量打印的月份，如 2026-05")
    p.add_argument("--township", help="批量打印的乡镇代码（12 位）")
    p.add_argument("--out", required=True, type=Path, help="输出的 PDF 文件")
    return {"print": cmd_print}


def cmd_print(args: argparse.Namespace) -> int:
    from oldcomm_desktop.cli import UsageError, _open, _ready
    from oldcomm_desktop.core.paper import documents

    if args.form == "inspections":
        if args.id or args.blank:
            raise UsageError("批量打印 inspections 不用 --id 或 --blank，请给出 --period（和/或 --township）")
        if not args.period and not args.township:
            raise UsageError("批量打印请给出 --period YYYY-MM（和/或 --township 乡镇代码）")
        with _open(args, write=False) as db, db.transaction() as s:
            _ready(s)
            result = documents.print_inspections(s, args.out, period=args.period, township=args.township)
        print(f"已打印 {result.inspections} 条检查记录，共 {result.pages} 页 → {args.out}")
        return EXIT_OK
    if args.period or args.township:
        raise UsageError("--period 和 --township 只用于批量打印 inspections")
    if not args.id and not args.blank:
        raise UsageError("请给出 --id 记录编号，或 --blank 打印空白表")
    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        documents.render(s, args.form, args.id if not args.blank else None, args.out)
    kind = "空白表" if args.blank else f"记录 {args.id}"
    print(f"已打印{FORMS[args.form].title}（{kind}）→ {args.out}", file=sys.stdout)
    return EXIT_OK
