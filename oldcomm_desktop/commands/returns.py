"""`oldcomm return …`: produce, check, submit and review the returns sent upward.

Both documented forms go through one subcommand whose first word is a return's kind or an action:

    oldcomm return progress --period 2026-05 [--township CODE] [--template T.xlsx] --out FILE.xlsx
    oldcomm return check progress --period 2026-05 [--json]
    oldcomm return submit|approve|send-back|reopen progress --period 2026-05 [--township CODE] [--opinion|--reason …]
    oldcomm return history [--kind K] [--period P] [--township CODE] [--json]
    oldcomm return compare progress --period 2026-05 [--township CODE] [--json]
    oldcomm return archive progress --period 2026-05 [--township CODE] --out FILE.xlsx
    oldcomm return completeness progress --period 2026-05 [--json]
    oldcomm return county progress --period 2026-05 --out FILE.xlsx
    oldcomm return note progress --period 2026-05 --record ID --field F [--rule R] [--explanation …] [--comment …]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from oldcomm_desktop.cli import EXIT_OK, EXIT_REJECTED, UsageError, _open, _ready
from oldcomm_desktop.core.errors import OldcommError

KIND_NAMES = ("progress", "items", "funding", "rectification")
ACTIONS = (
    "check",
    "submit",
    "approve",
    "send-back",
    "reopen",
    "history",
    "compare",
    "archive",
    "completeness",
    "county",
    "note",
)


def add_parsers(sub, add_db) -> dict:
    p = sub.add_parser(
        "return",
        help="报表：生成、审核、上报、审核通过/退回、历史",
        description="生成月报表（progress 进度、items 改造内容、funding 资金、rectification 检查整改），"
        "或对报表执行 check/submit/approve/send-back/reopen/history/compare/archive/completeness/county/note",
    )
    add_db(p)
    p.add_argument("what", metavar="KIND|ACTION", choices=(*KIND_NAMES, *ACTIONS))
    p.add_argument("kind", nargs="?", metavar="KIND", help="报表种类（动作后面）")
    p.add_argument("--period", help="报表期间 YYYY-MM（1 月至该月累计）")
    p.add_argument("--township", help="乡镇（街道）12 位代码（县级模式）")
    p.add_argument("--template", type=Path, help="县里下发的 .xlsx 模板")
    p.add_argument("--out", type=Path, help="输出文件")
    p.add_argument("--operator", help="操作员姓名")
    p.add_argument("--opinion", help="审核意见（退回时必填）")
    p.add_argument("--reason", help="重新打开的原因")
    p.add_argument("--json", action="store_true")
    p.add_argument("--record", help="行的记录编号（note）")
    p.add_argument("--field", help="字段代码（note）")
    p.add_argument("--rule", help="审核规则代码（note）")
    p.add_argument("--explanation", help="对提示的说明（note）")
    p.add_argument("--comment", help="批注（note）")
    p.add_argument(
        "--follow-up",
        dest="follow_up",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="标记（或取消）需跟进",
    )
    return {"return": cmd_return}


def _period(args: argparse.Namespace):
    from oldcomm_desktop.core.returns.periods import Period

    if not args.period:
        raise UsageError("请给出 --period YYYY-MM")
    return Period.parse(args.period, label="--period")


def _kind(args: argparse.Namespace) -> str:
    if args.what in KIND_NAMES:
        if args.kind:
            raise UsageError(f"多余的参数“{args.kind}”")
        return args.what
    if not args.kind:
        raise UsageError(f"请在 {args.what} 后写报表种类：{'、'.join(KIND_NAMES)}")
    if args.kind not in KIND_NAMES:
        raise UsageError(f"报表种类“{args.kind}”不认识，可选：{'、'.join(KIND_NAMES)}")
    return args.kind


def _dump(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def cmd_return(args: argparse.Namespace) -> int:
    what = args.what
    if what == "history":
        return _history(args)
    kind = _kind(args)
    period = _period(args)
    if what in KIND_NAMES:
        return _produce(args, kind, period)
    return {
        "check": _check,
        "submit": _submit,
        "approve": _decide,
        "send-back": _decide,
        "reopen": _decide,
        "compare": _compare,
        "archive": _archive,
        "completeness": _completeness,
        "county": _county,
        "note": _note,
    }[what](args, kind, period)


def _produce(args: argparse.Namespace, kind: str, period) -> int:
    from oldcomm_desktop.core.returns import export

    if not args.out:
        raise UsageError("请给出 --out FILE.xlsx")
    if args.out.suffix.lower() != ".xlsx":
        raise UsageError("--out 应以 .xlsx 结尾")
    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        produced = export.produce(
            s, kind, period, args.out, township=args.township, template=args.template, operator=_who(args)
        )
    print(f"已生成 {produced.title}：{produced.rows} 行 → {args.out}")
    for note in produced.totals.notes:
        print(f"注：{note}", file=sys.stderr)
    return EXIT_OK


def _check(args: argparse.Namespace, kind: str, period) -> int:
    from oldcomm_desktop.core.returns import checks

    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        result = checks.run(s, kind, period, township=args.township)
    if args.json:
        _dump(result.as_json())
    else:
        for f in result.findings:
            print(str(f) + (f"（说明：{f.explanation}）" if f.explanation else ""))
        print(
            f"审核完成：{len(result.errors)} 个错误，{len(result.warnings)} 个提示"
            + ("" if result.can_submit else "；有错误，不能上报")
        )
    return EXIT_OK if result.can_submit else EXIT_REJECTED


def _submit(args: argparse.Namespace, kind: str, period) -> int:
    from oldcomm_desktop.core.returns import review

    with _open(args) as db, db.transaction(_who(args)) as s:
        _ready(s)
        sub = review.submit(s, kind, period, township=args.township, operator=_who(args), template=args.template)
        rounds = sub.rounds
    print(f"已上报：{period.label} {kind}（第 {rounds} 轮），等待县里审核")
    return EXIT_OK


def _decide(args: argparse.Namespace, kind: str, period) -> int:
    from oldcomm_desktop.core.returns import review

    with _open(args) as db, db.transaction(_who(args)) as s:
        _ready(s)
        if args.what == "approve":
            review.approve(s, kind, period, township=args.township, operator=_who(args), opinion=args.opinion)
            text = "已审核通过，该期已锁定"
        elif args.what == "send-back":
            review.send_back(
                s, kind, period, township=args.township, operator=_who(args), opinion=args.opinion or ""
            )
            text = "已退回修改"
        else:
            review.reopen(s, kind, period, township=args.township, operator=_who(args), reason=args.reason or "")
            text = "已重新打开，该期解除锁定（原因已记入修改记录）"
    print(f"{period.label} {kind}：{text}")
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.returns import review
    from oldcomm_desktop.core.returns.periods import Period

    if args.kind and args.kind not in KIND_NAMES:
        raise UsageError(f"报表种类“{args.kind}”不认识")
    period = Period.parse(args.period, label="--period") if args.period else None
    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        rows = review.history(s, kind=args.kind, period=period, township=args.township)
    if args.json:
        _dump([r.as_json() for r in rows])
        return EXIT_OK
    for r in rows:
        opinion = f"  意见：{r.opinion}" if r.opinion else ""
        print(
            f"{r.at:%Y-%m-%d %H:%M}  {r.period}  {r.kind:<13} {r.township}  第{r.round}轮 "
            f"{review.ACTION_LABELS.get(r.action, r.action)}  {r.operator or ''}{opinion}"
        )
    print(f"共 {len(rows)} 条", file=sys.stderr)
    return EXIT_OK


def _compare(args: argparse.Namespace, kind: str, period) -> int:
    from oldcomm_desktop.core.returns import review

    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        archive = review.latest_archive(s, kind, period, args.township)
        if archive is None:
            raise OldcommError(f"{period.label} {kind} 没有已上报的归档")
        diffs = review.compare(s, archive.id)
    if args.json:
        _dump([d.as_json() for d in diffs])
    else:
        for d in diffs:
            print(f"{d.name}  {d.label}：{d.archived} → {d.current}")
        print(f"与上报时相比：{len(diffs)} 处不同")
    return EXIT_OK


def _archive(args: argparse.Namespace, kind: str, period) -> int:
    from oldcomm_desktop.core.returns import review

    if not args.out:
        raise UsageError("请给出 --out FILE.xlsx")
    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        archive = review.latest_archive(s, kind, period, args.township)
        if archive is None:
            raise OldcommError(f"{period.label} {kind} 没有已上报的归档")
        name, content = review.archive_file(s, archive.id)
    args.out.write_bytes(content)
    print(f"已取出归档 {name} → {args.out}")
    return EXIT_OK


def _completeness(args: argparse.Namespace, kind: str, period) -> int:
    from oldcomm_desktop.core.returns import review

    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        rows = review.completeness(s, kind, period)
    if args.json:
        _dump([r.as_json() for r in rows])
        return EXIT_OK
    for r in rows:
        when = "" if r.on_time is None else ("按时" if r.on_time else "逾期上报")
        state = review.STATUS_LABELS.get(r.status, "未上报" + ("（已逾期）" if r.overdue else ""))
        print(f"{r.township}  {r.name:<10} {state}  {when}  第{r.rounds}轮  截止 {r.due_on}")
    return EXIT_OK


def _county(args: argparse.Namespace, kind: str, period) -> int:
    from oldcomm_desktop.core.returns import review

    if not args.out:
        raise UsageError("请给出 --out FILE.xlsx")
    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        review.county_return(s, kind, period, args.out)
    print(f"已生成全县汇总（按各乡镇审核通过的数字）→ {args.out}")
    return EXIT_OK


def _note(args: argparse.Namespace, kind: str, period) -> int:
    from oldcomm_desktop.core.returns import checks

    if not args.record or not args.field:
        raise UsageError("请给出 --record 和 --field")
    with _open(args) as db, db.transaction(_who(args)) as s:
        _ready(s)
        checks.note(
            s,
            kind,
            period,
            args.record,
            args.field,
            rule=args.rule,
            explanation=args.explanation,
            comment=args.comment,
            follow_up=args.follow_up,
        )
    print("已保存")
    return EXIT_OK


def _who(args: argparse.Namespace) -> str:
    """The operator named on the command line, else the command line's own (every write names one)."""
    from oldcomm_desktop.cli import default_operator

    return getattr(args, "operator", None) or default_operator()
