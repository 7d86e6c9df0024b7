"""`oldcomm import-excel`: import a ledger workbook (dry run, mapping file, rejected-rows report)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from oldcomm_desktop.core.errors import OldcommError

EXIT_OK, EXIT_REJECTED = 0, 1
# the figures a prose headline claims (header.HEADLINE), in the stored unit
HEADLINE_LABELS = {
    "communities": ("小区数", "个"),
    "projects": ("项目数", "个"),
    "households": ("户数", "户"),
    "floor_area": ("建筑面积", "平方米"),
    "investment": ("总投资", "元"),
}


def add_parsers(sub: Any, add_db: Any) -> dict[str, Any]:
    p = sub.add_parser("import-excel", help="从 Excel 台账导入小区（先看预演结果，可保存未导入行）")
    add_db(p)
    p.add_argument("file", type=Path, metavar="FILE", help="台账文件（.xlsx）")
    p.add_argument("--sheet", help="工作表名称或序号（默认第一个）")
    p.add_argument(
        "--mapping", type=Path, metavar="M.json", help="列的对应关系文件（JSON；不给则用自动识别的并打印出来）"
    )
    p.add_argument("--add-townships", action="store_true", help="县级模式：登记文件中出现而数据库中没有的乡镇（街道）")
    p.add_argument("--dry-run", action="store_true", help="只预演：显示新增/更新/无变化/拒绝，不写入数据库")
    p.add_argument("--report", type=Path, metavar="OUT.xlsx", help="把未导入的行及原因保存为 Excel")
    p.add_argument("--year", help="台账中只写月日的日期所属年份（标题中没有年份时）")
    p.add_argument(
        "--confirm",
        action="store_true",
        help="确认预演提出的问题并按建议导入（如没写单位的建筑面积按万平方米、建成年份在延长年限内的小区）",
    )
    return {"import-excel": cmd_import_excel}


def cmd_import_excel(args: argparse.Namespace) -> int:
    from oldcomm_desktop.cli import UsageError, _open, _ready
    from oldcomm_desktop.core.importing import columns, ledger

    year = None
    if args.year is not None:  # checked as a mapping file's "year" is, so the message is Chinese (not argparse's)
        problem = columns.year_problem(args.year)
        if problem:
            raise UsageError(f"--year “{args.year}”{problem}")
        year = int(args.year)
    mapping = columns.load_file(args.mapping) if args.mapping else None
    options = ledger.Options(
        sheet=args.sheet, mapping=mapping, add_townships=args.add_townships, year=year, confirm=args.confirm
    )
    with _open(args, write=not args.dry_run) as db, db.transaction() as s:
        _ready(s)
        plan = ledger.plan(s, args.file, options)
        _print_plan(plan, show_mapping=mapping is None)
        if args.report:
            ledger.write_report(plan, args.report)
            print(f"未导入的行已保存：{args.report}")
        for answer in plan.answers:
            print(answer)
        asking = plan.asking_rows
        for q in plan.questions:
            print(f"需要确认：{q}")
        for r in asking:
            print(f"需要确认：第 {r.row} 行 {r.name}：{r.shown_reason.replace('需要确认：', '')}")
        if (plan.questions or asking) and not args.dry_run:
            raise OldcommError(
                "导入未进行：请先回答上面的问题——确认无误后加 --confirm 重新运行"
                "（单位也可写入对应关系文件后用 --mapping 指定）"
            )
        if args.dry_run:
            s.rollback()
            print("预演结束，数据库没有改动。")
            return EXIT_OK
        ledger.apply(s, plan)
    c = plan.counts()
    if c["rejected"] and not (c["new"] or c["updated"] or c["unchanged"]):
        print(f"没有导入任何小区：{c['rejected']} 行全部被拒绝（原因见上；可用 --report 保存为 Excel 修改后再导入）")
        return EXIT_REJECTED  # a script that imports files in turn must see that this one brought nothing
    print(f"已导入：新增 {c['new']} 个，更新 {c['updated']} 个，无变化 {c['unchanged']} 个，拒绝 {c['rejected']} 行")
    return EXIT_OK


def _print_plan(plan: Any, *, show_mapping: bool) -> None:
    from oldcomm_desktop.core.importing import columns, ledger

    print(
        f"文件：{plan.path.name}　工作表：{plan.sheet}　"
        f"表头在第 {plan.header.first_row + 1} 行（共 {plan.header.rows} 行）"
    )
    if plan.year and plan.year_assumed:
        print(f"年份：{plan.year}（标题中只有截至日期，按它的年份；不对请用 --year 指定）")
    elif plan.year:
        print(f"年份：{plan.year}")
    for notice in plan.notices:
        print(f"注意：{notice}")
    if show_mapping:
        print("各列导入为（括号里是前几行的值）：")
        for col, label in enumerate(plan.header.labels):
            field = columns.LABELS.get(plan.mapping.get(col, ""), "不导入")
            shown = " | ".join(plan.samples[col]) if col < len(plan.samples) and plan.samples[col] else "空"
            print(f"  第 {col + 1} 列 {label or '（无表头）'} → {field}（{shown}）")
        print("列的对应关系（可另存为文件修改后用 --mapping 指定）：")
        print(
            json.dumps(
                columns.to_json(plan.header.labels, plan.mapping, plan.units, None), ensure_ascii=False, indent=2
            )
        )
    c = plan.counts()
    print(
        f"预演：新增 {c['new']}，更新 {c['updated']}，无变化 {c['unchanged']}，"
        f"拒绝 {c['rejected']}，跳过 {c['skipped']}"
    )
    for r in plan.rows:
        if r.action == ledger.REJECTED:
            print(f"  拒绝 第 {r.row} 行 {r.name}：{r.shown_reason}")
        elif r.flags:
            print(f"  提示 第 {r.row} 行 {r.name}：{'；'.join(r.shown_flags)}")
        elif r.action == ledger.SKIPPED and r.reason == ledger.TEMPLATE_ROW:
            print(f"  跳过 第 {r.row} 行：{r.reason}")
    if plan.unknown_townships:
        print("未登记的乡镇（街道）：" + "、".join(plan.unknown_townships))
    for check in plan.checks:
        print(("  核对 " if check.agrees else "  核对不符 ") + check.message())
    for key, value in plan.header.headline.items():
        name, unit = HEADLINE_LABELS.get(key, ("其他", ""))
        print(f"  标题中的数字 {name}：{value.normalize():,f} {unit}（仅供参考）".replace(" （", "（"))
