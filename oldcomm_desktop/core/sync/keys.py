"""This installation's Ed25519 key pair, and the public keys of the peers it trusts.

Where the private key lives: **in the database** (table sync_identity), not in a file beside it nor in the
OS key store. The key signs "this package was written by this database", so it belongs to the database, as
style.md asks of every fact about a database: a backup and restore keeps the same identity (the county need
not re-register the township after a PC is replaced from a backup), and a county database on a server used
from several PCs has one identity. What the signature protects against is a package altered or forged on
its way (a USB stick, a shared folder), not someone who can already write the database itself: anyone who
can read the private key could change the records directly anyway. A file beside the database would be lost
or copied separately; keyring is per Windows user, not per database.

Peers are named by their division code. The county registers each township's public key at first contact
(`oldcomm keys trust`), and a township registers its county's; both print the fingerprint so two people can
compare it by phone.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions, workspace
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.model import Division, SyncIdentity, SyncPeer
from oldcomm_desktop.core.model.base import utcnow

KEY_FILE_FORMAT = "oldcomm-public-key"


def fingerprint(public_hex: str) -> str:
    """SHA-256 of the raw public key, as 64 hex digits (stored); `display` groups it for reading aloud."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def display(fp: str) -> str:
    """The first 96 bits in six groups of four: enough to compare by phone, short enough to read."""
    head = fp[:24].upper()
    return " ".join(head[i : i + 4] for i in range(0, 24, 4))


NO_KEY_TEXT = "尚未生成密钥：请运行“oldcomm keys init”生成本机密钥（第一次导出数据包或导出公钥时也会自动生成）"


def identity(session: Session) -> SyncIdentity:
    """This installation's identity, made when absent (a fresh key pair and installation id).

    Only steps that write anyway call it (key init, key export, a package export or import); a read such as
    `keys show` uses `has_identity`/`own_key(create=False)` and never creates one (a read never writes).
    """
    found = session.get(SyncIdentity, 1)
    if found is None:
        if not workspace.is_initialised(session):
            raise OldcommError("数据库尚未初始化，请先运行 oldcomm init（或 oldcomm demo）")
        private = Ed25519PrivateKey.generate()
        found = SyncIdentity(
            id=1,
            installation_id=str(uuid.uuid4()),
            private_key=private.private_bytes_raw().hex(),
            public_key=private.public_key().public_bytes_raw().hex(),
            created_at=utcnow(),
            last_seq=0,
        )
        session.add(found)
        session.flush()
    return found


def has_identity(session: Session) -> bool:
    return session.get(SyncIdentity, 1) is not None


def sign(session: Session, data: bytes) -> bytes:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(identity(session).private_key))
    return key.sign(data)


def verify(public_hex: str, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class OwnKey:
    code: str
    name: str
    mode: str
    installation_id: str
    public_key: str
    fingerprint: str

    @property
    def shown(self) -> str:
        return display(self.fingerprint)


def init(session: Session) -> tuple[OwnKey, bool]:
    """The explicit step that creates the key pair (`oldcomm keys init`); (key, True if made just now)."""
    made = not has_identity(session)
    return own_key(session), made


def own_key(session: Session, *, create: bool = True) -> OwnKey:
    """This installation's key; `create=False` (a read): OldcommError saying how to make one when absent."""
    if not create and not has_identity(session):
        raise OldcommError(NO_KEY_TEXT)
    ident = identity(session)
    return OwnKey(
        code=workspace.own_code(session) or "",
        name=catalogues.get_setting(session, "own_division_name") or "",
        mode=workspace.mode(session) or "",
        installation_id=ident.installation_id,
        public_key=ident.public_key,
        fingerprint=fingerprint(ident.public_key),
    )


def export_public_key(session: Session, out: Path) -> OwnKey:
    """Write the public key (with whose it is) to a small text file, to carry to the county once."""
    key = own_key(session)
    body = {
        "format": KEY_FILE_FORMAT,
        "version": 1,
        "code": key.code,
        "name": key.name,
        "mode": key.mode,
        "installation_id": key.installation_id,
        "public_key": key.public_key,
        "fingerprint": key.fingerprint,
    }
    out = Path(out)
    if out.is_dir():
        raise OldcommError(f"{out} 是一个文件夹：请给出公钥文件名（如 {key.code}.pub）")
    if out.exists():  # this unit's key file again is fine; another unit's (on a shared stick) is never overwritten
        try:
            same = json.loads(out.read_text(encoding="utf-8")).get("code") == key.code
        except (OSError, ValueError, AttributeError):
            same = False
        if not same:
            raise OldcommError(f"文件 {out} 已存在，且不是本单位的公钥文件：请换一个文件名（不会覆盖已有文件）")
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)
    return key


def read_key_file(path: Path) -> dict:
    """A public key file, checked: the format, a 32-byte key, and a fingerprint that matches it."""
    path = Path(path)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OldcommError(f"公钥文件 {path} 不存在") from None
    except (UnicodeDecodeError, json.JSONDecodeError, OSError):
        raise OldcommError(f"文件 {path.name} 不是本程序导出的公钥文件") from None
    if not isinstance(body, dict) or body.get("format") != KEY_FILE_FORMAT:
        raise OldcommError(f"文件 {path.name} 不是本程序导出的公钥文件")
    pub = str(body.get("public_key") or "")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub))
    except (TypeError, ValueError):
        raise OldcommError(f"公钥文件 {path.name} 中的公钥已损坏") from None
    if body.get("fingerprint") and body["fingerprint"] != fingerprint(pub):
        raise OldcommError(f"公钥文件 {path.name} 中的指纹与公钥不符，文件可能被改动过")
    return body


class KeyReplacement(ValidationError):
    """The peer has another key registered already: replacing it needs the clerk's word (`replace=True`)."""


def trust(session: Session, path: Path, code: str | None = None, *, replace: bool = False) -> SyncPeer:
    """Register a peer's public key. `code` is the division code the person says the file is from.

    A different key for a peer that has one is another installation (a township PC set up again, a new
    county database): it is refused unless `replace`, since a wrong file would cut off the real peer. Replaced,
    the exchange starts again from nothing: the old installation's sequence numbers mean nothing to the new
    one, and a receipt counting them would make the new installation leave its own changes out of its packages
    (they would look held already)."""
    body = read_key_file(path)
    file_code = str(body.get("code") or "")
    if code and code != file_code:
        raise ValidationError(f"公钥文件属于 {file_code or '未知单位'}，不是 {code}")
    parsed = divisions.parse_code(file_code, label="公钥文件中的区划代码")
    own = workspace.own_code(session) or ""
    my_mode = workspace.mode(session)
    if file_code == own:
        raise ValidationError("这是本机自己的公钥，不需要登记")
    if my_mode == workspace.COUNTY and (parsed.level != "township" or file_code[:6] != own[:6]):
        raise ValidationError(f"县级数据库只登记本县（{own[:6]}）乡镇（街道）的公钥，{file_code} 不是")
    if my_mode == workspace.TOWNSHIP and file_code != own[:6] + "000000":
        raise ValidationError(f"乡镇数据库只登记本县（{own[:6]}000000）的公钥，{file_code} 不是")
    peer = session.get(SyncPeer, file_code)
    if peer is None:
        peer = SyncPeer(code=file_code, acked_seq=0, received_seq=0)
        session.add(peer)
    elif peer.public_key and peer.public_key != body["public_key"]:
        if not replace:
            raise KeyReplacement(
                f"{file_code} 已登记过另一个公钥（指纹 {display(peer.fingerprint or '')}），这个文件的指纹是 "
                f"{display(fingerprint(body['public_key']))}。只有对方的电脑重装或换了数据库时才会这样：请电话核对"
                "新指纹，确认后替换（命令行加 --replace）。替换后双方从头交换：下一个数据包是完整的。"
            )
        peer.acked_seq = 0  # the new installation holds nothing of ours
        peer.received_seq = 0  # and its changes are counted from its own first one
        if workspace.mode(session) == workspace.COUNTY:
            # what came from the old installation is not held by the new one: no longer an echo, so the next
            # package gives the township back its records. (A township keeps its marks for a new county: the
            # county's own acts are the county's to restore, from its backup; a township may not send them.)
            from oldcomm_desktop.core.sync.changes import forget_echoes

            forget_echoes(session, file_code)
    peer.public_key = body["public_key"]
    peer.fingerprint = fingerprint(body["public_key"])
    peer.installation_id = body.get("installation_id")
    peer.trusted_at = utcnow()
    name = str(body.get("name") or "").strip()
    # the key file names its unit: it registers a township the county does not have yet, never renames one it
    # has (the county's register of divisions is its own), and only a plain name (no line breaks, not too long)
    known = session.scalar(select(Division.code).where(Division.code == file_code))
    if name and len(name) <= 50 and name.isprintable() and known is None:
        divisions.ensure(session, file_code, name)
    session.flush()
    return peer


def trusted_key(session: Session, code: str) -> SyncPeer | None:
    peer = session.get(SyncPeer, code)
    return peer if peer is not None and peer.public_key else None
