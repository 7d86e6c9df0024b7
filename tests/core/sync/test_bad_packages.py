"""Every bad package the issue lists is refused with a Chinese message naming the fault, the database unchanged."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from oldcomm_desktop.core.sync.package import PackageError

from .conftest import COUNTY, T1, T2, Node, db_state, make_node, rewrite


@pytest.fixture
def good(world, tmp_path: Path) -> Path:
    t1 = world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    t1.new_community("和平小区", households=80)
    t1.update_community(cid, notes="第一批")
    return t1.export().path


def refused(node: Node, path: Path, *words: str) -> str:
    before = db_state(node.db)
    with pytest.raises(PackageError) as info:
        node.import_(path)
    message = str(info.value)
    for w in words:
        assert w in message, message
    assert db_state(node.db) == before
    return message


def test_the_good_package_is_accepted(world, good: Path) -> None:
    report = world[COUNTY].import_(good)
    assert report.tables["community"].added == 2


def test_truncated_and_non_zip_files(world, good: Path, tmp_path: Path) -> None:
    data = good.read_bytes()
    cut = tmp_path / "cut.ocpkg"
    cut.write_bytes(data[: len(data) // 2])
    refused(world[COUNTY], cut, "没有复制完整")
    text = tmp_path / "notes.ocpkg"
    text.write_text("这不是数据包", encoding="utf-8")
    refused(world[COUNTY], text, "不是数据包")
    empty = tmp_path / "empty.ocpkg"
    empty.write_bytes(b"")
    refused(world[COUNTY], empty, "不是数据包")


def test_a_folder_is_told_as_a_folder_with_the_packages_it_holds(world, good: Path, tmp_path: Path) -> None:
    """`sync import` given the folder `sync export --out` wrote into said 数据包文件 … 不存在, though it exists."""
    refused(world[COUNTY], good.parent, "是一个文件夹", good.name)
    (tmp_path / "empty").mkdir()
    refused(world[COUNTY], tmp_path / "empty", "是一个文件夹", "其中没有数据包")


def test_damaged_compressed_bytes_are_refused_as_damaged(world, good: Path, tmp_path: Path) -> None:
    """A byte flipped inside a member's compressed data (a bad sector, a stick pulled out while copying) breaks
    the deflate stream itself, before any checksum: zlib's own error, told as a damaged package."""
    data = bytearray(good.read_bytes())
    at = data.find(b"records/community.jsonl") + 60  # past the local header's name: the compressed bytes
    data[at] ^= 0xFF
    bad = tmp_path / "flipped.ocpkg"
    bad.write_bytes(bytes(data))
    refused(world[COUNTY], bad, "已损坏")


def test_a_changed_member_fails_its_checksum(world, good: Path, tmp_path: Path) -> None:
    def edit(m: dict) -> None:
        m["records/community.jsonl"] = m["records/community.jsonl"].replace(b"100", b"999")

    bad = rewrite(good, tmp_path / "bad.ocpkg", None, members=edit, rehash=False)
    refused(world[COUNTY], bad, "校验值不符", "community.jsonl")


def test_a_changed_manifest_fails_the_signature(world, good: Path, tmp_path: Path) -> None:
    bad = rewrite(good, tmp_path / "bad.ocpkg", None, manifest=lambda m: m.update(created_at="2020-01-01T00:00:00"))
    refused(world[COUNTY], bad, "签名无效")


def test_a_package_signed_by_another_key_is_refused(world, good: Path, tmp_path: Path) -> None:
    impostor = make_node(tmp_path / "impostor.sqlite3", T1, tmp_path / "imp")  # same code, its own key
    try:
        bad = rewrite(good, tmp_path / "bad.ocpkg", impostor)
        refused(world[COUNTY], bad, "签名无效")
    finally:
        impostor.db.close()


def test_an_untrusted_township_is_told_so(world, tmp_path: Path) -> None:
    stranger = make_node(tmp_path / "t4.sqlite3", T2, tmp_path / "t4")
    try:
        stranger.new_community("东关小区", households=10)
        path = stranger.export().path
        # the county trusted the real T2's key, not this installation's: said so, with what to do if it is real
        refused(world[COUNTY], path, "另一个密钥", "--replace", "否则不要导入")
    finally:
        stranger.db.close()
    unknown = make_node(tmp_path / "t5.sqlite3", T2, tmp_path / "t5")
    try:
        world[COUNTY].db.engine.dispose()
        with world[COUNTY].db.transaction("测试员") as s:
            from oldcomm_desktop.core.model import SyncPeer

            s.delete(s.get(SyncPeer, T2))
        path = unknown.export().path
        message = refused(world[COUNTY], path, "尚未被本县登记", "oldcomm keys trust", T2)
        assert "指纹" in message
    finally:
        unknown.db.close()


def test_another_townships_records_are_refused(world, good: Path, tmp_path: Path) -> None:
    def other(m: dict) -> None:
        m["records/community.jsonl"] = m["records/community.jsonl"].replace(T1.encode(), T2.encode())

    bad = rewrite(good, tmp_path / "bad.ocpkg", world[T1], members=other)
    refused(world[COUNTY], bad, "其他乡镇", T2)


def test_records_under_another_townships_community_are_refused(world, tmp_path: Path) -> None:
    """A township's item whose community is another township's at the county (a package altered, or a buggy
    sender, signed with the township's real key): refused, not written as the other township's record."""
    from oldcomm_desktop.core import items

    county, t1, t2 = world[COUNTY], world[T1], world[T2]
    theirs = t2.new_community("东关小区", households=30)
    county.import_(t2.export().path)
    mine = t1.new_community("幸福里小区", households=100)
    with t1.db.transaction("录入员") as s:
        items.create(s, mine, {"item_type_id": "water_pipe", "planned_quantity": "1200"}, confirm=True)
    path = t1.export().path

    def under_theirs(m: dict) -> None:
        name = "records/renovation_item.jsonl"
        m[name] = m[name].replace(mine.encode(), theirs.encode())

    bad = rewrite(path, tmp_path / "bad.ocpkg", t1, members=under_theirs)
    refused(county, bad, "改造内容", "属于其他乡镇（341122100000）", "341122001000 的数据包不能在其下添加记录")


def test_newer_schema_and_format_are_refused(world, good: Path, tmp_path: Path) -> None:
    bad = rewrite(good, tmp_path / "schema.ocpkg", world[T1], manifest=lambda m: m.update(schema_version="9999"))
    refused(world[COUNTY], bad, "较新版本", "9999")
    bad = rewrite(good, tmp_path / "format.ocpkg", world[T1], manifest=lambda m: m.update(format_version=2))
    refused(world[COUNTY], bad, "格式版本 2", "升级")


@pytest.mark.parametrize("name", ["../evil.jsonl", "records/../../evil", "/etc/passwd", "C:/windows/x", "a\\..\\b"])
def test_unsafe_member_names_are_refused(world, good: Path, tmp_path: Path, name: str) -> None:
    bad = rewrite(good, tmp_path / "bad.ocpkg", world[T1], members=lambda m: m.update({name: b"x"}))
    refused(world[COUNTY], bad, "不安全的文件名")
    assert not (tmp_path / "evil.jsonl").exists()


def test_a_zip_bomb_is_refused(world, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bomb.ocpkg"
    shutil.copy(good, bad)
    with zipfile.ZipFile(bad, "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("records/project.jsonl", "w") as fh:
            block = b"\0" * (1 << 20)
            for _ in range(40):  # 40 MB of zeros, ~40 KB compressed
                fh.write(block)
    refused(world[COUNTY], bad, "压缩炸弹")


def test_duplicate_ids_are_refused(world, good: Path, tmp_path: Path) -> None:
    def dup(m: dict) -> None:
        first = m["records/community.jsonl"].splitlines()[0]
        m["records/community.jsonl"] += first + b"\n"

    bad = rewrite(good, tmp_path / "bad.ocpkg", world[T1], members=dup)
    refused(world[COUNTY], bad, "重复出现", "第 3 行")


def test_malformed_json_is_refused(world, good: Path, tmp_path: Path) -> None:
    def broken(m: dict) -> None:
        m["records/community.jsonl"] += b'{"id": "x", "v": {\n'

    bad = rewrite(good, tmp_path / "bad.ocpkg", world[T1], members=broken)
    refused(world[COUNTY], bad, "不是合法的 JSON", "第 3 行")
    bad = rewrite(good, tmp_path / "bad2.ocpkg", world[T1], members=lambda m: m.update({"manifest.json": b""}))
    refused(world[COUNTY], bad, "出现了两次")


def test_bad_values_are_refused_naming_the_field(world, good: Path, tmp_path: Path) -> None:
    def wrong(m: dict) -> None:
        lines = m["records/community.jsonl"].splitlines()
        row = json.loads(lines[0])
        row["v"]["households"] = "很多"
        lines[0] = json.dumps(row, ensure_ascii=False).encode()
        m["records/community.jsonl"] = b"\n".join(lines) + b"\n"

    bad = rewrite(good, tmp_path / "bad.ocpkg", world[T1], members=wrong)
    message = refused(world[COUNTY], bad, "户数", "整数", "幸福里小区")
    assert "households" not in message


def test_a_package_addressed_to_someone_else(world, good: Path, tmp_path: Path) -> None:
    bad = rewrite(good, tmp_path / "bad.ocpkg", world[T1], manifest=lambda m: m.update(recipient="341123000000"))
    refused(world[COUNTY], bad, "发给 341123000000", "不是发给本数据库")
    # a township cannot import another township's package either (it is addressed to the county)
    refused(world[T2], good, "发给 341122000000")


def test_a_township_package_cannot_carry_the_catalogue(world, good: Path, tmp_path: Path) -> None:
    row = json.dumps({"id": "x", "key": "roads", "v": {"code": "roads", "name": "道路"}}).encode()
    bad = rewrite(
        good, tmp_path / "bad.ocpkg", world[T1], members=lambda m: m.update({"catalogue/category.jsonl": row})
    )
    refused(world[COUNTY], bad, "不能携带目录")


def test_a_township_package_may_carry_only_its_own_villages(world, good: Path, tmp_path: Path) -> None:
    other = "341122100201"  # a village of another township
    row = {"id": "v1", "key": other, "v": {"code": other, "name": "别镇的村", "level": "village"}}
    line = json.dumps(row, ensure_ascii=False).encode() + b"\n"
    bad = rewrite(
        good, tmp_path / "bad.ocpkg", world[T1], members=lambda m: m.update({"catalogue/division.jsonl": line})
    )
    refused(world[COUNTY], bad, other, "只能上报本乡镇的社区（村）")


def test_a_conflicting_value_the_rules_refuse_is_refused_at_import(world, tmp_path: Path) -> None:
    """Both sides changed 户数; theirs is -5 (a package altered and signed again). Not written, the value would
    still sit in the conflict, and "take theirs" would then be refused by the rules: it is refused at import,
    with the rule's own words."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)
    county.update_community(cid, households=90)
    t1.update_community(cid, households=110)
    path = t1.export().path

    def negative(m: dict) -> None:
        lines = m["records/community.jsonl"].splitlines()
        row = json.loads(lines[0])
        row["v"]["households"] = -5
        lines[0] = json.dumps(row, ensure_ascii=False).encode()
        m["records/community.jsonl"] = b"\n".join(lines) + b"\n"

    bad = rewrite(path, tmp_path / "bad.ocpkg", t1, members=negative)
    message = refused(county, bad, "幸福里小区", "户数")
    assert "households" not in message
