"""`oldcomm briefing`: the meeting briefing (工作汇报) as .docx or .txt, with the rows behind it beside."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from oldcomm_desktop.cli import EXIT_OK, UsageError, _open, _ready


def add_parsers(sub, add_db) -> dict:
    p = sub.add_parser("briefing", help="工作汇报：截至某日的完成情况（.docx 或 .txt，另附明细 .xlsx）")
    add_db(p)
    p.add_argument("--date", help="截至日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--township", help="乡镇（街道）12 位代码（默认：本库范围）")
    p.add_argument("--out", type=Path, required=True, help="FILE.docx 或 FILE.txt")
    return {"briefing": cmd_briefing}


def cmd_briefing(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.returns import briefing

    day = None
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date “{args.date}”不是有效日期，应写作 YYYY-MM-DD") from None
        if day > date.today():
            raise UsageError(f"--date {day} 晚于今天")
    if args.out.suffix.lower() not in (".docx", ".txt"):
        raise UsageError("--out 应以 .docx 或 .txt 结尾")
    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        b = briefing.build(s, day=day, township=args.township)
    files = briefing.write(b, args.out)
    print(b.headline)
    print("已生成：" + "，".join(str(f) for f in files))
    return EXIT_OK
