"""`oldcomm keys`: this installation's signing key, and registering a peer's public key.

oldcomm keys init                         create this installation's key pair (once; export does it too)
oldcomm keys show                         this installation's fingerprint (to read out by phone); read only
oldcomm keys export --out FILE            its public key, to carry to the county once
oldcomm keys trust FILE --township CODE [--replace]   register a peer's key (the county: a township's; a township:
                                          its county's) and print its fingerprint to compare
"""

from __future__ import annotations

import argparse
from pathlib import Path

from oldcomm_desktop.cli import EXIT_OK, UsageError, _open, _ready


def add_parsers(sub, add_db) -> dict:
    p = sub.add_parser("keys", help="本机签名密钥：查看指纹、导出公钥、登记对方公钥")
    add_db(p)
    ks = p.add_subparsers(dest="keys_command", required=True, parser_class=type(p))
    q = ks.add_parser("init", help="生成本机签名密钥（只需一次；第一次导出时也会自动生成）")
    add_db(q)
    q = ks.add_parser("show", help="显示本机公钥指纹（只读，不生成密钥）")
    add_db(q)
    q = ks.add_parser("export", help="导出本机公钥到文件（交给县里登记）")
    add_db(q)
    q.add_argument("--out", type=Path, required=True, metavar="FILE")
    q = ks.add_parser("trust", help="登记对方的公钥（县里登记乡镇的；乡镇登记县里的），并显示指纹供核对")
    add_db(q)
    q.add_argument("file", type=Path, metavar="FILE")
    q.add_argument("--township", metavar="CODE", help="公钥所属单位的区划代码（乡镇登记县里的公钥时填县代码）")
    q.add_argument(
        "--replace", action="store_true", help="对方已登记过另一个公钥时替换它（对方电脑重装后；先电话核对新指纹）"
    )
    return {"keys": cmd_keys}


def cmd_keys(args: argparse.Namespace) -> int:
    from oldcomm_desktop.core.sync import keys

    if args.keys_command == "show":  # a read never writes: read-only open, no key made
        with _open(args, write=False) as db, db.transaction() as s:
            _ready(s)
            if not keys.has_identity(s):
                print(keys.NO_KEY_TEXT)
                return EXIT_OK
            _show(keys.own_key(s, create=False))
        return EXIT_OK
    with _open(args) as db, db.transaction() as s:
        _ready(s)
        if args.keys_command == "init":
            k, made = keys.init(s)
            print("已生成本机密钥" if made else "本机密钥已经存在，未改动")
            _show(k)
        elif args.keys_command == "export":
            k = keys.export_public_key(s, args.out)
            print(f"已导出公钥到 {args.out}")
            print(f"公钥指纹：{k.shown}（请对方登记后电话核对）")
        elif args.keys_command == "trust":
            if args.township is None:
                raise UsageError("请用 --township 给出公钥所属单位的区划代码（与对方核对过的）")
            before = keys.trusted_key(s, args.township)
            old = before.fingerprint if before is not None else None
            peer = keys.trust(s, args.file, args.township, replace=args.replace)
            if old and old != peer.fingerprint:
                print(f"已替换 {peer.code} 的公钥（原指纹 {keys.display(old)}），双方的下一个数据包是完整的")
            else:
                print(f"已登记 {peer.code} 的公钥")
            print(f"公钥指纹：{keys.display(peer.fingerprint or '')}（请与对方电话核对，一致才可信）")
    return EXIT_OK


def _show(k) -> None:
    print(f"本机：{k.name} {k.code}（{'县级' if k.mode == 'county' else '乡镇'}模式）")
    print(f"安装编号：{k.installation_id}")
    print(f"公钥指纹：{k.shown}")
