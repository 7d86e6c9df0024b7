"""Key files on a shared USB stick: exporting never overwrites another unit's key, and registering a key never
renames a division the county already has (the name inside a key file is the sender's word, not the register)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import Division
from oldcomm_desktop.core.sync import keys

from .conftest import COUNTY, T1, T2, Node


def test_export_does_not_overwrite_another_units_key_file(world: dict[str, Node], tmp_path: Path) -> None:
    stick = tmp_path / "stick.pub"
    with world[T1].db.transaction("测试员") as s:
        keys.export_public_key(s, stick)
        keys.export_public_key(s, stick)  # its own key again: fine
    with pytest.raises(OldcommError, match="已存在，且不是本单位的公钥文件"):
        with world[COUNTY].db.transaction("测试员") as s:
            keys.export_public_key(s, stick)
    assert json.loads(stick.read_text(encoding="utf-8"))["code"] == T1
    with pytest.raises(OldcommError, match="是一个文件夹"):
        with world[COUNTY].db.transaction("测试员") as s:
            keys.export_public_key(s, tmp_path)


def test_a_key_file_never_renames_a_registered_township(world: dict[str, Node], tmp_path: Path) -> None:
    county = world[COUNTY]
    with county.db.transaction("测试员") as s:
        before = s.scalar(select(Division.name).where(Division.code == T2))
    f = tmp_path / "t2.pub"
    with world[T2].db.transaction("测试员") as s:
        keys.export_public_key(s, f)
    body = json.loads(f.read_text(encoding="utf-8"))
    body["name"] = "东关\n办事处"  # the fingerprint covers the key, not the name
    f.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    with county.db.transaction("测试员") as s:
        keys.trust(s, f, T2)
        assert s.scalar(select(Division.name).where(Division.code == T2)) == before
