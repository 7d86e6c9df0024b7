"""`oldcomm`: the command line, a thin face over the core (the GUI is the other).

Exit codes: 0 done, 1 rejected input or a failed check (with a Chinese message), 2 usage. No traceback
ever reaches the clerk: every error the core or storage raises on purpose becomes its Chinese message, and
anything unexpected is written (password masked) to the log file, with a message naming that file.
A read (`summary`, `list`, `check`) opens the database read-only and never changes a byte of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from oldcomm_desktop.core.errors import ConfirmationNeeded, OldcommError, ValidationError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def default_operator() -> str:
    """Who the audit log names for a command-line write without --operator: the login, marked as such."""
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # no login name (a service account, a stripped environment)
        user = ""
    return f"命令行:{user}"[:50] if user else "命令行"


class UsageError(Exception):
    pass


# argparse's own words (its gettext message ids), as the clerk reads them; an id not listed stays as it is
ARGPARSE_WORDS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多一个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "ignored explicit argument %r": "多余的值 %r",
}


def _argparse_in_chinese() -> None:
    """argparse looks its messages up through its module's `_` (gettext) when it writes them: the usage line,
    help headings and errors ("argument --year: invalid choice …") come out in Chinese. Only the command line's
    process runs argparse."""
    english = argparse._  # type: ignore[attr-defined]
    if getattr(english, "oldcomm", False):
        return

    def chinese(message: str) -> str:
        return ARGPARSE_WORDS.get(message) or english(message)

    chinese.oldcomm = True  # type: ignore[attr-defined]
    argparse._ = chinese  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would exit(2) itself; keep the code, add Chinese
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _add_db(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    # Accepted before or after the subcommand; SUPPRESS keeps a subcommand from resetting the top one.
    p.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=None if top else argparse.SUPPRESS,
        help="数据库文件或 SQLAlchemy URL（默认：用户数据目录中的数据库）",
    )


def build_parser() -> argparse.ArgumentParser:
    _argparse_in_chinese()
    parser = Parser(prog="oldcomm", description="老旧小区改造工作台 命令行")
    _add_db(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("init", help="建立数据库（乡镇模式或县级模式）")
    _add_db(p)
    p.add_argument("--township-code")
    p.add_argument("--township-name")
    p.add_argument("--county-code")
    p.add_argument("--county-name")
    p.add_argument("--operator", help="操作员姓名")

    p = sub.add_parser("demo", help="生成演示数据（一个县的多个乡镇、项目和小区）")
    _add_db(p)
    p.add_argument("--communities", type=_int_arg, default=40)
    p.add_argument("--seed", type=_int_arg, default=1)

    p = sub.add_parser("summary", help="汇总：小区数、户数、面积、投资，按状态")
    _add_db(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--year", type=_int_arg)
    p.add_argument("--township")
    p.add_argument("--by", choices=["status", "township", "project", "year"], default="status")

    p = sub.add_parser("list", help="列出记录")
    _add_db(p)
    p.add_argument("what", choices=["communities", "projects", "items", "inspections", "rectifications"])
    p.add_argument("--json", action="store_true")
    p.add_argument("--township")
    p.add_argument("--status")
    p.add_argument("--search", default="")
    p.add_argument("--limit", type=_int_arg, default=1000)

    p = sub.add_parser("check", help="检查数据库完整性和数据一致性")
    _add_db(p)
    p.add_argument("--deep", action="store_true", help="完整检查数据库文件的每个索引（大数据库需要较长时间）")

    p = sub.add_parser("backup", help="备份数据库和附件到一个文件（zip：清单和校验和、数据库、附件）")
    _add_db(p)
    p.add_argument("out", type=Path)

    p = sub.add_parser("restore", help="从备份恢复（先完整检查备份；被替换的数据库另存保留）")
    _add_db(p)
    p.add_argument("source", type=Path, metavar="IN")

    p = sub.add_parser("upgrade", help="把较早版本建立的数据库升级到本程序的结构（会先另存一份）")
    _add_db(p)
    for feature in _features():
        COMMANDS.update(feature.add_parsers(sub, _add_db))
    return parser


# Each capability keeps its subcommands in its own module, oldcomm_desktop/commands/<name>.py, with
# `add_parsers(sub, add_db) -> {command: handler}`; a handler takes the parsed args and returns the exit code.
FEATURE_MODULES = ("edit", "importing", "returns", "briefing", "paper", "supervision", "sync", "keys", "catalogue")


def _features() -> list:
    import importlib

    found = []
    for name in FEATURE_MODULES:
        full = f"oldcomm_desktop.commands.{name}"
        try:
            found.append(importlib.import_module(full))
        except ModuleNotFoundError as exc:
            if exc.name != full:  # the module exists but something it imports is missing: a real error
                raise
    return found


def _int_arg(text: str) -> int:
    """An integer option: digits only, and small enough for any count or year the program takes."""
    import unicodedata

    value = unicodedata.normalize("NFKC", text).strip()
    digits = value[1:] if value[:1] in "+-" else value
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        raise argparse.ArgumentTypeError(f"“{text}”不是有效的整数（最多 9 位数字）")
    return int(value)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last resort: a bug, never a traceback on the clerk's screen
        where = _log_unexpected(exc)
        name = type(exc).__name__
        print(f"错误：程序遇到了意外的问题（{name}），没有完成。详细情况已记入日志 {where}", file=sys.stderr)
        return EXIT_REJECTED


def _log_unexpected(exc: BaseException) -> str:
    """Write `exc` with its traceback to the log file (passwords masked); return the file's name."""
    import traceback

    from oldcomm_desktop.storage.paths import log_file
    from oldcomm_desktop.storage.secrets import mask_text

    path = log_file()
    text = mask_text("".join(traceback.format_exception(exc)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        from datetime import datetime

        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now().isoformat(timespec='seconds')} oldcomm {' '.join(_masked_argv())}\n{text}\n")
    except OSError:
        return f"{path}（但日志也写不进去）"
    return str(path)


def _masked_argv() -> list[str]:
    from oldcomm_desktop.storage.secrets import mask_url

    return [mask_url(a) if "://" in a else a for a in sys.argv[1:]]


def _main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    handler = COMMANDS[args.command]
    try:
        return handler(args)
    except ValidationError as exc:
        for p in exc.problems:
            print(f"错误：{p}", file=sys.stderr)
        return EXIT_REJECTED
    except ConfirmationNeeded as exc:
        print(f"需要确认：{exc}", file=sys.stderr)
        return EXIT_REJECTED
    except OldcommError as exc:
        from oldcomm_desktop.storage.secrets import mask_text

        print(f"错误：{mask_text(str(exc))}", file=sys.stderr)
        return EXIT_REJECTED
    except UsageError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `oldcomm list … | head`: the reader left; that is not an error
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:  # a file the command itself reads or writes (not the database: storage maps those)
        from oldcomm_desktop.storage.database import os_error

        print(f"错误：{os_error(exc, exc.filename or '', '读写')}", file=sys.stderr)
        return EXIT_REJECTED


def _open(args: argparse.Namespace, *, write: bool = True, must_exist: bool = True):
    """Open `--db` (write=False: read-only, the file's bytes never change); a server's password is asked for."""
    from oldcomm_desktop.storage.database import open_database

    db = open_database(_target(args), write=write, create=not must_exist)
    db.default_operator = getattr(args, "operator", None) or default_operator()
    return db


def _target(args: argparse.Namespace) -> str | None:
    """`--db` as given, a server URL completed with its password (keyring, else asked on a terminal)."""
    from oldcomm_desktop.storage import secrets
    from oldcomm_desktop.storage.paths import default_database, is_url

    target = args.db if args.db is not None else default_database()
    if not is_url(target) or not secrets.needs_password(target):
        return target
    completed = secrets.complete_url(target)
    if not secrets.needs_password(completed):
        return completed
    if not sys.stdin.isatty():
        raise OldcommError(
            f"数据库服务器地址 {secrets.mask_url(target)} 没有密码，系统钥匙串里也没有记住的密码。"
            "请在终端中运行（会提示输入密码），或先在窗口中登录一次并选择“记住密码”。"
        )
    import getpass

    password = getpass.getpass(f"数据库服务器 {secrets.mask_url(target)} 的密码：")
    completed = secrets.with_password(target, password)
    try:
        answer = input("让系统钥匙串记住这个密码吗？[y/N] ").strip().lower()
    except EOFError:
        answer = ""
    if answer in ("y", "yes", "是"):
        if not secrets.remember_password(target, password):
            print("（系统钥匙串不可用，没有记住密码）", file=sys.stderr)
    return completed


def _where(db) -> str:
    """The database file, or the server URL without its password (output ends up in logs)."""
    return db.where


def _new_file(args: argparse.Namespace) -> Path | None:
    """The database file a command would create (it does not exist yet), to remove again if the command fails."""
    from oldcomm_desktop.storage.paths import default_database, is_url

    target = args.db if args.db is not None else default_database()
    if not target or is_url(target):
        return None
    try:
        path = Path(target).expanduser().resolve()
        return None if path.exists() else path
    except (OSError, RuntimeError, ValueError):
        return None


def _remove_new_file(path: Path | None) -> None:
    """Take away what a failed init/demo created, so a refused command leaves no half-made database."""
    if path is None:
        return
    from oldcomm_desktop.storage.paths import attachments_dir_for

    for p in (path, *(Path(str(path) + s) for s in ("-wal", "-shm", "-journal", ".lock"))):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass
    try:
        attachments_dir_for(path).rmdir()
    except OSError:
        pass


def _ready(session) -> None:
    from oldcomm_desktop.core import workspace

    if not workspace.is_initialised(session):
        raise OldcommError("数据库尚未初始化，请先运行 oldcomm init（或 oldcomm demo）")


def cmd_init(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core import workspace

    township = args.township_code or args.township_name
    county = args.county_code or args.county_name
    if bool(township) == bool(county):
        raise UsageError("请给出 --township-code 和 --township-name，或 --county-code 和 --county-name（二选一）")
    mode = workspace.TOWNSHIP if township else workspace.COUNTY
    code = args.township_code if township else args.county_code
    name = args.township_name if township else args.county_name
    if not code or not name:
        raise UsageError("代码和名称都要给出")
    workspace.check_identity(mode=mode, code=code, name=name)  # before opening: a refusal leaves no new file
    new = _new_file(args)
    try:
        with _open(args, must_exist=False) as db, db.transaction(args.operator or default_operator()) as s:
            workspace.initialise(s, mode=mode, code=code, name=name, operator=args.operator)
    except BaseException:
        _remove_new_file(new)
        raise
    print(f"已建立数据库：{_where(db)}（{'乡镇' if township else '县级'}模式，{name} {code}）")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core import demo, workspace
    from oldcomm_desktop.core.model import Community

    if args.communities < 1 or args.communities > 500_000:
        raise UsageError("--communities 应在 1 到 500000 之间")
    new = _new_file(args)
    try:
        with _open(args, must_exist=False) as db, db.transaction("演示操作员") as s:
            if workspace.is_initialised(s):
                if workspace.mode(s) != workspace.COUNTY or s.query(Community).first() is not None:
                    raise OldcommError("这个数据库已有数据，演示数据只能写入新数据库（请用 --db 指定一个新文件）")
            demo.build(s, communities_count=args.communities, seed=args.seed)
    except BaseException:
        _remove_new_file(new)
        raise
    print(f"已生成演示数据：{args.communities} 个小区 → {_where(db)}")
    return EXIT_OK


def _fmt_totals(t) -> str:
    from oldcomm_desktop.core.money import format_yuan

    return (
        f"{t.communities:>6} {t.households:>9,} {t.floor_area_m2:>14,.2f} "
        f"{format_yuan(t.investment_yuan, unit='万元'):>12} {format_yuan(t.investment_completed_yuan, unit='万元'):>12}"
    )


def cmd_summary(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core import divisions, summary
    from oldcomm_desktop.core.lifecycle import STATUS_LABELS

    if args.township:
        args.township = divisions.parse_code(args.township, label="--township", level="township").code
    if args.json and args.by != "status":
        raise UsageError("--json 只输出按状态的汇总（不能与 --by 同用）")
    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        result = summary.totals(s, by=args.by, year=args.year, township=args.township)
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return EXIT_OK
        names = {
            "status": lambda k: STATUS_LABELS.get(k, k),
            "township": lambda k: divisions.name_of(s, k),
            "year": lambda k: f"{k} 年" if k else "未列入年度",
            "project": lambda k: _project_name(s, k),
        }[args.by]
        print(f"{'分组':<16}{'小区':>6} {'户数':>8} {'建筑面积(m²)':>12} {'总投资(万元)':>10} {'完成投资(万元)':>10}")
        for key, t in result.groups.items():
            print(f"{names(key):<16}{_fmt_totals(t)}")
        print(f"{'合计':<16}{_fmt_totals(result.total)}")
        finished = summary.finished(result)
        print(f"完成改造（已完工+已验收）：{finished.communities} 个小区，{finished.households:,} 户")
        print("\n效果指标（计划 / 完成）：")
        for ind in summary.effect_indicators(s, year=args.year, township=args.township):
            print(f"  {ind.name}：{ind.planned.normalize():f} / {ind.done.normalize():f} {ind.unit}")
    return EXIT_OK


def _project_name(s, pid) -> str:
    from oldcomm_desktop.core.model import Project

    p = s.get(Project, pid) if pid else None
    return p.name if p else "（无项目）"


def cmd_list(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core import divisions, listings
    from oldcomm_desktop.core.inspections import STATES
    from oldcomm_desktop.core.lifecycle import STATUSES

    filters = {}
    if args.township:
        filters["township"] = divisions.parse_code(args.township, label="--township", level="township").code
    if args.status:
        if args.what == "communities" and args.status not in STATUSES:
            raise UsageError(f"--status 可选：{', '.join(STATUSES)}")
        if args.what == "rectifications" and args.status not in STATES:
            raise UsageError(f"--status 可选：{', '.join(STATES)}")
        filters["state" if args.what == "rectifications" else "status"] = args.status
    if args.limit < 1:
        raise UsageError("--limit 应大于 0")
    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        query = listings.ListQuery(
            search=args.search,
            filters=filters,
            sort_key="name" if "name" in listings.LISTINGS[args.what].sort_keys else None,
        )
        rows = listings.page(s, args.what, query, 0, args.limit)
        total = listings.count(s, args.what, query)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=_json_default))
        return EXIT_OK
    columns = [c for c in _columns(listings.LISTINGS[args.what], rows) if c not in HIDDEN_COLUMNS]
    print("\t".join(columns))
    for r in rows:
        print("\t".join(_cell(r.get(c)) for c in columns))
    print(f"共 {total} 条" + (f"，显示前 {len(rows)} 条" if total > len(rows) else ""), file=sys.stderr)
    return EXIT_OK


HIDDEN_COLUMNS = ("deleted_at", "township_code")


def _columns(listing, rows: list[dict]) -> list[str]:  # a listings.Listing
    """The list's columns in its SELECT's order (also when there are no rows: the header still shows)."""
    if rows:
        return list(rows[0])
    return [c.key for c in listing.base().selected_columns]


def _cell(value: object) -> str:
    """One tab-separated cell: empty for nothing, and no value can add a column or a line."""
    if value is None:
        return ""
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


def _json_default(value: object) -> object:
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def cmd_check(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core import integrity

    with _open(args, write=False) as db, db.transaction() as s:
        _ready(s)
        findings = integrity.check(s, deep=args.deep)
    errors = [f for f in findings if f.severity == "error"]
    for f in findings:
        print(f)
    print(f"检查完成：{len(errors)} 个错误，{len(findings) - len(errors)} 个提醒")
    return EXIT_REJECTED if errors else EXIT_OK


def _sqlite_path(args: argparse.Namespace) -> Path:
    from oldcomm_desktop.core.errors import UnreadableTarget
    from oldcomm_desktop.storage.paths import default_database, is_url

    target = args.db if args.db is not None else default_database()
    if not target.strip():
        raise UnreadableTarget("没有给出数据库文件（--db 是空的）。")
    if is_url(target):
        raise OldcommError("backup/restore 只用于 SQLite 数据库文件；服务器数据库请用 pg_dump 备份")
    try:
        path = Path(target).expanduser().resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise UnreadableTarget(f"无法使用 {target}：{exc}") from None
    if path.is_dir():
        raise UnreadableTarget(f"{path} 是一个文件夹，不是数据库文件。")
    return path


def cmd_backup(args: argparse.Namespace) -> int:
    from oldcomm_desktop.storage import backup
    from oldcomm_desktop.storage.database import inspect_file

    path = _sqlite_path(args)
    if not path.exists():
        raise OldcommError(f"数据库文件 {path} 不存在")
    facts = inspect_file(path)  # a text file, a foreign or newer database: refused before anything is written
    if facts.empty or facts.revision is None:
        raise OldcommError(f"数据库文件 {path} 是空的（尚未初始化），没有可备份的内容。")
    out = backup.backup(path, args.out)
    size = out.stat().st_size
    print(f"已备份到 {out}（{size / 1024 / 1024:.1f} MB，含数据库和附件，已逐项核对校验和）")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from oldcomm_desktop.storage import backup
    from oldcomm_desktop.storage.database import acquire_write_lock

    path = _sqlite_path(args)
    backup.check_target(path)  # a text file or another program's database is never replaced
    backup.verify(args.source)  # refused before the lock is even taken: nothing changes
    new = not path.exists()
    lock = acquire_write_lock(path)
    try:
        kept = backup.restore(path, args.source)
    finally:
        lock.release()
        if new:
            Path(str(path) + ".lock").unlink(missing_ok=True)
    with _open(args) as db:  # the restored copy is already at our schema; this just proves it opens
        from oldcomm_desktop.core import workspace

        mode = db.read_only_check(lambda s: workspace.mode(s) if workspace.is_initialised(s) else None)
    print(f"已从 {args.source} 恢复到 {db.path}" + (f"；原数据库另存为 {kept}" if kept else ""))
    if mode == workspace.TOWNSHIP:  # what was sent to the county after the backup is held there: take it back
        print(
            "提示：备份之后报给县里的修改，县里的下一个数据包会带回（县里导入本机的下一个数据包后即知道本机已恢复）；"
            "最好先导入、再修改数据（两边改了同一处会列为冲突，由您决定）"
        )
    elif mode == workspace.COUNTY:  # what townships sent after the backup: their next packages bring it again
        print("提示：备份之后各乡镇（街道）报来的修改，请各乡镇在导入县里的下一个数据包后再导出一次，即可补回")
    return EXIT_OK


def cmd_upgrade(args: argparse.Namespace) -> int:
    """Carry a database made by an earlier release forward (a read never does; this is the explicit write)."""
    from oldcomm_desktop.storage.migrations import current_revision, head_revision
    from oldcomm_desktop.storage.paths import default_database, is_url

    target = args.db if args.db is not None else default_database()
    if target.strip() and not is_url(target):
        _copy_before_upgrade(_sqlite_path(args))
    with _open(args) as db:
        if db.read_only:
            raise OldcommError(db.read_only_reason or "数据库是只读的，不能升级。")
        revision = current_revision(db.engine)
    print(f"数据库 {db.where} 的结构版本：{revision}（本程序：{head_revision()}）")
    return EXIT_OK


def _copy_before_upgrade(path: Path) -> None:
    """An older database is copied aside before its schema is carried forward (a migration cannot be undone)."""
    from datetime import datetime

    from oldcomm_desktop.storage import backup
    from oldcomm_desktop.storage.database import inspect_file
    from oldcomm_desktop.storage.migrations import head_revision

    if not path.is_file():
        return
    facts = inspect_file(path)
    if facts.revision is None or facts.revision == head_revision():
        return
    kept = path.with_name(f"{path.stem}.before-upgrade-{datetime.now():%Y%m%d-%H%M%S}{path.suffix}")
    backup.copy_database(path, kept)
    print(f"升级前的数据库已另存为 {kept}")


COMMANDS = {
    "init": cmd_init,
    "demo": cmd_demo,
    "summary": cmd_summary,
    "list": cmd_list,
    "check": cmd_check,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "upgrade": cmd_upgrade,
}

if __name__ == "__main__":
    raise SystemExit(main())
