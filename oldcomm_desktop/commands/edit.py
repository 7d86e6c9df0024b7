"""`oldcomm edit community|project|item ID FIELD=VALUE… [--if-version N] [--confirm]`.

Changes fields through the same services (and so the same validation and audit log) as the window. With
`--if-version`, the change is refused unless the record is still at that version — what a script that
read `oldcomm list … --json` (which carries each record's `version`) needs to never overwrite a clerk's edit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from oldcomm_desktop.core.errors import ConfirmationNeeded, ValidationError

KINDS = ("community", "project", "item")
LABELS = {"community": "小区", "project": "项目", "item": "改造内容"}


def add_parsers(sub: Any, add_db: Callable[[argparse.ArgumentParser], None]) -> dict[str, Callable]:
    p = sub.add_parser(
        "edit",
        help="修改一条记录的字段（与窗口相同的检查，记入修改记录）",
        description="例：oldcomm edit community 幸福里小区 households=120 --if-version 3",
    )
    add_db(p)
    p.add_argument("kind", choices=KINDS, help="community（小区）、project（项目）或 item（改造内容）")
    p.add_argument("record", metavar="ID", help="记录编号（小区和项目也可用名称）")
    p.add_argument("changes", nargs="+", metavar="FIELD=VALUE", help="要修改的字段；VALUE 为空表示清空")
    p.add_argument("--if-version", type=_version, metavar="N", help="只有记录仍是第 N 版时才修改")
    p.add_argument("--confirm", action="store_true", help="确认不寻常但可能正确的值（如超过计划的工程量）")
    p.add_argument("--operator", help="操作员姓名（记入修改记录；默认：命令行和登录名）")
    return {"edit": cmd_edit}


def _version(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise argparse.ArgumentTypeError(f"“{text}”不是有效的版本号（正整数）")
    return int(text)


def parse_assignments(pairs: list[str]) -> dict[str, str | None]:
    """FIELD=VALUE pairs as a changes mapping; an empty VALUE clears the field."""
    from oldcomm_desktop.cli import UsageError

    changes: dict[str, str | None] = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        field = field.strip()
        if not sep or not field:
            raise UsageError(f"“{pair}”应写成 字段=值（如 households=120）")
        if field in changes:
            raise UsageError(f"字段 {field} 写了两次")
        changes[field] = value if value != "" else None
    return changes


def cmd_edit(args: argparse.Namespace) -> int:
    from oldcomm_desktop.cli import EXIT_OK, _open, _ready, default_operator
    from oldcomm_desktop.core import communities, items, projects, records
    from oldcomm_desktop.core.model import Community, Project, RenovationItem

    changes = parse_assignments(args.changes)
    spec = {"community": communities.FIELDS, "project": projects.FIELDS, "item": items.FIELDS}[args.kind]
    unknown = [f for f in changes if f not in spec]
    if unknown:
        raise ValidationError(f"{LABELS[args.kind]}没有可以修改的字段 {'、'.join(unknown)}（可改：{', '.join(spec)}）")
    with _open(args) as db, db.transaction(args.operator or default_operator()) as s:
        _ready(s)
        if args.kind == "community":
            record_id = communities.find(s, args.record).id
            before = records.get(s, Community, record_id)
            update: Callable[..., Any] = communities.update
        elif args.kind == "project":
            record_id = projects.find(s, args.record).id
            before = records.get(s, Project, record_id)
            update = projects.update
        else:
            before = records.get_writable(s, RenovationItem, args.record, "修改改造内容")  # names a binned community
            record_id = before.id
            update = items.update
        old = {f: getattr(before, f) for f in changes}
        kw: dict[str, Any] = {"expected_version": args.if_version}
        if args.kind != "project":
            kw["confirm"] = args.confirm
        try:
            obj = update(s, record_id, changes, **kw)
        except ConfirmationNeeded as exc:
            hint = exc.problem.message + "（确认请加 --confirm）"
            raise ConfirmationNeeded(exc.problem.field, exc.problem.label, hint) from None
        new = {f: getattr(obj, f) for f in changes}
        version = obj.version
    shown = "；".join(f"{spec[f].label} {_text(old[f])} → {_text(new[f])}" for f in changes if old[f] != new[f])
    print(f"已修改{LABELS[args.kind]} {record_id}（现为第 {version} 版）：{shown or '没有变化'}")
    if not shown:
        print("（值与原来相同，没有修改）", file=sys.stderr)
    return EXIT_OK


def _text(value: object) -> str:
    return "（空）" if value is None else str(value)
