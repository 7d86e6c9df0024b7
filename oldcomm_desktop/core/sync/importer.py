"""Importing a package: verify everything first, then merge in one transaction (or only count, for a dry run).

Order of work, and why:
1. Read and verify the file (package.read): nothing is trusted before the signature and every checksum are.
2. Check who may send what: a township's package carries only that township's records; the county's carries
   the recipient township's records and the county's catalogue. Every value is checked against its column.
3. In one transaction: scan local edits (so they have their version vectors), apply the catalogue, merge
   each shared record field by field (merge.py), record conflicts, copy attachments, note the receipt, write
   the before-image of every changed row, and record the import in the history.
A dry run does all of step 3 and rolls it back: what it reports is exactly what the import would do.
A failure or a cancellation anywhere rolls everything back; the database is as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from oldcomm_desktop.core import collector, funding_dates, record_names, record_parents, workspace
from oldcomm_desktop.core.attachments import stored_path
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.importing import bulk, bulk_tables, period_locks
from oldcomm_desktop.core.model import SyncConflict, SyncImport, SyncImportRow, SyncPeer
from oldcomm_desktop.core.model.base import new_id, utcnow
from oldcomm_desktop.core.sync import (
    changes,
    conflict_rows,
    deleted_parents,
    keys,
    merge,
    not_taken,
    package,
    rectification_news,
    rule_holds,
    tables,
    used_entries,
    writes,
)
from oldcomm_desktop.core.sync.exporter import county_of, peer_row
from oldcomm_desktop.core.sync.package import PackageError
from oldcomm_desktop.core.sync.rectifications_follow import rectifications_follow

Progress = Callable[[int, int, str], None]
CONFLICT = cast(Table, SyncConflict.__table__)
IMPORT_ROW = cast(Table, SyncImportRow.__table__)
CHUNK = 2000
# The shared tables the bulk write path (importing/bulk_tables.py) knows; the others go through writes.py.
BULK_TABLES: frozenset[str] = frozenset(bulk_tables.TABLES) & frozenset(tables.SHARED_TABLES)


@dataclass
class TableCounts:
    added: int = 0
    changed: int = 0
    deleted: int = 0
    restored: int = 0
    conflicts: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    package_id: str
    file_name: str
    sender_code: str
    sender_name: str
    created_at: str
    dry_run: bool
    import_id: str | None = None
    tables: dict[str, TableCounts] = field(default_factory=dict)
    catalogue_changed: int = 0
    attachments_copied: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)  # open conflicts their side decided (reopened by a rollback)
    released: list[str] = field(default_factory=list)  # held records written once this package restored a parent
    imported_before: datetime | None = None  # when this same package was applied here already (still applied)
    # the county's own acts a township gave back that this county cannot take (_own_act_back): named, for the clerk
    left_out: list[str] = field(default_factory=list)
    # of them, the township's own work (its answers to an order this county lost): (table, id, name), kept in the
    # import's history so the county's next package to the township names them (exporter: not_taken)
    not_taken_here: list[tuple[str, str, str]] = field(default_factory=list)
    # a township's import: what the county says it did not take of this township's work (the manifest's not_taken)
    not_taken: list[str] = field(default_factory=list)
    # rectifications whose 销号 the package undid or made (rectification_news): {"record_id", "name", "deadline" |
    # "closed_on", …}, so the clerk hears of reopened work with its new deadline
    reopened: list[dict[str, Any]] = field(default_factory=list)
    closed: list[dict[str, Any]] = field(default_factory=list)

    def total(self, what: str) -> int:
        return sum(getattr(c, what) for c in self.tables.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "package_id": self.package_id,
            "file": self.file_name,
            "sender": self.sender_code,
            "sender_name": self.sender_name,
            "created_at": self.created_at,
            "dry_run": self.dry_run,
            "import_id": self.import_id,
            "tables": {k: v.as_dict() for k, v in self.tables.items()},
            "catalogue_changed": self.catalogue_changed,
            "attachments_copied": self.attachments_copied,
            "conflicts": self.conflicts,
            "released": self.released,
            "left_out": self.left_out,
            "not_taken": self.not_taken,
            "reopened": self.reopened,
            "closed": self.closed,
            "imported_before": self.imported_before.isoformat() if self.imported_before else None,
        }


# ------------------------------------------------------------------ verification


def signature_check(session: Session) -> Callable[[package.Manifest, bytes, bytes], None]:
    """The check package.read runs on the manifest: a trusted key for the sender, and a valid signature."""
    mode = workspace.mode(session)

    own = workspace.own_code(session) or ""

    def check(manifest: package.Manifest, body: bytes, sig: bytes) -> None:
        if manifest.recipient != own:  # said before "unknown key": it is the more useful thing to hear
            raise PackageError(f"这个数据包是发给 {manifest.recipient} 的，不是发给本数据库（{own}）的，已拒绝")
        code = manifest.sender_code
        shown = keys.display(manifest["sender"]["fingerprint"])
        peer = keys.trusted_key(session, code)
        if peer is None:
            if mode == workspace.COUNTY:
                raise PackageError(
                    f"乡镇（街道）{code} 的公钥尚未被本县登记（数据包的密钥指纹：{shown}）。请该乡镇运行"
                    f"“oldcomm keys export”导出公钥交给县里，电话核对指纹后，在县里运行"
                    f"“oldcomm keys trust 公钥文件 --township {code}”，再导入这个数据包。"
                )
            raise PackageError(
                f"发送方 {code} 的公钥尚未在本数据库登记（数据包的密钥指纹：{shown}），不认识的密钥。"
                f"请向县里要公钥文件，核对指纹后运行“oldcomm keys trust 公钥文件 --township {code}”。"
            )
        if peer.fingerprint != manifest["sender"]["fingerprint"]:
            raise PackageError(
                f"数据包由 {code} 的另一个密钥（指纹 {shown}）签发，本数据库登记的是指纹 "
                f"{keys.display(peer.fingerprint or '')}，已拒绝。如果对方的电脑重装过或换了数据库，请电话核对新指纹，"
                f"再用“oldcomm keys trust 新公钥文件 --township {code} --replace”替换；否则不要导入这个数据包。"
            )
        if not keys.verify(peer.public_key or "", sig, body):
            raise PackageError(
                f"数据包的签名无效：它不是由登记的 {code} 密钥（指纹 {keys.display(peer.fingerprint or '')}）签发的，"
                "或者在传递中被改动过。已拒绝。"
            )

    return check


def _known_schema(revision: str) -> bool:
    """A schema revision this program has (read from the scripts' text: alembic costs half a second to load)."""
    from oldcomm_desktop.storage.migrations import _chain

    if revision in _chain():
        return True
    from alembic.script import ScriptDirectory

    from oldcomm_desktop.storage.migrations import _config, _known

    return _known(ScriptDirectory.from_config(_config()), revision)


def check_addressing(session: Session, pkg: package.ReadPackage) -> str:
    """Refuse a package not meant for this database; returns the township whose records it may carry."""
    m = pkg.manifest
    own = workspace.own_code(session) or ""
    mode = workspace.mode(session)
    sender = m.sender_code
    if m.recipient != own:
        raise PackageError(f"这个数据包是发给 {m.recipient} 的，不是发给本数据库（{own}）的，已拒绝")
    if not _known_schema(m["schema_version"]):
        raise PackageError(
            f"数据包由较新版本的程序生成（数据结构版本 {m['schema_version']}），本程序还不认识，请先升级本程序"
        )
    if sender == own:
        raise PackageError("这是本数据库自己导出的数据包，不能导入自己")
    if mode == workspace.COUNTY:
        if m["sender"]["mode"] != workspace.TOWNSHIP or sender[:6] != own[:6]:
            raise PackageError(f"县级数据库只接收本县乡镇（街道）的数据包，{sender} 不是")
        if set(pkg.catalogue) - {"division"}:
            raise PackageError("乡镇（街道）的数据包不能携带目录（目录由县里下发），已拒绝")
        for n, r in enumerate(pkg.catalogue.get("division", []), start=1):
            v: dict[str, Any] = r["v"] if isinstance(r.get("v"), dict) else {}
            code = str(v.get("code") or "")
            if v.get("level") != "village" or code[:9] != sender[:9] or code != r.get("key"):
                raise PackageError(
                    f"数据包内行政区划第 {n} 条（{code or '无代码'}）不是 {sender} 下的社区（村），"
                    "乡镇（街道）只能上报本乡镇的社区（村），已拒绝"
                )
        for name in tables.COUNTY_WIDE & set(pkg.records):
            raise PackageError(f"乡镇（街道）的数据包不能携带{record_names.TABLE_LABELS[name]}（由县里下达），已拒绝")
        scope = sender
    else:
        if m["sender"]["mode"] != workspace.COUNTY or sender != county_of(own):
            raise PackageError(f"乡镇（街道）数据库只接收本县（{county_of(own)}）的数据包，{sender} 不是")
        scope = own
    for name in pkg.records:
        if name not in tables.SHARED_TABLES:
            raise PackageError(f"数据包里有不认识的表“{name}”，已拒绝")
    for name in pkg.catalogue:
        if name not in tables.CATALOGUE_TABLES:
            raise PackageError(f"数据包里有不认识的目录“{name}”，已拒绝")
    return scope


def check_values(pkg: package.ReadPackage, scope: str) -> None:
    """Every record belongs to `scope`, every value fits its column, every version vector is well formed."""
    for name, rows in pkg.records.items():
        codec = tables.RowCodec(name, _NO_KEYS)
        cols = set(codec.names)
        refs = codec.refs
        label = record_names.TABLE_LABELS.get(name, name)
        texts = pkg.state_texts.get(name, {})  # each line's clock text, as read: a well-formed one is checked once
        good_clocks: set[str] = set()
        for n, r in enumerate(rows, start=1):
            if len(r["id"]) > 36:
                raise PackageError(f"{_where(label, n, r)}：记录编号过长，已拒绝")
            v = r["v"]
            code = v.get("township_code")
            if code is None and county_wide(name, v):
                pass  # a county order (or its file) for the townships it addresses: checked in the merge
            elif code != scope:
                raise PackageError(
                    f"{_where(label, n, r)}属于其他乡镇（{code}），这个数据包只能携带 {scope} 的记录，已拒绝"
                )
            if not cols.issuperset(v):
                raise PackageError(f"{_where(label, n, r)}：不认识的字段“{sorted(set(v) - cols)[0]}”，已拒绝")
            for cname in refs:
                if v.get(cname) is not None and not isinstance(v.get(cname), str):
                    raise PackageError(f"{_where(label, n, r)}的“{_field(cname, name)}”格式不对，已拒绝")
            found = codec.problems(v)
            if found:
                raise PackageError(f"{_where(label, n, r)}的“{_field(found[0], name)}”{found[1]}，已拒绝")
            c = r.get("c")
            text = texts.get(r["id"])
            if text is not None and text[1] in good_clocks:
                pass  # the same text parses to the same vectors
            elif not isinstance(c, dict) or not all(
                isinstance(k, str) and isinstance(vec, dict) and all(isinstance(x, int) for x in vec.values())
                for k, vec in c.items()
            ):
                raise PackageError(f"{_where(label, n, r)}的版本信息格式不对，已拒绝")
            elif text is not None and len(good_clocks) < 1024:
                good_clocks.add(text[1])
            if r.get("t") is not None:
                try:
                    datetime.fromisoformat(r["t"])
                except (TypeError, ValueError):
                    raise PackageError(f"{_where(label, n, r)}的修改时间格式不对，已拒绝") from None
    for name, rows in pkg.catalogue.items():
        codec = tables.RowCodec(name, _NO_KEYS)
        cols = set(codec.names)
        for n, r in enumerate(rows, start=1):
            where = f"数据包内目录{record_names.TABLE_LABELS.get(name, name)}第 {n} 条"
            if not isinstance(r.get("key"), str):
                raise PackageError(f"{where}缺少代码，已拒绝")
            if not isinstance(r.get("id"), str) or len(r["id"]) > 36 or not isinstance(r.get("v"), dict):
                raise PackageError(f"{where}（{r.get('key')}）格式不对，已拒绝")
            if not cols.issuperset(r["v"]):
                raise PackageError(f"{where}：不认识的字段“{sorted(set(r['v']) - cols)[0]}”，已拒绝")
            found = codec.problems(r["v"])
            if found:
                raise PackageError(f"{where}（{r['key']}）的字段“{found[0]}”{found[1]}，已拒绝")


def _where(label: str, n: int, r: dict[str, Any]) -> str:
    """How a message names a package's record (made only for a message: 100,000 lines pass the checks): its
    name where it has one, and its id, which a clerk passes on to whoever made the package."""
    v: dict[str, Any] = r["v"] if isinstance(r.get("v"), dict) else {}
    shown = next((str(v[c])[:30] for c in record_names.NAME_COLUMNS if isinstance(v.get(c), str) and v.get(c)), "")
    return f"数据包内{label}第 {n} 条（{shown + '，' if shown else ''}编号 {r['id']}）"


def _field(field: str, table: str) -> str:
    """A field as a clerk knows it (户数, not households)."""
    from oldcomm_desktop.core.sync.conflicts import field_label  # conflicts imports this module

    return field_label(field, table)


def county_wide(name: str, values: dict[str, Any]) -> bool:
    """A county-wide record: a county order, or a file attached to one (both have no township)."""
    if name in tables.COUNTY_WIDE:
        return True
    return name == "attachment" and values.get("owner_table") in tables.COUNTY_WIDE


def addressed_orders(conn: Any, pkg: package.ReadPackage, scope: str) -> set[str]:
    """The county orders addressed to `scope`: a target of it arrives in this package or is already here."""
    ids = {r["v"].get("order_id") for r in pkg.records.get("order_target", []) if r["v"].get("township_code") == scope}
    target = tables.table("order_target")
    ids |= set(conn.execute(select(target.c.order_id).where(target.c.township_code == scope)).scalars())
    return {i for i in ids if i}


def _county_as(session: Session) -> tuple[str, str] | None:
    """(own code, this installation's node in version vectors) of a county database, else None."""
    if workspace.mode(session) != workspace.COUNTY:
        return None
    return workspace.own_code(session) or "", changes.node(session)


TAKE, SKIP = "take", "skip"


def _own_act_back(clocks: dict[str, Any], county_as: tuple[str, str] | None) -> str | None:
    """What to do with a county act, new here, in a township's package (a township may never report one).

    The county's own coming back (every count in its vectors is the county's): at a county restored from a backup,
    made by the installation before the restore, it is taken back (TAKE) — the restored file lost it, the township
    holds it — as the county's own later versions of the records it still has are. Elsewhere (a county set up
    again without a restore) it is left out (SKIP), as before, when the township held it as an echo and never sent
    it. Anything a township counted: None, the package is refused."""
    if county_as is None:
        return None
    own, node = county_as
    counts = [k for v in clocks.values() if isinstance(v, dict) for k in v]
    if not counts or not all(changes.of_node(k, own) for k in counts):
        return None
    return TAKE if node != own and node not in counts else SKIP


def _answers_lost_order(name: str, values: dict[str, Any]) -> bool:
    """A record that belongs to an order's target (its steps, its answer's files): left out with the target when
    the target's order is gone here (_act_has_parent)."""
    return name == "order_event" or (name == "attachment" and values.get("owner_table") == "order_target")


def _act_has_parent(conn: Any, pkg: package.ReadPackage, name: str, values: dict[str, Any], lost: set[str]) -> bool:
    """Whether a county act coming back, or a township's answer to one, has the record it belongs to here: an
    order issued after the backup never comes back (orders go down only), so neither do its targets, their steps
    and the files of their answers — left out, not refusing the package for want of their order."""
    if name == "order_target":
        t = tables.table("supervision_order")
        return conn.execute(select(t.c.id).where(t.c.id == values.get("order_id"))).first() is not None
    if _answers_lost_order(name, values):
        target = values.get("target_id" if name == "order_event" else "owner_id")
        if target in lost:
            return False
        t = tables.table("order_target")
        return conn.execute(select(t.c.id).where(t.c.id == target)).first() is not None or any(
            r["id"] == target for r in pkg.records.get("order_target", [])
        )
    return True


def _answered_act(clocks: dict[str, Any], county_as: tuple[str, str] | None) -> bool:
    """Whether a county act a township's package brings, with the township's counts in its vectors, was begun by
    the county (some count is the county's): a target of an order the county issued, which the township then
    answered. Left out when its order is gone here (_act_has_parent), as the unanswered one is; a township's
    package is never refused for having answered an order the county has since lost."""
    if county_as is None:
        return False
    own = county_as[0]
    return any(changes.of_node(k, own) for v in clocks.values() if isinstance(v, dict) for k in v)


def _county_act(name: str, values: dict[str, Any]) -> bool:
    if name not in tables.COUNTY_ACTS:
        return False
    act = tables.COUNTY_ACTS[name]
    return act is None or values.get(act[0]) in act[1]


class _NoKeys:
    """Key maps for a codec used only to check values (catalogue references are checked by name later)."""

    to_key: dict = {}
    to_id: dict = {}

    def key(self, name: str, ident: str | None) -> str | None:
        return ident

    def ident(self, name: str, key: str | None) -> str | None:
        return key


_NO_KEYS: Any = _NoKeys()


# ------------------------------------------------------------------ import


def import_package(
    db: Any,
    path: Path,
    *,
    dry_run: bool = False,
    operator: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Verify and import one package into an open Database; a dry run reports and changes nothing.

    Records the rules refuse once merged with changes made here are held as conflicts (rule_holds): the import
    is run again from the start with them held, in a new transaction."""
    held: dict[tuple[str, str], str] = {}
    while True:
        session = db.session(operator)
        try:
            with collector.paused():  # hundreds of thousands of short-lived dicts, no cycles (core/collector.py)
                report = apply(session, path, dry_run=dry_run, operator=operator, progress=progress, held=held)
            if dry_run:
                session.rollback()
            else:
                session.commit()
            return report
        except RulesRefused as refused:
            session.rollback()
            new = {k: v for k, v in refused.records.items() if k not in held}
            if not new or not refused.holdable >= set(new) or len(held) + len(new) > MAX_RULE_HOLDS:
                raise PackageError(str(refused)) from None
            held.update(new)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


class RulesRefused(PackageError):
    """Records of a package the rules refuse here (`records`: (table, id) -> the rule's message); `holdable`: those
    that may be a clash of two valid edits — this side has changes the sender has not seen, or the record is held
    for the rules already."""

    def __init__(
        self,
        message: str,
        records: dict[tuple[str, str], str],
        parents: dict[tuple[str, str], list[tuple[str, str, Any]]],
    ):
        super().__init__(message)
        self.records = records
        self.parents = parents  # (table, id) -> (column, parent table, parent id) of each parent it names
        self.holdable: set[tuple[str, str]] = set()
        # refused by a return the county approved and locked (importing/period_locks.py): the township changed it
        # before the approval reached it, a clash of two valid acts, always held for a clerk
        self.locked: set[tuple[str, str]] = set()


MAX_RULE_HOLDS = 200  # more clashes than this in one package: refused as a whole, as any refused record


def apply(
    session: Session,
    path: Path,
    *,
    dry_run: bool = False,
    operator: str | None = None,
    progress: Progress | None = None,
    held: dict[tuple[str, str], str] | None = None,
) -> ImportReport:
    """The import inside the caller's transaction (the caller commits or rolls back). `held`: records to hold
    for the rules (rule_holds), with the rule's message."""
    if not workspace.is_initialised(session):
        raise OldcommError("数据库尚未初始化，请先运行 oldcomm init（或 oldcomm demo）")
    path = Path(path)
    if progress:
        progress(0, 0, "校验数据包…")
    pkg = package.read(path, verify_signature=signature_check(session))
    scope = check_addressing(session, pkg)
    check_values(pkg, scope)
    m = pkg.manifest
    sender = m.sender_code
    report = ImportReport(
        package_id=m["package_id"],
        file_name=path.name,
        sender_code=sender,
        sender_name=m["sender"].get("name", ""),
        created_at=m["created_at"],
        dry_run=dry_run,
    )
    if m["sender"]["mode"] == workspace.COUNTY:
        report.not_taken = not_taken.said(m)
    report.imported_before = session.scalar(
        select(func.max(SyncImport.imported_at)).where(
            SyncImport.package_id == m["package_id"], SyncImport.status == "applied"
        )
    )
    # The merge writes through Core (writes.py), which the returns' period lock (an ORM flush hook) does not
    # see; the flag says so for any ORM flush on the way too: what arrives was approved or decided on the
    # other side. A township's edit of a period the county approved is checked in the bulk path instead
    # (importing/period_locks.py): made before the approval reached the township, it was not refused there.
    unlocked = session.info.get("returns_unlocked")
    session.info["returns_unlocked"] = True
    try:
        from oldcomm_desktop.storage.database import page_cache

        # the bigger page cache for the whole merge (the bulk write sets it for its part anyway), set back after
        with page_cache(session):
            return _merge(
                session, pkg, scope, report, operator=operator, progress=progress, dry_run=dry_run, held=held or {}
            )
    except IntegrityError:
        raise OldcommError(
            "数据包中的记录引用了本数据库中没有的上级记录（例如小区所属的项目），无法导入。"
            "请让对方导出完整数据包（oldcomm sync export --full）后再导入。"
        ) from None
    finally:
        if unlocked is None:
            session.info.pop("returns_unlocked", None)
        else:
            session.info["returns_unlocked"] = unlocked


def _merge(
    session: Session,
    pkg: package.ReadPackage,
    scope: str,
    report: ImportReport,
    *,
    operator: str | None,
    progress: Progress | None,
    dry_run: bool,
    held: dict[tuple[str, str], str],
) -> ImportReport:
    m = pkg.manifest
    sender = m.sender_code
    conn = session.connection()
    now = utcnow()
    who = operator or f"数据包导入（{sender}）"
    import_id = str(uuid.uuid4())
    report.import_id = None if dry_run else import_id
    if _fills_database(conn, pkg):  # before the first write of the transaction (see _fills_database)
        from oldcomm_desktop.storage import database

        database.filling_new_file(session)
    keymaps = tables.KeyMaps(conn)
    changes.scan(session, keys=keymaps)  # local edits get their vectors before anything is merged
    images: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    if pkg.catalogue and m["sender"]["mode"] == workspace.TOWNSHIP:
        report.catalogue_changed = _add_villages(conn, pkg, keymaps, images, audit, import_id, now, who)
        keymaps.reload(("division",))
    elif pkg.catalogue:
        report.catalogue_changed = _apply_catalogue(
            conn, pkg, keymaps, images, audit, import_id, now, who, report=report, scope=scope
        )
        keymaps.reload()
    report.catalogue_changed += used_entries.revive(  # a deleted entry their records use comes back, retired
        conn,
        pkg.records,
        keymaps,
        image=lambda n, i, before, v, sh: images.append(_image(import_id, n, i, before, v, sh)),
        audit=lambda n, i, f, old, new: audit.append(_audit(now, who, n, i, "update", f, old, new)),
        now=now,
    )
    total = sum(len(r) for r in pkg.records.values())
    done = 0
    from_county = m["sender"]["mode"] == workspace.COUNTY
    county_as = None if from_county else _county_as(session)
    lost_acts: set[str] = set()  # county acts coming back that are left out (_own_act_back, _act_has_parent)
    addressed = addressed_orders(conn, pkg, scope) if from_county else set()
    shas: dict[str, bool] = {}
    # Writes wait until every record is merged: the tables the bulk write path knows go through it first (one
    # batch, parents with their children, the same rules as a single edit), then the others, parents first.
    bulk_rows: dict[str, list[dict[str, Any]]] = {}
    later: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]] = []
    written: dict[str, list[changes.ShadowRow]] = {}  # shadows of records the bulk path writes
    # a live record under a parent deleted here is held; the owners the package's photos name are parents too
    parents = deleted_parents.ParentStates(conn, _owner_tables(pkg))
    fresh_shadows: list[changes.ShadowRow] = []  # first shadows, inserted at the end in key order (B-tree appends)
    held_deletions: set[tuple[str, str]] = set()  # records whose deletion from them is a conflict here (kept live)
    decided_deleted: set[tuple[str, str]] = set()  # records whose deletion here they decided to keep (deleted)
    # parents whose deletion arrives while a record under them, deleted with them, was edited here meanwhile
    held_for_children = _parents_held_by_children(conn, pkg)
    disputed: dict[str, dict[str, dict[str, Any]]] = {}  # their values of conflicting fields, per table and record
    rule_waiting = rule_holds.open_holds(conn) if _any_open_conflict(conn) else set()  # held for the rules before
    rule_passed: list[tuple[str, str]] = []  # of those, the ones merged this time
    for name in tables.SHARED_TABLES:
        rows = pkg.records.get(name)
        if not rows:
            continue
        counts = report.tables.setdefault(name, TableCounts())
        codec = tables.RowCodec(name, keymaps)
        fields = [c.name for c in codec.columns]
        derived = tables.DERIVED_BY_TABLE.get(name, frozenset())
        t = codec.table
        through_bulk = name in BULK_TABLES
        holds = through_bulk or name in deleted_parents.CHILD_TABLES  # a record under a parent deleted here is held
        texts = pkg.state_texts.get(name, {})  # the states' own text: stored as the shadow, not dumped again
        created: list[str] = []  # ids of records new here
        # Nothing stored yet (a first package): no IN list of 2,000 ids per chunk asks for rows, shadows or
        # conflicts that cannot be there. The merge writes this table's rows and first shadows only at the end.
        rows_here = conn.execute(select(t.c.id).limit(1)).first() is not None
        shadows_here = changes.has_shadows(conn, name)
        # Asked once per table rather than per record (this loop runs once per record of a package):
        refs = list(codec.refs.items())
        known_keys: set[tuple[str, str]] = set()  # catalogue keys found here (each looked up once)
        acts = not from_county and name in tables.COUNTY_ACTS  # a county's act a township may not send
        noted = parents.notes(name)  # its records are parents of later tables' records
        decode = codec.decode
        for i in range(0, len(rows), CHUNK):
            part = rows[i : i + CHUNK]
            ids = [r["id"] for r in part]
            live = {r._mapping["id"]: r for r in conn.execute(select(t).where(t.c.id.in_(ids)))} if rows_here else {}
            if holds:
                parents.load(name, part)
            shadows = changes.load_shadows(conn, name, ids) if shadows_here else {}
            open_conflicts = (
                {
                    (c.record_id, c.field): c
                    for c in conn.execute(
                        select(CONFLICT).where(CONFLICT.c.record_id.in_(ids), CONFLICT.c.status == "open")
                    )
                }
                if _any_open_conflict(conn)
                else {}
            )
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            new_shadows: list[changes.ShadowRow] = []
            for r in part:
                rid, theirs, theirs_clocks = r["id"], r["v"], r["c"]
                for col, target in refs:
                    key = theirs.get(col)
                    if key is None or (target, key) in known_keys:
                        continue
                    if keymaps.ident(target, key) is None:
                        raise PackageError(
                            f"数据包内{record_names.named(conn, name, rid, theirs)}引用的目录项“{key}”"
                            "在本数据库中不存在；"
                            "请先从县里导入目录，或由县里在目录中加上它"
                        )
                    known_keys.add((target, key))
                wide = theirs.get("township_code") is None and county_wide(name, theirs)
                if wide:
                    order_id = rid if name in tables.COUNTY_WIDE else theirs.get("owner_id")
                    if not from_county or order_id not in addressed:
                        raise PackageError(
                            f"数据包内{record_names.named(conn, name, rid, theirs)}不是发给 {scope} 的督办，已拒绝"
                        )
                owner = None if wide else scope
                row = live.get(rid)
                leave_out = answered = False
                if row is None and acts and _county_act(name, theirs):
                    back = _own_act_back(theirs_clocks, county_as)
                    has_parent = _act_has_parent(conn, pkg, name, theirs, lost_acts)
                    if back is None and (has_parent or not _answered_act(theirs_clocks, county_as)):
                        raise PackageError(
                            f"数据包内{record_names.named(conn, name, rid, theirs)}是县里的审核或督办操作，"
                            "乡镇（街道）不能上报，已拒绝"
                        )
                    leave_out, answered = back != TAKE or not has_parent, back is None
                elif row is None and county_as is not None and _answers_lost_order(name, theirs):
                    # the township's answer to an order lost here: left out with its target
                    leave_out = answered = not _act_has_parent(conn, pkg, name, theirs, lost_acts)
                if leave_out:
                    lost_acts.add(rid)
                    shown = record_names.named(conn, name, rid, theirs)
                    report.left_out.append(shown)
                    if answered:  # the township's own work: its next package from here tells it (not_taken)
                        report.not_taken_here.append((name, rid, shown))
                    counts.unchanged += 1
                    continue
                if held and (name, rid) in held:  # the rules refuse it merged with ours: a conflict (rule_holds)
                    report.conflicts.append(
                        rule_holds.hold(
                            conn,
                            name=name,
                            line=r,
                            why=held[(name, rid)],
                            scope=scope,
                            sender=sender,
                            import_id=import_id,
                            now=now,
                            ours_at=row._mapping["updated_at"] if row is not None else None,
                        )
                    )
                    counts.conflicts += 1
                    if noted:
                        parents.note(name, rid, now.isoformat(), held=True)  # its children wait with it
                    continue
                if rule_waiting and (name, rid) in rule_waiting:
                    rule_passed.append((name, rid))
                if name == "attachment" and not theirs.get("deleted_at"):
                    shas.setdefault(theirs["sha256"], True)
                if row is None:
                    if (
                        holds
                        and parents.deleted_parent(name, theirs) is not None
                        and _held(parents, name, r, theirs, report, counts, conn, scope, sender, import_id, now, None)
                    ):
                        continue
                    if noted:
                        gone = theirs.get("deleted_at")
                        parents.note(name, rid, gone, sent_deleted=gone is not None)
                    values = decode(theirs)  # a new dict: the package's own stays the shadow's state
                    values["id"] = rid
                    inserts.append(values)
                    state_text, clock_text = texts.get(rid, _NO_TEXTS)
                    one_clock = len(theirs_clocks) == 1
                    new_shadows.append(
                        changes.ShadowRow(
                            name,
                            rid,
                            owner,
                            theirs,
                            theirs_clocks if one_clock else merge.compact(dict(theirs_clocks)),
                            0,
                            sender,
                            state_text=state_text,
                            clock_text=clock_text if one_clock else "",
                        )
                    )
                    if rid in shadows:  # a shadow without its row (rolled back before): kept whole
                        images.append(_image(import_id, name, rid, None, 1, shadows[rid]))
                    else:  # nothing to roll back to: the id alone (one image per table, see _created_image)
                        created.append(rid)
                    if not through_bulk:
                        audit.append(_audit(now, who, name, rid, "create"))
                    counts.added += 1
                    if theirs.get("deleted_at"):
                        counts.deleted += 1
                    continue
                if row._mapping["township_code"] != owner:
                    raise PackageError(
                        f"数据包内{record_names.named(conn, name, rid, theirs)}在本数据库中属于"
                        f" {row._mapping['township_code']}，不属于 {scope}，已拒绝"
                    )
                sh = shadows[rid]
                result = merge.merge_record(sh.state, sh.clocks, theirs, theirs_clocks, fields, derived)
                if theirs.get(merge.DELETED) is not None and (held_deletions or result.conflicts or held_for_children):
                    _hold_deletion_with_parent(
                        name, rid, theirs, theirs_clocks, sh, result, held_deletions, (name, rid) in held_for_children
                    )
                if result.taken and holds:
                    ours_at = row._mapping["updated_at"]
                    was_live = row._mapping["deleted_at"] is None
                    if _held(
                        parents, name, r, result.values, report, counts, conn, scope, sender, import_id, now, ours_at,
                        was_live=was_live,
                    ):  # fmt: skip
                        continue
                if noted:
                    sent = _sent_deletion(theirs, theirs_clocks, sh)
                    parents.note(name, rid, result.values.get("deleted_at"), sent_deleted=sent)
                for f in result.settled:
                    c = open_conflicts.get((rid, f))
                    if c is not None and f == merge.DELETED and result.values.get(f) is not None:
                        decided_deleted.add((name, rid))  # they took our deletion: what we hold under it goes too
                    if c is not None:
                        conn.execute(
                            CONFLICT.update()
                            .where(CONFLICT.c.id == c.id)
                            .values(status="settled", resolved_at=now, resolved_by=f"对方（{sender}）")
                        )
                        report.settled.append(c.id)
                for fc in result.conflicts:
                    counts.conflicts += 1
                    if through_bulk and fc.field != merge.DELETED:  # their value, not written: checked below
                        disputed.setdefault(name, {}).setdefault(rid, {"id": rid}).update(
                            codec.decode({fc.field: fc.theirs})
                        )
                    report.conflicts.append(
                        {"table": name, "record_id": rid, "field": fc.field, "ours": fc.ours, "theirs": fc.theirs}
                    )
                    conflict_rows.write(
                        conn,
                        open_conflicts.get((rid, fc.field)),
                        table_name=name,
                        record_id=rid,
                        field=fc.field,
                        ours=fc.ours,
                        theirs=fc.theirs,
                        theirs_clock=fc.stored_clock(),
                        theirs_at=datetime.fromisoformat(r["t"]) if r.get("t") else None,
                        ours_at=row._mapping["updated_at"],
                        township_code=scope,
                        peer_code=sender,
                        import_id=import_id,
                        now=now,
                    )
                if not result.taken and result.clocks == merge.compact(dict(sh.clocks)):
                    counts.unchanged += 1
                    continue
                if result.taken:
                    decoded = codec.decode({f: result.values[f] for f in result.taken})
                    updates.append({"id": rid, **decoded})
                    for f in result.taken:
                        old, new = sh.state.get(f), result.values.get(f)
                        action = "update"
                        if f == "deleted_at":
                            action = "delete" if new is not None else "restore"
                            if new is not None:
                                counts.deleted += 1
                            else:
                                counts.restored += 1
                        if not through_bulk:
                            audit.append(_audit(now, who, name, rid, action, f, old, new))
                    if not ({"deleted_at"} >= set(result.taken)):
                        counts.changed += 1
                    images.append(_image(import_id, name, rid, sh.state, row._mapping["version"] + 1, sh))
                else:
                    images.append(_image(import_id, name, rid, sh.state, row._mapping["version"], sh))
                new_shadows.append(
                    changes.ShadowRow(
                        name, rid, owner, result.values, result.clocks, 0, sender if result.echo else None
                    )
                )
            if through_bulk:
                bulk_rows.setdefault(name, []).extend(inserts + updates)
            else:
                later.append((name, inserts, updates))
            if new_shadows:
                first = changes.allocate(session, len(new_shadows))
                for k, s in enumerate(new_shadows):
                    s.seq = first + k
                    if s.echo_of:
                        s.echo_seq = s.seq
                known = [sh for sh in new_shadows if sh.record_id in shadows]
                changes.save_shadows(conn, known, {(name, sh.record_id) for sh in known})
                fresh_shadows += [sh for sh in new_shadows if sh.record_id not in shadows]
                if through_bulk:
                    written.setdefault(name, []).extend(new_shadows)
            done += len(part)
            if progress:
                progress(done, total, f"合并{record_names.TABLE_LABELS[name]}…")
        if created:
            images.append(_created_image(import_id, name, created))
    fresh_shadows.sort(key=lambda sh: (sh.table_name, sh.record_id))
    # many first shadows into a table they at least double (a first package): the (township, seq) index is
    # built once after them instead of taking 100,000 inserts at random places (bulk.indexes_built_after)
    with bulk.indexes_built_after(conn, changes.SHADOW.name, len(fresh_shadows)):
        changes.save_shadows(conn, fresh_shadows, set())
    _forget_read(pkg, fresh_shadows)
    if progress:
        progress(total, total, "校验并写入…")
    source = f"数据包 {report.file_name}（{sender}）"
    operator_before = session.info.get("operator")
    session.info["operator"] = who  # the bulk path's audit entries name the same operator as ours
    try:
        new_items = report.tables["renovation_item"].added if "renovation_item" in report.tables else 0
        # funding lines come with the sender's dated history (funding_line_history, written below): no row of today
        with (
            _landmarks_lifted(conn, new_items),
            funding_dates.history_carried(session),
            bulk_tables.merging(  # the sender's acts (bulk_tables.merging)
                session, m["sender"]["mode"], sender, changes.made_by(conn, sender)
            ),
        ):
            moved = [r["id"] for r in bulk_rows.get("milestone", []) if "deleted_at" in r]
            _rectifications_follow(conn, keymaps, bulk_rows, written, images, import_id)
            closed_before = rectification_news.states(conn, [r["id"] for r in bulk_rows.get("rectification", ())])
            _check_disputed(session, disputed)
            try:
                _write_through_bulk(session, bulk_rows, source)
            except RulesRefused as refused:
                # a clash with a change here they have not seen, or one held for the rules already
                refused.holdable = (
                    _clashes(conn, refused, scope, sender) | (set(refused.records) & rule_waiting) | refused.locked
                )
                raise
            _refresh_status(session, moved)
        _absorb_derived(conn, keymaps, written)
        for name, inserts, updates in later:
            writes.WRITERS[name](conn, inserts, updates, now)
        _settle_versions(conn, images)
        bulk.record_event(
            session, source=source, kind="sync", counts={k: v.as_dict() for k, v in report.tables.items()}
        )
    finally:
        session.info["operator"] = operator_before
    if not dry_run:
        report.attachments_copied = _copy_attachments(session, pkg, shas)
    writes.write_audit(conn, audit)
    # records held for the rules that passed this time (the other side decided): nothing held now
    report.settled.extend(rule_holds.settle(conn, rule_passed, f"对方（{sender}）", now))
    # held records this package brought deleted (the other side took the parent's deletion): nothing held now
    report.settled.extend(deleted_parents.settled_by_arrival(conn, f"对方（{sender}）", now, _written(images)))
    # records held because a parent was deleted here, whose parent this package brought back (deleted_parents):
    # written now, each with its before-image, so a rollback of this import takes them out and holds them again
    keep_image = _image_keeper(images, import_id)
    # records held under a parent whose deletion (ours) they have now decided to keep: into the bin with it
    report.settled.extend(
        deleted_parents.settled_with_parent(session, decided_deleted, f"对方（{sender}）", record=keep_image)
    )
    report.released = deleted_parents.release(session, deleted_parents.RELEASED_BY_PACKAGE, record=keep_image)
    # records held for the rules that the rules take now (the clash was decided on either side)
    report.released += rule_holds.release(session, rule_holds.RELEASED_BY_PACKAGE, record=keep_image)
    report.reopened, report.closed = rectification_news.changed(conn, closed_before)
    insert = bulk._Insert(conn, IMPORT_ROW, skip=frozenset({"seq"}))  # tuples to the driver, as the bulk path
    for k in range(0, len(images), 5000):
        insert(images[k : k + 5000])
    _receipt(session, pkg, report, import_id, who, now)
    session.flush()
    return report


_NO_TEXTS = ("", "")
FILL_MIN_RECORDS = 5000  # a smaller package is written in WAL mode whatever the database holds


def _owner_tables(pkg: package.ReadPackage) -> set[str]:
    """The tables the package's photos and files name as their owners (record_parents.OWNED)."""
    found: set[str] = set()
    for name, (table_col, _id_col) in record_parents.OWNED.items():
        found |= {str(r["v"].get(table_col)) for r in pkg.records.get(name, ())}
    return found


def _sent_deletion(theirs: dict[str, Any], theirs_clocks: dict[str, Any], sh: changes.ShadowRow) -> bool:
    """Whether their line brings a deletion of their own: deleted, and news to us (not our deletion echoed back
    in a full package)."""
    if theirs.get(merge.DELETED) is None:
        return False
    relation = merge.compare(merge.of(theirs_clocks, merge.DELETED), merge.of(sh.clocks, merge.DELETED))
    return relation not in (merge.BEFORE, merge.SAME)


def _hold_deletion_with_parent(
    name: str,
    rid: str,
    theirs: dict[str, Any],
    theirs_clocks: dict[str, Any],
    sh: changes.ShadowRow,
    result: merge.Merged,
    held: set[tuple[str, str]],
    for_children: bool = False,
) -> None:
    """Their deletion of a record whose own deletion is a conflict here (deleted there, edited here: kept live
    until a clerk decides) is held with it: a record under it deleted in the same go (a community's items,
    milestones, money, inspections …) stays live and its deletion becomes a conflict too, which the parent's
    decision settles (`conflicts.resolve`). Else the parent would stay while everything in it went, and keeping
    the parent would not bring them back. `for_children`: the record's own deletion is held because a record
    under it is (`_parents_held_by_children`), else that record would stay live under a deleted parent."""
    gone = merge.DELETED
    if any(fc.field == gone for fc in result.conflicts):
        held.add((name, rid))  # kept live against their deletion: its children follow it
        return
    if gone not in result.taken:
        return
    if not for_children and not any(
        (parent, theirs.get(col)) in held for col, parent in deleted_parents.PARENTS.get(name, ())
    ):
        return
    mine = merge.of(sh.clocks, gone)
    result.taken.remove(gone)
    if gone in result.settled:
        result.settled.remove(gone)
    result.values[gone] = sh.state.get(gone)
    result.clocks = merge.compact({**result.clocks, gone: dict(mine)})
    result.conflicts.append(
        merge.FieldConflict(gone, sh.state.get(gone), theirs.get(gone), dict(merge.of(theirs_clocks, gone)))
    )
    result.echo = False
    held.add((name, rid))


def _parents_held_by_children(conn: Any, pkg: package.ReadPackage) -> set[tuple[str, str]]:
    """Parents whose deletion arrives in this package while a record under them, deleted with them there, was
    edited here since (the county corrected an item of a community the township deleted), or whose deletion is
    already an open conflict here (kept live), or made here and never sent to them (a milestone the county added).

    The merge meets the parent before its children (tables in order) and, field by field, would take the
    parent's deletion quietly: nobody here touched the parent. The child's deletion is a conflict (an edit
    against a deletion: kept live until a clerk decides), so the child would stay live under a deleted parent,
    which no rule allows. Found first, such a parent's deletion is held as a conflict too, and with it
    everything deleted under it (`_hold_deletion_with_parent`); the decision on any of them settles the rest
    (`conflicts.resolve`). Up the chain: a grandparent deleted in the same package is held as well. Costs
    nothing for a package without deletions of parents live here.
    """
    arriving: dict[tuple[str, str], dict[str, Any]] = {}
    for name in deleted_parents.PARENT_TABLES:
        for r in pkg.records.get(name, ()):
            if r["v"].get(merge.DELETED) is not None:
                arriving[(name, r["id"])] = r["v"]
    if not arriving:
        return set()
    for name in {t for t, _ in arriving}:  # only parents live here can end under a held child
        t = tables.table(name)
        ids = sorted(i for n, i in arriving if n == name)
        for k in range(0, len(ids), 500):
            q = select(t.c.id).where(t.c.id.in_(ids[k : k + 500]), t.c.deleted_at.is_not(None))
            for (rid,) in conn.execute(q):
                del arriving[(name, rid)]
    held: set[tuple[str, str]] = set()
    # a record under one of them whose deletion is already a conflict here, kept live (an earlier package)
    waiting = select(CONFLICT.c.table_name, CONFLICT.c.record_id).where(
        CONFLICT.c.status == "open", CONFLICT.c.field == merge.DELETED
    )
    carried: dict[str, set[str]] = {}
    for name, rid in conn.execute(waiting).all():
        pairs = deleted_parents.PARENTS.get(name, ())
        if name not in carried:
            carried[name] = {r["id"] for r in pkg.records.get(name, ())}
        if not pairs or rid in carried[name]:
            continue  # one the package carries is merged below: its conflict may settle now
        t = tables.table(name)
        row = conn.execute(select(t).where(t.c.id == rid, t.c.deleted_at.is_(None))).first()
        if row is not None:
            held.update((p, row._mapping[col]) for col, p in pairs if (p, row._mapping[col]) in arriving)
    # records made here under them, which they never saw (their deletion would have taken those it knew)
    for name, col, p in record_parents.KEPT_WITH_PARENT:
        t = tables.table(name)
        if carried.get(name) is None:
            carried[name] = {r["id"] for r in pkg.records.get(name, ())}
        ids = sorted(i for n, i in arriving if n == p)
        for k in range(0, len(ids), 500):
            q = select(t.c.id, t.c[col]).where(t.c[col].in_(ids[k : k + 500]), t.c.deleted_at.is_(None))
            for rid, pid in conn.execute(q):
                if rid not in carried[name]:
                    held.add((p, pid))
    for name, pairs in deleted_parents.PARENTS.items():
        rows = [
            r
            for r in pkg.records.get(name, ())
            if r["v"].get(merge.DELETED) is not None and any((p, r["v"].get(col)) in arriving for col, p in pairs)
        ]
        if not rows:
            continue
        shadows = changes.load_shadows(conn, name, [r["id"] for r in rows])
        fields = [c.name for c in tables.data_columns(name)]
        derived = tables.DERIVED_BY_TABLE.get(name, frozenset())
        for r in rows:
            sh = shadows.get(r["id"])
            if sh is None:
                continue
            result = merge.merge_record(sh.state, sh.clocks, r["v"], r["c"], fields, derived)
            if any(fc.field == merge.DELETED and fc.ours is None for fc in result.conflicts):
                held.update((p, r["v"].get(col)) for col, p in pairs if (p, r["v"].get(col)) in arriving)
    grown = held
    while grown:  # their parents deleted in the same package, and theirs
        up = {
            (p, str(arriving[key].get(col)))
            for key in grown
            for col, p in deleted_parents.PARENTS.get(key[0], ())
            if (p, arriving[key].get(col)) in arriving
        }
        grown = up - held
        held |= grown
    return held


def _forget_read(pkg: package.ReadPackage, stored: list[changes.ShadowRow]) -> None:
    """Let go of what the merge has used of the package once the first shadows are stored: each line's own
    dict (id, time, state, clocks) and the states' texts. What a later step asks of a record is its shadow's
    state (`_absorb_derived` compares the derived columns, and writes a shadow it changes from the state).
    Why: a text is held twice, as read (UCS-2 when it holds Chinese) and as the UTF-8 copy the driver attached
    to it when binding it; with the lines ~2 KB a record, 200 MB of a 100,000-record package that the bulk
    write's rows would otherwise be allocated beside."""
    for sh in stored:
        sh.state_text = sh.clock_text = ""
    for texts in pkg.state_texts.values():
        texts.clear()
    pkg.state_texts.clear()
    for lines in pkg.records.values():
        lines.clear()


def _fills_database(conn: Any, pkg: package.ReadPackage) -> bool:
    """Whether this import at least doubles the records here: the package brings at least as many records as
    the shared tables hold (a county's first package from a township, a township's first from its county).

    Such an import is written with a rollback journal (`storage.database.filling_new_file`, as the demo fills a
    new file) and the file is in WAL mode again when the transaction ends. Why: in WAL mode every page the
    import writes goes into the -wal and is copied into the file again at commit (a first package of 100,000
    records writes 220 MB, twice); a rollback journal keeps only the original content of the pages that
    existed when the transaction began — fewer than the import writes, as it at least doubles the records — and
    the new pages are written once. Safety is unchanged (synchronous=FULL, one writer, a failure, refusal,
    cancel or dry run rolls the file back to as it was, a crash is rolled back by the next open). When SQLite
    cannot switch (another connection on the file, a transaction already open) the import stays in WAL.
    SQLite only; counted table by table until the package's size is passed (a big database: a few tables)."""
    if conn.dialect.name != "sqlite":
        return False
    incoming = sum(len(rows) for rows in pkg.records.values())
    if incoming < FILL_MIN_RECORDS:
        return False
    quote = conn.dialect.identifier_preparer.quote
    held = 0
    for name in tables.SHARED_TABLES:
        held += conn.exec_driver_sql(f"SELECT count(*) FROM {quote(name)}").scalar() or 0
        if held > incoming:
            return False
    return True


def _clashes(conn: Any, refused: RulesRefused, scope: str, sender: str) -> set[tuple[str, str]]:
    """Which refused records may clash with a change made here that `sender` has not acknowledged — the record
    itself, its parent, or a record beside it under the same parent changed here since (only then can a record
    the sender's own rules passed be refused here; rule_holds). Anything else is a record its own rules refuse:
    a damaged or forged package, refused as a whole."""
    acked = conn.execute(select(SyncPeer.acked_seq).where(SyncPeer.code == sender)).scalar() or 0
    sh = changes.SHADOW.c
    mine = or_(sh.echo_of.is_(None), sh.echo_of != sender, sh.echo_seq != sh.seq)
    unsent = and_(sh.township_code == scope, sh.seq > acked, mine)  # what the next package to them would carry

    def changed(name: str, rid: Any) -> bool:
        q = select(sh.seq).where(sh.table_name == name, sh.record_id == rid, unsent)
        return conn.execute(q.limit(1)).first() is not None

    found = set()
    for (name, rid), ups in refused.parents.items():
        if changed(name, rid) or any(changed(ptable, pid) for _col, ptable, pid in ups):
            found.add((name, rid))
            continue
        t = tables.table(name)
        for col, _ptable, pid in ups:  # a record beside it (our own 纳入年度计划 of the same community)
            beside = and_(t.c.id == sh.record_id, sh.table_name == name)
            q = select(sh.seq).join(t, beside).where(t.c[col] == pid, unsent)
            if conn.execute(q.limit(1)).first() is not None:
                found.add((name, rid))
                break
    return found


def _any_open_conflict(conn: Any) -> bool:
    return conn.execute(select(CONFLICT.c.id).where(CONFLICT.c.status == "open").limit(1)).first() is not None


def _held(
    parents, name, line, values, report, counts, conn, scope, sender, import_id, now, ours_at, *, was_live=False
) -> bool:
    """Hold a record that would end live under a parent deleted here: a conflict, not a refused package
    (see deleted_parents). Its children in this package are held in turn (their parent is not written).
    `was_live`: the record is stored here live (a photo live beside its deleted owner is not held for it)."""
    parent = parents.deleted_parent(name, values, was_live=was_live)
    if parent is None:
        return False
    report.conflicts.append(
        deleted_parents.hold(
            conn,
            name=name,
            line=line,
            parent=parent,
            scope=scope,
            sender=sender,
            import_id=import_id,
            now=now,
            ours_at=ours_at,
        )
    )
    counts.conflicts += 1
    parents.note(name, line["id"], parent[2], held=True)  # its own children wait for it
    return True


def _write_through_bulk(session: Session, rows: dict[str, list[dict[str, Any]]], source: str) -> bulk.Plan | None:
    """Merged records of the tables the bulk write path knows, written through it (importing/bulk.py).

    The same parsing and rules as a single edit (questions a clerk answered on the other side count as
    answered), the same derived columns, list shapes and full-text index, one audit entry per record and
    field. A deletion or restore is never refused (`tombstones`). Columns beyond the service's fields (creation
    time, deletion time, what the other side derived) are carried as they are; derived ones are recomputed.
    A record that fails its rules here refuses the whole package: nothing is written.

    A refused record is named by its table and id (`_package_label`), made only for the message rather than
    for every record. `rows` is emptied once the plan is made: the plan holds rows of its own, and the package's
    decoded values (~1 KB a record) need not stay beside them while they are written.
    """
    if not rows:
        return None
    carry = {name: _carried(name) for name in rows}
    plan = bulk.prepare(session, rows, confirm=True, carry=carry, tombstones=True)
    if plan.rejected:
        conn = session.connection()
        shown = [
            f"{_package_label(o, conn, rows[o.table][o.index])}：{p.label}{p.message}"
            for o in plan.rejected[:5]
            for p in o.problems[:1]
        ]
        more = f"等 {len(plan.rejected)} 条" if len(plan.rejected) > 5 else ""
        refused = RulesRefused(
            f"数据包中有记录未通过本数据库的校验{more}，没有导入任何内容：{'；'.join(shown)}。"
            "请对方核对这些记录后重新导出，或先更新本数据库的目录和区划。",
            {
                (o.table, rows[o.table][o.index]["id"]): "；".join(f"{p.label}{p.message}" for p in o.problems)[:500]
                for o in plan.rejected
            },
            {
                (o.table, rows[o.table][o.index]["id"]): _parents_named(conn, o.table, rows[o.table][o.index])
                for o in plan.rejected
            },
        )
        refused.locked = {
            (o.table, rows[o.table][o.index]["id"])
            for o in plan.rejected
            if any(p.field == period_locks.FIELD for p in o.problems)
        }
        raise refused
    rows.clear()
    bulk.apply(session, plan, source=source, kind="sync", event=False)
    return plan


def _parents_named(conn: Any, name: str, row: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(column, parent table, parent id) of each parent a refused record names. A stored record's row names only
    what changed (a deletion: `deleted_at`), so its parents are read as stored: a refused deletion of 开工 is a
    clash with the 完工 recorded beside it here (_clashes), not a package refused for good."""
    pairs = deleted_parents.PARENTS.get(name, ())
    missing = [col for col, _p in pairs if col not in row]
    stored: dict[str, Any] = {}
    if missing:
        t = tables.table(name)
        found = conn.execute(select(*(t.c[col] for col in missing)).where(t.c.id == row["id"])).first()
        stored = dict(found._mapping) if found is not None else {}
    named = [(col, ptable, row[col] if col in row else stored.get(col)) for col, ptable in pairs]
    return [(col, ptable, pid) for col, ptable, pid in named if pid is not None]


def _check_disputed(session: Session, disputed: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Their values of conflicting fields, through the same rules as any write, without writing them.

    A conflict keeps ours and records theirs for a clerk; a value the rules refuse (-5 households in a package
    altered and signed again) would sit there until "take theirs" was refused. It is refused now, with the
    package, as it would have been had it not collided with an edit here."""
    if not disputed:
        return
    rows = {name: list(by_id.values()) for name, by_id in disputed.items()}
    carry = {name: _carried(name) for name in rows}
    plan = bulk.prepare(session, rows, confirm=True, carry=carry, tombstones=True)
    if plan.rejected:
        conn = session.connection()
        shown = [f"{_package_label(o, conn)}：{p.label}{p.message}" for o in plan.rejected[:5] for p in o.problems[:1]]
        raise PackageError(
            f"数据包中有与本方修改冲突的值未通过本数据库的校验，没有导入任何内容：{'；'.join(shown)}。"
            "请对方核对这些记录后重新导出。"
        )


def _package_label(out: bulk.RowOutcome, conn: Any = None, values: dict[str, Any] | None = None) -> str:
    """How a refusal names a package's record: its table and name (数据包内小区“幸福里”), from the package's values
    or the stored row, else the end of its id."""
    return f"数据包内{record_names.named(conn, out.table, out.id, values)}"


@contextlib.contextmanager
def _landmarks_lifted(conn: Any, new_items: int) -> Iterator[None]:
    """A package bringing many new items (a first package) writes them with the item-landmark triggers of
    migration 0014 lifted, then recomputes the landmarks once (`stored_landmarks.refresh`, as the bulk path
    does after a big import anyway): the triggers would update the landmarks once per item, only for the
    refresh to replace them. Inside the transaction (SQLite's DDL rolls back with the rows)."""
    if conn.dialect.name != "sqlite" or new_items < bulk.BULK_INDEX_ROWS:
        yield
        return
    from oldcomm_desktop.core import stored_landmarks
    from oldcomm_desktop.core.listing_index import sqlite_objects_lifted

    with contextlib.ExitStack() as lifted:
        for name in stored_landmarks.TRIGGER_NAMES:
            lifted.enter_context(sqlite_objects_lifted(conn, "trigger", name=name))
        yield
    stored_landmarks.refresh(conn)


def _rectifications_follow(
    conn: Any,
    keymaps: tables.KeyMaps,
    bulk_rows: dict[str, list[dict[str, Any]]],
    written: dict[str, list[changes.ShadowRow]],
    images: list[dict[str, Any]],
    import_id: str,
) -> None:
    """The live rectifications of the re-inspections the package writes are derived in the same batch, even when
    the merge left their own row as ours (rectifications_follow.py): each gets a before-image (a rollback puts its
    state back) and its shadow takes the derived state (`_absorb_derived`), as a rectification the package wrote."""
    added = rectifications_follow(conn, bulk_rows.get("reinspection", ()), bulk_rows, keymaps)
    if not added:
        return
    imaged = {im["record_id"] for im in images if im["table_name"] == "rectification"}
    shadowed = {sh.record_id for sh in written.get("rectification", ())}
    for rect_id, before, shadow in added:
        if rect_id not in imaged:  # the version after the write is read by _settle_versions
            images.append(_image(import_id, "rectification", rect_id, before, 0, shadow))
        if shadow is not None and rect_id not in shadowed:
            written.setdefault("rectification", []).append(shadow)


def _refresh_status(session: Session, milestone_ids: list[str]) -> None:
    """A milestone deleted or restored by the package moves its communities' status, as milestones.remove
    does (milestones.refresh_statuses says why the bulk path does not see it)."""
    if not milestone_ids:
        return
    from oldcomm_desktop.core.milestones import refresh_statuses
    from oldcomm_desktop.core.model import Milestone

    communities: set[str] = set()
    projects: set[str] = set()
    for k in range(0, len(milestone_ids), 500):
        q = select(Milestone.community_id, Milestone.project_id).where(Milestone.id.in_(milestone_ids[k : k + 500]))
        for cid, pid in session.execute(q):
            if cid:
                communities.add(cid)
            elif pid:
                projects.add(pid)
    refresh_statuses(session, communities, projects)


LOCAL_DERIVED_EXCLUDED = frozenset({"created_at", "deleted_at", "township_code"})


def _absorb_derived(conn: Any, keymaps: tables.KeyMaps, written: dict[str, list[changes.ShadowRow]]) -> None:
    """The derived columns the bulk path computed here (pinyin keys, sort shapes, status, totals) go into the
    shadow as they are stored, so the next scan does not take them for a clerk's edit and send every record
    straight back; a difference in a clerk's field (a default the rules filled in) is left for the scan to send.

    Except in a record that ends deleted: there the merged value of a column both sides derive (merge.py: the
    larger one on both sides) is written back into the row. A tombstone's status is derived from what is live
    here, which differs by side (the county's 纳入年度计划 under a community the township deleted: 已纳入计划 at
    the county, 储备 at the township); kept, each side held its own value under the same vector, and the two never
    agreed once both had deleted the record. Nothing recomputes a deleted record later, so the merged value
    stays."""
    for name, shadows in written.items():
        derived = sorted(_carried(name) - LOCAL_DERIVED_EXCLUDED)
        if not derived:
            continue
        codec = tables.RowCodec(name, keymaps)
        encoders = dict(codec.encoders)
        t = codec.table
        cols = [t.c.id, *(t.c[c] for c in derived)]
        ids = [sh.record_id for sh in shadows]
        stored: dict[str, Any] = {}
        if len(ids) >= 5000 and 2 * len(ids) >= (conn.execute(select(func.count()).select_from(t)).scalar() or 0):
            wanted = set(ids)  # most of the table (a first package): one pass, not an IN list per 500 ids
            stored = {r[0]: r[1:] for r in conn.execute(select(*cols)) if r[0] in wanted}
        else:
            for k in range(0, len(ids), 500):  # only the derived columns: the list shapes are written apart
                stored.update({r[0]: r[1:] for r in conn.execute(select(*cols).where(t.c.id.in_(ids[k : k + 500])))})
        encode = [(k, c, encoders[c]) for k, c in enumerate(derived)]
        merged = tables.DERIVED_BY_TABLE.get(name, frozenset())  # both sides agree on these (merge.py)
        changed: list[changes.ShadowRow] = []
        kept: list[dict[str, Any]] = []  # a tombstone's merged values, written back
        for sh in shadows:
            row = stored.get(sh.record_id)
            if row is None:
                continue
            diff = {}
            state = sh.state
            tombstone = state.get(merge.DELETED) is not None
            back = {}
            for k, c, enc in encode:
                value = enc(row[k])
                if value != state.get(c):
                    if tombstone and c in merged:
                        back[c] = state.get(c)
                    else:
                        diff[c] = value
            if back:
                kept.append({"id": sh.record_id, **codec.decode(back)})
            if diff:
                sh.state = {**sh.state, **diff}
                sh.state_text = ""
                changed.append(sh)
        if kept:
            writes.WRITERS[name](conn, [], kept, utcnow())
        if changed:
            changes.save_shadows(conn, changed, {(name, sh.record_id) for sh in changed})


def _carried(name: str) -> frozenset[str]:
    spec = bulk_tables.SPECS[name]
    return frozenset(c.name for c in tables.data_columns(name)) - set(spec.fields) - spec.refs


def _settle_versions(conn: Any, images: list[dict[str, Any]]) -> None:
    """The version each changed row really has after the writes (the bulk path leaves a row whose merged values
    equal the stored ones untouched), so a rollback's "changed since?" check compares the right number."""
    by_table: dict[str, list[dict[str, Any]]] = {}
    for img in images:
        if img["before"] is not None and img["table_name"] in BULK_TABLES and img["record_id"] != CREATED:
            by_table.setdefault(img["table_name"], []).append(img)
    for name, imgs in by_table.items():
        t = tables.table(name)
        ids = [img["record_id"] for img in imgs]
        versions: dict[str, int] = {}
        for k in range(0, len(ids), 500):
            q = select(t.c.id, t.c.version).where(t.c.id.in_(ids[k : k + 500]))
            versions.update({r[0]: r[1] for r in conn.execute(q)})
        for img in imgs:
            img["after_version"] = versions.get(img["record_id"], img["after_version"])


def _image(
    import_id: str, name: str, rid: str, before: dict | None, after_version: int, shadow: changes.ShadowRow | None
) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "table_name": name,
        "record_id": rid,
        "before": tables.dumps(before) if before is not None else None,
        "after_version": after_version,
        "shadow_before": shadow.as_json() if shadow is not None else None,
    }


def _image_keeper(images: list[dict[str, Any]], import_id: str) -> deleted_parents.Recorder:
    """The `record` of a release: the before-image of each record it writes. A record this import wrote already
    (a rectification it restored, derived again once the re-inspection held under it is written) keeps its first
    image, with the version it has now: a rollback puts it back as it was before the import, in one step."""
    by_record = {(im["table_name"], im["record_id"]): im for im in images}

    def keep(name: str, rid: str, before: dict | None, version: int, sh: changes.ShadowRow | None) -> None:
        found = by_record.get((name, rid))
        if found is not None:
            found["after_version"] = version
            return
        by_record[(name, rid)] = im = _image(import_id, name, rid, before, version, sh)
        images.append(im)

    return keep


CREATED = "*"  # sync_import_row.record_id of the one image listing the records an import created in a table


def _written(images: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(table, id) of every record the import wrote, from its before-images (one image lists those it created)."""
    out: set[tuple[str, str]] = set()
    for im in images:
        if im["record_id"] == CREATED:
            out.update((im["table_name"], rid) for rid in json.loads(im["before"]))
        else:
            out.add((im["table_name"], im["record_id"]))
    return out


def _created_image(import_id: str, name: str, ids: list[str]) -> dict[str, Any]:
    """The records an import created in one table, as one before-image: their ids (JSON list) in `before`.

    A new record has nothing to roll back to (its rollback deletes it, as the version-1 check allows), so a
    first package of 100,000 records writes one row per table here instead of one per record
    (history.rollback expands it)."""
    return {
        "import_id": import_id,
        "table_name": name,
        "record_id": CREATED,
        "before": json.dumps(ids),
        "after_version": 1,
        "shadow_before": None,
    }


def _audit(
    now: datetime, who: str, name: str, rid: str, action: str, f: str | None = None, old: Any = None, new: Any = None
) -> dict:
    return {
        "at": now,
        "operator": who,
        "table_name": name,
        "record_id": rid,
        "action": action,
        "field": f,
        "old_value": old,
        "new_value": new,
    }


def _apply_catalogue(conn, pkg, keymaps, images, audit, import_id, now, who, report=None, scope=None) -> int:
    """The county's catalogue, matched row by row by natural key (code); see `catalogue_field`.

    The county is authoritative for its codes: an entry it sends that the township lacks is added, and a
    field the township never touched follows the county. Entries the township added (codes the county does
    not send) are left alone. A field the township changed itself (a local label) is never silently replaced:
    it stays while the county keeps its value, and becomes a conflict (keep ours / take theirs) when the county
    changes that field too. The county's last values are kept as the entry's shadow to tell the cases apart.
    """
    changed = 0
    sender = pkg.manifest.sender_code
    for name in tables.CATALOGUE_TABLES:
        rows = pkg.catalogue.get(name)
        if not rows:
            continue
        codec = tables.RowCodec(name, keymaps)
        t = codec.table
        local = {r._mapping["id"]: r for r in conn.execute(select(t))}
        last_seen = changes.load_shadows(conn, name, list(local))
        self_refs = [c for c, target in codec.refs.items() if target == name]
        inserts, updates, later, seen = [], [], [], []
        for r in rows:
            values = dict(r["v"])
            for c in self_refs:  # a parent in the same table may come later: set it in a second step
                if values.get(c) is not None:
                    later.append((r["key"], c, values[c]))
                values.pop(c, None)
            for col, target in codec.refs.items():
                if col in values and values[col] is not None and keymaps.ident(target, values[col]) is None:
                    raise PackageError(f"县里的目录 {name}（{r['key']}）引用了不存在的“{values[col]}”，数据包有误")
            decoded = codec.decode(values)
            local_id = keymaps.ident(name, r["key"])
            if local_id is None:
                ident = r["id"] if r["id"] not in local else new_id()
                inserts.append({"id": ident, **decoded})
                images.append(_image(import_id, name, ident, None, 1, None))
                audit.append(_audit(now, who, name, ident, "create"))
                seen.append(changes.ShadowRow(name, ident, None, dict(r["v"]), {}, 0))
                continue
            current = codec.encode(local[local_id])
            shadow = last_seen.get(local_id)
            edited_here = local[local_id]._mapping["version"] > 1  # seeded at 1: a first package finds edits so
            diff = {}
            for k, v in values.items():
                if k == "created_at" or current.get(k) == v:
                    continue
                rule = catalogue_field(current.get(k), v, shadow.state if shadow else None, k, edited_here)
                if rule == TAKE:
                    diff[k] = v
                elif rule == CONFLICT_FIELD and report is not None:
                    ours_at = local[local_id]._mapping["updated_at"]
                    _catalogue_conflict(
                        conn, report, name, local_id, k, current, v, ours_at, sender, scope, import_id, now
                    )
            merged_state = {**(shadow.state if shadow else {}), **r["v"]}
            seen.append(changes.ShadowRow(name, local_id, None, merged_state, {}, 0))
            if diff:
                updates.append({"id": local_id, **codec.decode(diff)})
                images.append(
                    _image(import_id, name, local_id, current, local[local_id]._mapping["version"] + 1, shadow)
                )
                for k, v in diff.items():
                    audit.append(_audit(now, who, name, local_id, "update", k, current.get(k), v))
            elif shadow is None or shadow.state != merged_state:  # only what we know of the county's moved:
                version = local[local_id]._mapping["version"]  # a rollback puts that back too
                images.append(_image(import_id, name, local_id, current, version, shadow))
        writes.WRITERS[name](conn, inserts, updates, now)
        changed += len(inserts) + len(updates)
        changes.save_shadows(conn, seen, {(name, i) for i in last_seen})
        keymaps.reload((name,))
        for key, col, parent_key in later:
            ident, parent = keymaps.ident(name, key), keymaps.ident(name, parent_key)
            row = conn.execute(select(t).where(t.c.id == ident)).first()
            if row is not None and parent is not None and row._mapping[col] != parent:
                writes.WRITERS[name](conn, [], [{"id": ident, col: parent}], now)
    return changed


def _add_villages(conn, pkg, keymaps, images, audit, import_id, now, who) -> int:
    """The villages (社区/村) a township chose or added, up at the county: the ones the county lacks are added
    (so its lists and returns name them); a code the county already holds keeps the county's entry (the county
    is authoritative for the codes it has)."""
    codec = tables.RowCodec("division", keymaps)
    inserts = []
    known = {r[0] for r in conn.execute(select(codec.table.c.id))}
    for r in pkg.catalogue.get("division", []):
        if keymaps.ident("division", r["key"]) is not None:
            continue
        values = codec.decode(dict(r["v"]))
        ident = r["id"] if r["id"] not in known else new_id()
        inserts.append({"id": ident, **values})
        images.append(_image(import_id, "division", ident, None, 1, None))
        audit.append(_audit(now, who, "division", ident, "create"))
    writes.WRITERS["division"](conn, inserts, [], now)
    return len(inserts)


TAKE, KEEP_OURS, CONFLICT_FIELD = "take", "keep", "conflict"


def catalogue_field(ours: Any, theirs: Any, last: dict[str, Any] | None, field_name: str, edited_here: bool) -> str:
    """What happens to one field of a county catalogue entry whose value differs from ours.

    `last`: the county's values as last received (None before the first package). The township changed the
    field if ours differs from what the county last sent (before any package: if the entry was edited here
    at all). Not changed here: take the county's. Changed here and the county still sends what it sent last:
    keep ours (the township's local label). Changed on both sides: a conflict.
    """
    if last is not None:
        if ours == last.get(field_name):
            return TAKE
        return KEEP_OURS if theirs == last.get(field_name) else CONFLICT_FIELD
    return CONFLICT_FIELD if edited_here else TAKE


def _catalogue_conflict(
    conn, report, name, local_id, field_name, current, theirs, ours_at, sender, scope, import_id, now
):
    """Record (or refresh) the conflict of a township's own catalogue edit with the county's new value."""
    report.conflicts.append(
        {"table": name, "record_id": local_id, "field": field_name, "ours": current.get(field_name), "theirs": theirs}
    )
    conflict_rows.write(
        conn,
        conflict_rows.open_one(conn, local_id, field_name),
        table_name=name,
        record_id=local_id,
        field=field_name,
        ours=current.get(field_name),
        theirs=theirs,
        theirs_clock={},
        theirs_at=datetime.fromisoformat(report.created_at),
        ours_at=ours_at,
        township_code=scope,
        peer_code=sender,
        import_id=import_id,
        now=now,
    )


def _copy_attachments(session: Session, pkg: package.ReadPackage, shas: dict[str, bool]) -> int:
    """Copy the files the package carries that this installation lacks (content-addressed, hash checked)."""
    copied = 0
    for sha in shas:
        target = stored_path(session, sha)
        if target.exists():
            continue
        src = pkg.open_attachment(sha)
        if src is None:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        digest = hashlib.sha256()
        with src, tmp.open("wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha:
            tmp.unlink(missing_ok=True)
            raise PackageError(f"附件 {sha[:12]}… 的校验值不符，已拒绝")
        tmp.replace(target)
        copied += 1
    return copied


def _receipt(
    session: Session, pkg: package.ReadPackage, report: ImportReport, import_id: str, who: str, now: datetime
) -> None:
    """Note what the peer now holds of ours (its receipt) and what we hold of its changes (ours to send)."""
    m = pkg.manifest
    peer = peer_row(session, m.sender_code)
    receipt = m.get("receipt") or {}
    counted = receipt.get("installation_id")  # whose changes the receipt counts (absent before 2026-12-03)
    mine = counted is None or counted == keys.identity(session).installation_id  # an import may make the identity
    if mine and isinstance(receipt.get("to_seq"), int) and receipt["to_seq"] >= 0:
        # never past our own last change: a database restored from a backup numbers its new changes from the
        # backup's count again, and a receipt counting past it would make the next exports leave them out
        peer.acked_seq = min(receipt["to_seq"], changes.last_seq(session))
    if peer.installation_id is None:  # a key file from before installation ids: the first package names it
        peer.installation_id = m["sender"]["installation_id"]
    elif peer.installation_id != m["sender"]["installation_id"]:
        # the same key under a new installation id: the peer's database was restored from a backup (or copied).
        # Its change numbers start a new series: counted afresh; and what came from the peer is no echo any more,
        # so the next package gives it back what it had sent after the backup: the county's to a restored
        # township, and the township's to a restored county (its corrections, deletions and decisions made after
        # the backup, which the township holds and the restored county lost).
        peer.installation_id = m["sender"]["installation_id"]
        peer.received_seq = 0
        changes.forget_echoes(session, m.sender_code)
    rng = m["range"]
    before = peer.received_seq
    from_seq, to_seq = rng.get("from_seq"), rng.get("to_seq")
    # A package written for another installation of ours (its receipt counts that one's changes: this database was
    # restored from a backup, or set up again) left out what the peer took from that installation unchanged, as
    # echoes: corrections the restored file lost. Its range is not counted as held, so our receipt sends the peer
    # back to our count, and its next package (it sees our new installation id, `forget_echoes`) gives them back.
    if mine and isinstance(from_seq, int) and isinstance(to_seq, int) and from_seq <= peer.received_seq:
        peer.received_seq = max(peer.received_seq, to_seq)
    created = datetime.fromisoformat(m["created_at"])
    if peer.last_package_at is None or created >= peer.last_package_at:
        peer.last_package_id = m["package_id"]
        peer.last_package_at = created
    peer.last_import_at = now
    counts = {k: v.as_dict() for k, v in report.tables.items()}
    session.add(
        SyncImport(
            id=import_id,
            package_id=m["package_id"],
            file_name=report.file_name,
            sender_code=m.sender_code,
            sender_installation=m["sender"]["installation_id"],
            package_created_at=created,
            imported_at=now,
            operator=who,
            from_seq=from_seq if isinstance(from_seq, int) else 0,
            to_seq=to_seq if isinstance(to_seq, int) else 0,
            received_before=before,
            counts=json.dumps(
                {
                    "tables": counts,
                    "catalogue": report.catalogue_changed,
                    "conflicts": len(report.conflicts),
                    "settled": report.settled,
                    "released": report.released,
                    "not_taken": report.not_taken_here,
                },
                ensure_ascii=False,
            ),
            status="applied",
        )
    )
