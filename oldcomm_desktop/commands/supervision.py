"""`oldcomm schedule | order | ranking | assess | requests`: supervision from the command line.

Thin handlers over `core.supervision`: parse, call, print (a table or --json). A transition the state does
not allow, bad input or the wrong mode is a core error, printed in Chinese by `cli.main` with exit 1.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from oldcomm_desktop.cli import EXIT_OK, UsageError, _json_default, _open, _ready

Handler = Callable[[argparse.Namespace], int]


def add_parsers(sub: argparse._SubParsersAction, add_db: Callable) -> dict[str, Handler]:
    p = sub.add_parser("schedule", help="检查计划：列出、添加、查看待检查和漏检")
    add_db(p)
    acts = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    q = acts.add_parser("list", help="列出检查计划")
    _common(q, add_db)
    q = acts.add_parser("due", help="本期待检查和本年漏检的检查")
    _common(q, add_db)
    q.add_argument("--no-missed", action="store_true", help="只列本期待检查的，不列漏检")
    q = acts.add_parser("add", help="添加检查计划")
    add_db(q)
    q.add_argument("--community", help="小区名称或编号（不填则为全乡镇）")
    q.add_argument("--township", help="乡镇（街道）代码（全乡镇的计划）")
    q.add_argument("--kind", required=True, help="检查类型：patrol 质量安全巡查 / management 长效管理检查 / acceptance")
    q.add_argument("--frequency", required=True, help="monthly 每月 / weekly 每周（在建期间）")
    q.add_argument("--starts", required=True, help="开始日期 YYYY-MM-DD")
    q.add_argument("--ends", help="结束日期")
    q.add_argument("--inspector")
    q.add_argument("--template", help="检查表模板代码（默认：该类型的默认模板）")

    p = sub.add_parser("order", help="督办：下达、答复、确认、退回、列出")
    add_db(p)
    acts = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    q = acts.add_parser("issue", help="下达督办（县级模式）")
    add_db(q)
    q.add_argument("--township", action="append", required=True, help="督办对象乡镇代码（可重复）")
    q.add_argument("--project", action="append", default=[], help="涉及的项目编号（可重复）")
    q.add_argument("--problem", required=True)
    q.add_argument("--requirement", required=True)
    q.add_argument("--deadline", required=True, help="办理期限 YYYY-MM-DD")
    q.add_argument("--type", choices=["order", "hint"], default="order", help="order 项目督办 / hint 工作提示")
    q.add_argument("--number", help="编号（默认：本年下一个号）")
    q.add_argument("--issued", help="下达日期（默认今天）")
    q.add_argument("--department")
    q.add_argument("--contact")
    q.add_argument("--file", action="append", default=[], type=Path, help="附件（可重复）")
    q = acts.add_parser("start", help="开始处理（待处理 → 处理中）")
    add_db(q)
    q.add_argument("id")
    q.add_argument("--text")
    q.add_argument("--date")
    q = acts.add_parser("answer", help="答复（→ 已处理）；县级模式下登记纸质答复")
    add_db(q)
    q.add_argument("id")
    q.add_argument("--text", required=True)
    q.add_argument("--date")
    q.add_argument("--file", action="append", default=[], type=Path)
    q = acts.add_parser("confirm", help="确认办结（县级模式）")
    add_db(q)
    q.add_argument("id")
    q.add_argument("--date")
    q = acts.add_parser("send-back", help="退回重办（县级模式）")
    add_db(q)
    q.add_argument("id")
    q.add_argument("--opinion", required=True)
    q.add_argument("--date")
    q = acts.add_parser("list", help="列出督办（每个办理对象一行）")
    _common(q, add_db)
    q.add_argument("--state", choices=["pending", "in_progress", "done", "confirmed", "overdue"])
    q = acts.add_parser("export", help="导出督办文件：县级导出下发文件，乡镇导出答复文件")
    add_db(q)
    q.add_argument("file", type=Path)
    q.add_argument("--township", help="县级：只导出给该乡镇的督办")
    q = acts.add_parser("import", help="导入督办文件：乡镇导入下发文件，县级导入答复文件")
    add_db(q)
    q.add_argument("file", type=Path)

    p = sub.add_parser("ranking", help="长效管理检查评比排名（按乡镇、按月）")
    add_db(p)
    p.add_argument("--period", required=True, help="年月 YYYY-MM")
    p.add_argument("--township")
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", type=Path, help="导出通报表扬/批评名单（.xlsx 或 .docx）")

    p = sub.add_parser("assess", help="乡镇年度绩效考核（县级模式）")
    add_db(p)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--json", action="store_true")
    p.add_argument("--save", action="store_true", help="保存考核结果（连同所用考核方案）")
    p.add_argument("--saved", action="store_true", help="显示已保存的结果，而不是重新计算")
    p.add_argument("--out", type=Path, help="导出考核结果表（.xlsx 或 .docx）")
    p.add_argument("--bulletin", type=Path, help="导出通报表扬/批评名单（.xlsx 或 .docx）")

    p = sub.add_parser("requests", help="居民诉求：列出、登记、答复")
    add_db(p)
    acts = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    q = acts.add_parser("list")
    _common(q, add_db)
    q.add_argument("--state", choices=["open", "overdue", "replied"])
    q.add_argument("--by-community", action="store_true", help="按小区汇总诉求事项和满意度")
    q = acts.add_parser("add")
    add_db(q)
    q.add_argument("--community", required=True, help="小区名称或编号")
    q.add_argument("--topic", required=True)
    q.add_argument("--channel", required=True, help="hotline 热线电话 / visit 来访 / meeting 座谈会")
    q.add_argument("--date", help="反映日期（默认今天）")
    q.add_argument("--by", help="反映人")
    q.add_argument("--content")
    q.add_argument("--deadline", help="答复期限（默认反映日期后 15 天）")
    q = acts.add_parser("reply")
    add_db(q)
    q.add_argument("id")
    q.add_argument("--text", required=True)
    q.add_argument("--date")
    q.add_argument("--satisfaction", help="satisfied 满意 / basically 基本满意 / unsatisfied 不满意")
    return {
        "schedule": cmd_schedule,
        "order": cmd_order,
        "ranking": cmd_ranking,
        "assess": cmd_assess,
        "requests": cmd_requests,
    }


def _common(q: argparse.ArgumentParser, add_db: Callable) -> None:
    add_db(q)
    q.add_argument("--township", help="乡镇（街道）代码")
    q.add_argument("--json", action="store_true")


def _dump(rows: object) -> None:
    print(json.dumps(rows, ensure_ascii=False, indent=1, default=_json_default))


def _table(rows: list[dict], columns: list[tuple[str, str]]) -> None:
    print("\t".join(label for _, label in columns))
    for r in rows:
        print("\t".join("" if r.get(k) is None else str(r.get(k)) for k, _ in columns))
    print(f"共 {len(rows)} 条")


def _township(s, code: str | None) -> str | None:
    from oldcomm_desktop.core import divisions

    if code:
        divisions.parse_code(code, label="--township")
    return code


# -- schedule ------------------------------------------------------------------------------------------------
def cmd_schedule(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.supervision import schedules

    if args.action == "add":
        from oldcomm_desktop.core import communities

        with _open(args) as db, db.transaction() as s:
            _ready(s)
            data = {
                "kind": args.kind,
                "frequency": args.frequency,
                "starts_on": args.starts,
                "ends_on": args.ends,
                "inspector": args.inspector,
                "township_code": args.township,
            }
            if args.community:
                data["community_id"] = communities.find(s, args.community).id
            kind = data["kind"]
            data["template_id"] = args.template or schedules.default_template(
                s, {v: k for k, v in schedules.inspections.KINDS.items()}.get(kind, kind)
            )
            sched = schedules.add(s, data)
            print(f"已添加检查计划 {sched.id}")
        return EXIT_OK
    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        township = _township(s, args.township)
        if args.action == "list":
            rows = schedules.rows(s, township=township)
            cols = [
                ("id", "编号"),
                ("township", "乡镇"),
                ("community", "小区"),
                ("kind_label", "检查类型"),
                ("frequency_label", "频次"),
                ("inspector", "检查人"),
                ("starts_on", "开始"),
                ("done_this_year", "本年已检"),
                ("missed_this_year", "本年漏检"),
                ("current_state_label", "本期"),
            ]
        else:
            rows = schedules.due_rows(s, township=township, include_missed=not args.no_missed)
            cols = [
                ("schedule_id", "计划"),
                ("township", "乡镇"),
                ("community", "小区"),
                ("kind_label", "检查类型"),
                ("window_start", "自"),
                ("window_end", "至"),
                ("inspector", "检查人"),
                ("state_label", "状态"),
            ]
    if args.json:
        _dump(rows)
    else:
        _table(rows, cols)
    return EXIT_OK


# -- order ---------------------------------------------------------------------------------------------------
ORDER_COLUMNS = [
    ("id", "编号"),
    ("number", "文号"),
    ("township", "乡镇"),
    ("project", "项目"),
    ("state_label", "状态"),
    ("deadline", "期限"),
    ("problem", "问题"),
]


def cmd_order(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.supervision import orders

    if args.action == "list":
        with _open(args, write=False) as db, db.transaction() as s:
            _ready(s)
            rows = orders.rows(s, township=_township(s, args.township), state=args.state)
        if args.json:
            _dump(rows)
        else:
            for r in rows:
                r["state_label"] += "（逾期）" if r["overdue"] else ""
            _table(rows, ORDER_COLUMNS)
        return EXIT_OK
    if args.action in ("export", "import"):
        return _order_file(args)
    with _open(args) as db, db.transaction() as s:
        _ready(s)
        if args.action == "issue":
            from oldcomm_desktop.core import records
            from oldcomm_desktop.core.model import Project

            targets = {t: {"township_code": t} for t in args.township}
            extra = []
            for pid in args.project:
                project = records.get(s, Project, pid)
                if project.township_code in targets and targets[project.township_code].get("project_id") is None:
                    targets[project.township_code]["project_id"] = project.id
                else:
                    extra.append(
                        {
                            "township_code": project.township_code
                            if project.township_code in targets
                            else args.township[0],
                            "project_id": project.id,
                        }
                    )
            data = {
                "order_type": args.type,
                "problem": args.problem,
                "requirement": args.requirement,
                "deadline": args.deadline,
                "department": args.department or orders.departments(s),
                "contact": args.contact,
            }
            if args.number:
                data["number"] = args.number
            if args.issued:
                data["issued_on"] = args.issued
            order = orders.issue(s, data, [*targets.values(), *extra], files=args.file)
            print(f"已下达 {order.number}（{len(order.targets)} 个办理对象）")
            for t in order.targets:
                print(f"  {t.id}\t{t.township_code}\t{orders.STATES[t.state]}")
            return EXIT_OK
        target = orders.find_target(s, args.id)
        if args.action == "start":
            orders.start(s, target.id, args.text, args.date)
        elif args.action == "answer":
            orders.answer(s, target.id, args.text, args.date, files=args.file)
        elif args.action == "confirm":
            orders.confirm(s, target.id, args.date)
        elif args.action == "send-back":
            orders.send_back(s, target.id, args.opinion, args.date)
        else:  # pragma: no cover - argparse allows only the actions above
            raise UsageError(args.action)
        number = s.get(orders.SupervisionOrder, target.order_id).number
        print(f"{number}（{target.township_code}）：{orders.STATES[target.state]}")
    return EXIT_OK


def _order_file(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core import workspace
    from oldcomm_desktop.core.supervision import order_files

    with _open(args, write=args.action == "import") as db, db.transaction() as s:
        _ready(s)
        county = workspace.mode(s) == workspace.COUNTY
        if args.action == "export":
            if county:
                n = order_files.write_orders(s, args.file, township=_township(s, args.township))
                print(f"已导出督办下发文件：{args.file}（{n} 条督办）")
            else:
                n = order_files.write_answers(s, args.file)
                print(f"已导出督办答复文件：{args.file}（{n} 条答复）")
        elif county:
            print(f"已导入答复 {order_files.read_answers(s, args.file)} 条")
        else:
            c = order_files.read_orders(s, args.file)
            print(f"已导入：新督办 {c['new']} 条，县里确认 {c['confirmed']} 条，退回 {c['sent_back']} 条")
    return EXIT_OK


# -- ranking and assessment ------------------------------------------------------------------------------------
def cmd_ranking(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.supervision import bulletins, exports
    from oldcomm_desktop.core.supervision.scoring.rankings import ranking

    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        township = _township(s, args.township)
        rows = ranking(s, args.period, township)
        bulletin = bulletins.from_ranking(s, args.period, township) if args.out else None
    if bulletin is not None:
        exports.write_bulletin(bulletin, args.out)
    if args.json:
        _dump([r.as_json() for r in rows])
    else:
        print("乡镇\t排名\t小区\t得分\t等次\t上期等次\t检查日期")
        for r in rows:
            print(
                f"{r.township}\t{r.rank}\t{r.community}\t{r.score}\t{r.grade or ''}\t{r.previous_grade or '—'}\t"
                f"{r.inspected_on}"
            )
        print(f"共 {len(rows)} 个小区")
    if bulletin is not None:
        print(f"已导出通报名单：{args.out}（表扬 {len(bulletin.praise)}，批评 {len(bulletin.criticism)}）")
    return EXIT_OK


def cmd_assess(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.errors import OldcommError
    from oldcomm_desktop.core.supervision import assessment, bulletins, exports

    if not 2000 <= args.year <= 2100:
        raise UsageError("--year 应在 2000 到 2100 之间")
    if args.save and args.saved:
        raise UsageError("--save 与 --saved 不能同用")
    with _open(args, write=args.save) as db, db.transaction() as s:
        _ready(s)
        if args.saved or args.save:
            if args.save:
                assessment.save(s, args.year)
            found = assessment.saved(s, args.year)
            if found is None:
                raise OldcommError(f"{args.year} 年还没有保存的考核结果（用 --save 保存）")
            result = found
        else:
            result = assessment.compute(s, args.year)
        bulletin = bulletins.from_assessment(s, result) if args.bulletin else None
    for path in filter(None, [args.out]):
        exports.write_assessment(result, path)
    if bulletin is not None:
        exports.write_bulletin(bulletin, args.bulletin)
    if args.json:
        _dump(assessment.as_json(result))
        return EXIT_OK
    inds = result["scheme"]["indicators"]
    print(f"{args.year} 年度考核（方案：{result['scheme']['name']}）")
    print("\t".join(["排名", "乡镇", *(f"{i['label']}({i['weight']})" for i in inds), "总分", "等次"]))
    for r in result["rows"]:
        cells = [str(r["rank"]), r["township"]]
        for i in inds:
            ind = r["indicators"][i["code"]]
            value = "—" if ind["value"] is None else (ind["value"] if i["manual"] else f"{float(ind['value']):.1%}")
            cells.append(f"{value}/{ind['points']}")
        print("\t".join([*cells, r["score"], r["grade"] or ""]))
    if args.save:
        print("已保存考核结果")
    for path in filter(None, [args.out, args.bulletin]):
        print(f"已导出：{path}")
    return EXIT_OK


# -- residents' requests -------------------------------------------------------------------------------------
def cmd_requests(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.supervision import requests

    if args.action == "list":
        with _open(args, write=False) as db, db.transaction() as s:
            _ready(s)
            township = _township(s, args.township)
            if args.by_community:
                rows = requests.roll_up(s, township=township)
                if not args.json:
                    for r in rows:
                        r["topics"] = "、".join(f"{t}×{n}" for t, n in r["topics"].items())
                cols = [
                    ("community", "小区"),
                    ("requests", "诉求"),
                    ("replied", "已答复"),
                    ("overdue", "逾期"),
                    ("topics", "事项"),
                    ("satisfaction", "满意度"),
                ]
            else:
                rows = requests.rows(s, township=township, state=args.state)
                cols = [
                    ("id", "编号"),
                    ("community", "小区"),
                    ("topic", "事项"),
                    ("channel_label", "渠道"),
                    ("raised_on", "反映日期"),
                    ("reply_deadline", "答复期限"),
                    ("state_label", "状态"),
                    ("satisfaction_label", "满意度"),
                ]
        if args.json:
            _dump(rows)
        else:
            _table(rows, cols)
        return EXIT_OK
    with _open(args) as db, db.transaction() as s:
        _ready(s)
        if args.action == "add":
            req = requests.add(
                s,
                {
                    "community_id": args.community,
                    "topic": args.topic,
                    "channel": args.channel,
                    "raised_on": args.date or date.today(),
                    "raised_by": args.by,
                    "content": args.content,
                    "reply_deadline": args.deadline,
                },
            )
            print(f"已登记诉求 {req.id}，答复期限 {req.reply_deadline}")
        else:
            req = requests.reply(s, args.id, args.text, args.date, args.satisfaction)
            print(f"已答复：{req.topic}（{req.replied_on}）")
    return EXIT_OK
