"""`oldcomm catalogue`: the county's catalogues from the command line, as 设置 edits them in the window.

oldcomm catalogue list [--kind item-types|funding-sources] [--search TEXT] [--json]      read only
oldcomm catalogue add --kind item-types --category 基础类 --unit 米 NAME
oldcomm catalogue add --kind funding-sources [--parent SOURCE] [--needs-note] NAME
oldcomm catalogue rename --kind K ENTRY NEW_NAME [--unit U] [--if-version N]
oldcomm catalogue retire|unretire|delete --kind K ENTRY [--if-version N]

ENTRY is an entry's code, record id or (Chinese) name. The writes are the core's own functions
(core/catalogue_editing.py, core/funding_catalogue.py), so the same rules hold: a county database only, no
empty or duplicate names, an entry in use is never deleted (retire it), and each change is recorded in the
audit log under the operator. `--if-version` refuses the change if someone changed the entry since the
version a script read with `list --json`. A refused change writes nothing.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from oldcomm_desktop.cli import EXIT_OK, UsageError, _int_arg, _open, _ready

ITEM_TYPES, FUNDING_SOURCES = "item-types", "funding-sources"
KINDS = (ITEM_TYPES, FUNDING_SOURCES)
LABELS = {ITEM_TYPES: "改造内容类型", FUNDING_SOURCES: "资金来源"}
KIND_HELP = "item-types（改造内容目录）或 funding-sources（资金来源目录）"


def add_parsers(sub: Any, add_db: Callable[[argparse.ArgumentParser], None]) -> dict[str, Callable]:
    p = sub.add_parser("catalogue", help="查看和维护改造内容目录、资金来源目录（修改仅限县级数据库）")
    add_db(p)
    cs = p.add_subparsers(dest="catalogue_command", required=True, parser_class=type(p))

    q = cs.add_parser("list", help="列出目录（只读）；不给 --kind 时两个目录都列")
    add_db(q)
    q.add_argument("--kind", choices=KINDS, help=KIND_HELP)
    q.add_argument("--search", default="", metavar="TEXT", help="按名称或拼音首字母筛选")
    q.add_argument("--json", action="store_true", help="以 JSON 输出（含每条的版本号）")

    def write_parser(name: str, help_text: str) -> argparse.ArgumentParser:
        w = cs.add_parser(name, help=help_text)
        add_db(w)
        w.add_argument("--kind", choices=KINDS, required=True, help=KIND_HELP)
        w.add_argument("--operator", help="操作员姓名（记入修改记录；默认：命令行和登录名）")
        return w

    w = write_parser("add", "添加一个目录条目")
    w.add_argument("name", metavar="NAME", help="名称")
    w.add_argument("--category", help="改造内容类型的类别（如 基础类）")
    w.add_argument("--unit", help="改造内容类型的自然单位（如 米、个、处）")
    w.add_argument("--parent", metavar="SOURCE", help="资金来源的上级来源（不给则为一级来源）")
    w.add_argument("--needs-note", action="store_true", help="资金来源须写明具体来源（如“其他”）")
    w = write_parser("rename", "给目录条目改名")
    w.add_argument("entry", metavar="ENTRY", help="条目的代码、编号或名称")
    w.add_argument("new_name", metavar="NEW_NAME", help="新名称")
    w.add_argument("--unit", help="改造内容类型的新单位")
    w.add_argument("--if-version", type=_version, metavar="N", help="只有条目仍是第 N 版时才修改")
    for name, text in (
        ("retire", "停用条目：不再用于新的记录，已有的照常保留"),
        ("unretire", "重新启用已停用的条目"),
        ("delete", "删除没有使用过的条目（已使用的请停用）"),
    ):
        w = write_parser(name, text)
        w.add_argument("entry", metavar="ENTRY", help="条目的代码、编号或名称")
        w.add_argument("--if-version", type=_version, metavar="N", help="只有条目仍是第 N 版时才修改")
    return {"catalogue": cmd_catalogue}


def _version(text: str) -> int:
    value = _int_arg(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"“{text}”不是有效的版本号（正整数）")
    return value


def _rows(session: Any, kind: str, search: str = "") -> list[dict[str, Any]]:
    if kind == ITEM_TYPES:
        from oldcomm_desktop.core import catalogue_editing

        return catalogue_editing.listing(session, search=search)
    from oldcomm_desktop.core import funding_catalogue

    return funding_catalogue.listing(session, search=search)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """A row as `list --json` gives it: the facts, not the page's display helpers."""
    return {k: v for k, v in row.items() if k not in ("order", "shown_name")}


def _entry(session: Any, kind: str, ref: str) -> str:
    """The record id of the entry a clerk named by code, id or name; the ref itself when none matches (the
    core then says the catalogue has no such entry)."""
    ref = ref.strip()
    for key in ("code", "id", "name"):
        for row in _rows(session, kind):
            if str(row[key]) == ref:
                return str(row["id"])
    return ref


def cmd_catalogue(args: argparse.Namespace) -> int:
    if args.catalogue_command == "list":
        return _list(args)
    kind = args.kind
    with _open(args) as db, db.transaction() as s:
        _ready(s)
        version = getattr(args, "if_version", None)
        if args.catalogue_command == "add":
            text = _add(s, args)
        else:
            rid = _entry(s, kind, args.entry)
            name = _name_of(s, kind, rid) or args.entry.strip()
            text = _change(s, kind, args, rid, name, version)
    print(text)
    return EXIT_OK


def _name_of(session: Any, kind: str, rid: str) -> str:
    return next((str(r["name"]) for r in _rows(session, kind) if str(r["id"]) == rid), "")


def _add(s: Any, args: argparse.Namespace) -> str:
    if args.kind == ITEM_TYPES:
        from oldcomm_desktop.core import catalogue_editing

        if args.parent or args.needs_note:
            raise UsageError("--parent 和 --needs-note 只用于资金来源（--kind funding-sources）")
        if not args.category or args.unit is None:
            raise UsageError("添加改造内容类型请给出 --category（类别）和 --unit（自然单位）")
        t = catalogue_editing.add(s, args.category, args.name, args.unit)
        return f"已添加改造内容类型“{t.name}”（{t.unit}，代码 {t.code}）"
    from oldcomm_desktop.core import funding_catalogue

    if args.category or args.unit is not None:
        raise UsageError("--category 和 --unit 只用于改造内容类型（--kind item-types）")
    parent = _entry(s, FUNDING_SOURCES, args.parent) if args.parent else None
    source = funding_catalogue.add(s, parent, args.name, needs_note=args.needs_note)
    return f"已添加资金来源“{source.name}”（代码 {source.code}）"


def _change(s: Any, kind: str, args: argparse.Namespace, rid: str, name: str, version: int | None) -> str:
    from oldcomm_desktop.core import catalogue_editing, funding_catalogue

    command = args.catalogue_command
    core: Any = catalogue_editing if kind == ITEM_TYPES else funding_catalogue
    label = LABELS[kind]
    if command == "rename":
        if kind == FUNDING_SOURCES and args.unit is not None:
            raise UsageError("--unit 只用于改造内容类型（--kind item-types）")
        if kind == ITEM_TYPES:
            entry = core.rename(s, rid, args.new_name, args.unit, expected_version=version)
        else:
            entry = core.rename(s, rid, args.new_name, expected_version=version)
        return f"已将{label}“{name}”改名为“{entry.name}”"
    if command == "retire":
        if kind == ITEM_TYPES and not _active(s, kind, rid, name):
            raise _already(f"{label}“{name}”已经停用")
        core.retire(s, rid, expected_version=version)
        return f"已停用{label}“{name}”：不再用于新的记录，已有的照常保留"
    if command == "unretire":
        if kind == ITEM_TYPES and _active(s, kind, rid, name):
            raise _already(f"{label}“{name}”正在使用，无需启用")
        core.unretire(s, rid, expected_version=version)
        return f"已启用{label}“{name}”"
    core.delete(s, rid, expected_version=version)
    return f"已删除{label}“{name}”"


def _active(s: Any, kind: str, rid: str, name: str) -> bool:
    row = next((r for r in _rows(s, kind) if str(r["id"]) == rid), None)
    if row is None:
        from oldcomm_desktop.core.errors import ValidationError

        raise ValidationError(f"目录中没有“{name}”")
    return bool(row["active"])


def _already(text: str) -> Exception:
    from oldcomm_desktop.core.errors import ValidationError

    return ValidationError(text)


def _list(args: argparse.Namespace) -> int:
    kinds = (args.kind,) if args.kind else KINDS
    with _open(args, write=False) as db, db.transaction() as s:  # a read never writes
        _ready(s)
        found = {kind: _rows(s, kind, args.search) for kind in kinds}
    if args.json:
        data: Any = (
            [_public(r) for r in found[args.kind]]
            if args.kind
            else {kind: [_public(r) for r in rows] for kind, rows in found.items()}
        )
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
        return EXIT_OK
    for n, kind in enumerate(kinds):
        if n:
            print()
        rows = found[kind]
        print(f"{'改造内容目录' if kind == ITEM_TYPES else '资金来源目录'}（{len(rows):,} 条）")
        for r in rows:
            if kind == ITEM_TYPES:
                uses = f"{r['uses']:,} 项" if r["uses"] else ""
                print("\t".join((r["code"], r["category"], r["name"], r["unit"], r["state"], uses)).rstrip())
            else:
                uses = f"{r['uses']:,} 笔" if r["uses"] else ""
                print("\t".join((r["code"], r["shown_name"], r["kind"], r["state"], uses)).rstrip())
    return EXIT_OK
