"""`oldcomm sync`: exchange packages (.ocpkg) between a township and its county.

oldcomm sync export --out DIR [--full] [--to CODE]   write one package, print its file name
oldcomm sync import PKG [--dry-run]                  verify and apply (or only show) a package
oldcomm sync conflicts [--json] [--all]              fields both sides changed, with both values and times
oldcomm sync resolve ID --keep ours|theirs           decide a conflict (or --value JSON to type a new value)
oldcomm sync history [--json]                        every imported package
oldcomm sync rollback ID                             undo one import
oldcomm sync status [--json]                         county: each township's last package, key, what is missing
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from oldcomm_desktop.cli import EXIT_OK, UsageError, _open, _ready
from oldcomm_desktop.core.errors import OldcommError

WHAT = {"added": "新增", "changed": "修改", "deleted": "删除", "restored": "恢复", "conflicts": "冲突"}


def add_parsers(sub, add_db) -> dict:
    p = sub.add_parser("sync", help="数据包：乡镇与县之间导出、导入、处理冲突、查看和回滚导入")
    add_db(p)
    ss = p.add_subparsers(dest="sync_command", required=True, parser_class=type(p))
    q = ss.add_parser("export", help="导出数据包（默认只含对方尚未确认收到的修改）")
    add_db(q)
    q.add_argument("--out", type=Path, required=True, metavar="DIR")
    q.add_argument("--full", action="store_true", help="导出全部记录")
    q.add_argument("--to", metavar="CODE", help="接收单位代码（县级导出时必填：乡镇代码）")
    q = ss.add_parser("import", help="导入数据包")
    add_db(q)
    q.add_argument("package", type=Path, metavar="PKG")
    q.add_argument("--dry-run", action="store_true", help="只显示将要发生的变化，不修改数据库")
    q.add_argument("--json", action="store_true")
    q = ss.add_parser("conflicts", help="列出同步冲突")
    add_db(q)
    q.add_argument("--json", action="store_true")
    q.add_argument("--all", action="store_true", help="包括已处理的")
    q = ss.add_parser("resolve", help="处理一个冲突")
    add_db(q)
    q.add_argument("id", metavar="ID")
    q.add_argument("--keep", choices=["ours", "theirs"])
    q.add_argument("--value", metavar="JSON", help='改为这个值（JSON，如 120 或 "文字" 或 null）')
    q = ss.add_parser("history", help="数据包导入记录")
    add_db(q)
    q.add_argument("--json", action="store_true")
    q = ss.add_parser("rollback", help="回滚一次导入")
    add_db(q)
    q.add_argument("id", metavar="ID")
    q = ss.add_parser("status", help="县级：各乡镇最近的数据包、公钥、冲突和缺少的内容")
    add_db(q)
    q.add_argument("--json", action="store_true")
    return {"sync": cmd_sync}


def cmd_sync(args: argparse.Namespace) -> int:
    handler = {
        "export": _export,
        "import": _import,
        "conflicts": _conflicts,
        "resolve": _resolve,
        "history": _history,
        "rollback": _rollback,
        "status": _status,
    }[args.sync_command]
    return handler(args)


def _export(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.sync.exporter import export

    with _open(args) as db, db.transaction() as s:
        _ready(s)
        result = export(s, args.out, to=args.to, full=args.full)
    print(result.path.name)
    parts = "，".join(f"{n} 条{_label(t)}" for t, n in result.counts.items()) or "没有新的修改"
    extra = f"；目录 {result.catalogue} 条" if result.catalogue else ""
    files = f"；附件 {result.attachments} 个" if result.attachments else ""
    print(f"{'完整' if result.full else '增量'}数据包，发给 {result.recipient}：{parts}{extra}{files}", file=sys.stderr)
    if result.missing_files:
        print(f"提醒：{len(result.missing_files)} 个附件文件在本机找不到，未能放入数据包", file=sys.stderr)
    return EXIT_OK


def _label(table: str) -> str:
    from oldcomm_desktop.core.record_names import TABLE_LABELS

    return TABLE_LABELS.get(table, table)


def _import(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.sync import importer, rectification_news

    with _open(args) as db:
        with db.transaction() as s:
            _ready(s)
        report = importer.import_package(db, args.package, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=1, default=str))
        return EXIT_OK
    head = "预览（未修改数据库）" if report.dry_run else "已导入"
    print(
        f"{head}：{report.file_name}，来自 {report.sender_name} {report.sender_code}，生成于 {report.created_at[:19]}"
    )
    for table, c in report.tables.items():
        shown = "，".join(f"{WHAT[k]} {getattr(c, k)}" for k in WHAT if getattr(c, k))
        print(f"  {_label(table)}：{shown or '无变化'}")
    if report.catalogue_changed:
        print(f"  目录：更新 {report.catalogue_changed} 条")
    if not report.tables and not report.catalogue_changed:
        print("  没有需要导入的修改")
    if report.imported_before is not None:
        print(f"这个数据包已于 {report.imported_before:%Y-%m-%d %H:%M}（UTC）导入过；再次导入不会重复写入任何内容")
    if report.conflicts:
        print(
            f"有 {len(report.conflicts)} 处冲突（两边都改了同一字段），"
            + (
                "导入时会保留本方的值并记录，由您决定（这次是预览，没有记录）"
                if report.dry_run
                else "已保留本方的值并记录；用 oldcomm sync conflicts 查看"
            )
        )
    if report.released:
        print(f"有 {len(report.released)} 条因所属记录已删除而暂存的记录，所属记录已恢复，已自动写入")
    if report.left_out:
        print(
            f"有 {len(report.left_out)} 条乡镇交回的县里审核或督办记录及其答复（恢复备份或重装前所做）没有导入："
            + "、".join(report.left_out[:5])
            + ("等" if len(report.left_out) > 5 else "")
            + "；请核对后在本库重新下发或审核"
        )
    if report.not_taken:
        print(
            f"县里没有采用本乡镇（街道）上报的 {len(report.not_taken)} 条督办答复（县里已没有它们所属的督办，"
            "可能县里的数据库从备份恢复过）："
            + "、".join(report.not_taken[:5])
            + ("等" if len(report.not_taken) > 5 else "")
            + "；本库的答复都还在，请联系县里重新下发督办后再答复"
        )
    for line in rectification_news.lines(report.reopened, report.closed, dry_run=report.dry_run):
        print(line)
    if report.import_id:
        print(f"导入编号：{report.import_id}（可用 oldcomm sync rollback 回滚）")
    return EXIT_OK


def _conflicts(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.sync import choices, conflicts

    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        rows = conflicts.listing(s, status=None if args.all else "open")
    for c in rows:
        c["choices"] = choices.explain(c) if c["status"] == "open" else {}
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for c in rows:
        print(f"{c['id']}  {c['record']}（{c['table']} {c['record_id']}）  字段：{c['field_label']}（{c['field']}）")
        print(f"    本方：{conflicts.shown(c['ours'], c['field'])}{_when(c['ours_at'])}")
        print(f"    对方 {c['peer']}：{conflicts.shown(c['theirs'], c['field'])}{_when(c['theirs_at'])}")
        if c.get("note"):
            print(f"    说明：{c['note']}")
        for key, option in (("ours", "--keep ours"), ("theirs", "--keep theirs"), ("edit", "--value JSON")):
            if c["choices"].get(key):
                print(f"    {option}  {c['choices'][key]}")
        if c["status"] != "open":
            print(f"    状态：{conflicts.STATUS_LABELS.get(c['status'], c['status'])}")
    print(f"共 {len(rows)} 个冲突")
    return EXIT_OK


def _when(at: str | None) -> str:
    """（2026-12-03 10:00:00）, or nothing for a side with no time (a record new here has no time of ours)."""
    return f"（{at[:19].replace('T', ' ')}）" if at else ""


def _resolve(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.sync import conflicts

    if bool(args.keep) == (args.value is not None):
        raise UsageError("请给出 --keep ours|theirs 或 --value JSON（二选一）")
    value = None
    if args.value is not None:
        try:
            value = json.loads(args.value)
        except json.JSONDecodeError:
            raise UsageError('--value 应为 JSON，例如 120、"文字" 或 null') from None
    with _open(args) as db, db.transaction() as s:
        _ready(s)
        c = conflicts.resolve(s, args.id, args.keep, value=value, edit=args.value is not None)
        print(f"已处理冲突 {c.id}：{conflicts.STATUS_LABELS[c.status]}（下次导出时发给对方）")
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.sync import history

    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        rows = history.history(s)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for h in rows:
        state = "已回滚" if h["status"] == "rolled_back" else "已导入"
        print(
            f"{h['id']}  {h['imported_at'][:19]}  来自 {h['sender']}  {state}  新增 {h['added']}  修改 {h['changed']}"
            f"  删除 {h['deleted']}  冲突 {h['conflicts']}  目录 {h['catalogue']}  {h['file'] or ''}"
        )
    print(f"共 {len(rows)} 次导入")
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.sync import history

    with _open(args) as db, db.transaction() as s:
        _ready(s)
        n = history.rollback(s, args.id)
    print(f"已回滚这次导入（{n} 条记录恢复到导入前）；对方下次会重新发送这些修改")
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core import workspace
    from oldcomm_desktop.core.sync import status

    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        if workspace.mode(s) != workspace.COUNTY:
            raise OldcommError("sync status 用于县级数据库（列出各乡镇的数据包情况）")
        rows = status.townships(s)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for r in rows:
        key = f"已登记 {r['fingerprint']}" if r["trusted"] else "未登记"
        print(f"{r['code']} {r['name']}  公钥：{key}  最近数据包：{r['last_package_at'] or '无'}  {r['missing']}")
    return EXIT_OK
