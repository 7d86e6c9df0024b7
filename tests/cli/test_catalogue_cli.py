"""`oldcomm catalogue`: list both catalogues (read only, --json with versions); a county adds, renames,
retires, re-enables and deletes unused entries; a township is refused with a message; bad input (empty or
duplicate name, unknown entry, deleting one in use, a stale version) exits 1 with a Chinese message and
changes nothing; a missing option is a usage error (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oldcomm_desktop import cli

FS, IT = "funding-sources", "item-types"


@pytest.fixture
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "county.sqlite3"
    assert cli.main(["--db", str(path), "init", "--county-code", "341122000000", "--county-name", "来安县"]) == 0
    capsys.readouterr()
    return path


def _run(path: Path, capsys, *args: str) -> tuple[int, str, str]:
    rc = cli.main(["--db", str(path), "catalogue", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _listed(path: Path, capsys, kind: str) -> list[dict]:
    rc, out, _ = _run(path, capsys, "list", "--kind", kind, "--json")
    assert rc == 0
    return json.loads(out)


def _row(path: Path, capsys, kind: str, name: str) -> dict:
    return next(r for r in _listed(path, capsys, kind) if r["name"] == name)


def test_list_shows_both_catalogues_in_chinese_and_never_writes(county: Path, capsys) -> None:
    before = county.read_bytes()
    rc, out, err = _run(county, capsys, "list")
    assert rc == 0 and not err
    assert "改造内容目录（" in out and "资金来源目录（" in out and "中央预算内投资" in out
    both = json.loads(_run(county, capsys, "list", "--json")[1])
    assert set(both) == {IT, FS} and all("version" in r for r in both[FS])
    assert [r["name"] for r in _listed(county, capsys, FS) if r["name"] == "社会资本"] == ["社会资本"]
    assert county.read_bytes() == before


def test_a_county_edits_a_funding_source_from_add_to_delete(county: Path, capsys) -> None:
    rc, out, _ = _run(county, capsys, "add", "--kind", FS, "--parent", "社会资本", "企业捐赠")
    assert rc == 0 and "已添加资金来源“企业捐赠”" in out
    row = _row(county, capsys, FS, "企业捐赠")
    assert row["parent"] == "社会资本" and row["leaf"]
    rc, out, _ = _run(
        county, capsys, "rename", "--kind", FS, row["code"], "企业和个人捐赠", "--if-version", str(row["version"])
    )
    assert rc == 0 and "改名为“企业和个人捐赠”" in out
    rc, out, _ = _run(county, capsys, "retire", "--kind", FS, "企业和个人捐赠")
    assert rc == 0 and "已停用资金来源“企业和个人捐赠”" in out
    assert _row(county, capsys, FS, "企业和个人捐赠")["state"] == "已停用"
    rc, _, err = _run(county, capsys, "retire", "--kind", FS, "企业和个人捐赠")
    assert rc == 1 and "已经停用" in err
    rc, out, _ = _run(county, capsys, "unretire", "--kind", FS, "企业和个人捐赠")
    assert rc == 0 and "已启用" in out and _row(county, capsys, FS, "企业和个人捐赠")["state"] == "在用"
    rc, out, _ = _run(county, capsys, "delete", "--kind", FS, "企业和个人捐赠")
    assert rc == 0 and "已删除资金来源“企业和个人捐赠”" in out
    assert "企业和个人捐赠" not in {r["name"] for r in _listed(county, capsys, FS)}


def test_a_county_edits_an_item_type(county: Path, capsys) -> None:
    rc, out, _ = _run(county, capsys, "add", "--kind", IT, "--category", "提升类", "--unit", "套", "智能门禁")
    assert rc == 0 and "已添加改造内容类型“智能门禁”（套" in out
    rc, out, _ = _run(county, capsys, "rename", "--kind", IT, "智能门禁", "智能门禁系统", "--unit", "处")
    assert rc == 0
    row = _row(county, capsys, IT, "智能门禁系统")
    assert row["unit"] == "处" and row["category"] == "提升类"
    assert _run(county, capsys, "retire", "--kind", IT, row["id"])[0] == 0
    assert _row(county, capsys, IT, "智能门禁系统")["state"] == "已停用"
    rc, _, err = _run(county, capsys, "retire", "--kind", IT, row["id"])
    assert rc == 1 and "已经停用" in err
    assert _run(county, capsys, "unretire", "--kind", IT, "智能门禁系统")[0] == 0
    assert _row(county, capsys, IT, "智能门禁系统")["active"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "--kind", FS, "  "), "名称：必须填写"),
        (("add", "--kind", FS, "--parent", "社会资本", "居民出资"), "已有“居民出资”"),
        (("add", "--kind", IT, "--category", "基础类", "--unit", "米", ""), "名称：必须填写"),
        (("add", "--kind", IT, "--category", "没有的类", "--unit", "米", "新类型"), "没有“没有的类”这个类别"),
        (("rename", "--kind", FS, "社会资本", "金融机构贷款"), "已有“金融机构贷款”"),
        (("rename", "--kind", IT, "不存在的类型", "新名"), "目录中没有“不存在的类型”"),
        (("retire", "--kind", FS, "no_such_code"), "资金来源目录中没有“no_such_code”"),
        (("delete", "--kind", FS, "社会资本"), "下级来源"),
        (("delete", "--kind", FS, "central_budget", "--if-version", "7"), "第 7 版"),
    ],
)
def test_bad_input_exits_1_with_a_message_and_changes_nothing(county: Path, capsys, args, message) -> None:
    before = {k: _listed(county, capsys, k) for k in (IT, FS)}
    rc, out, err = _run(county, capsys, *args)
    assert rc == 1 and message in err and err.startswith("错误：") and not out
    assert "Traceback" not in err
    assert {k: _listed(county, capsys, k) for k in (IT, FS)} == before


def test_an_entry_in_use_is_not_deleted(county: Path, capsys) -> None:
    from oldcomm_desktop.core import communities, divisions, funding, items
    from oldcomm_desktop.storage.database import open_database

    with open_database(county) as db, db.transaction("测试员") as s:
        divisions.ensure(s, "341122100000", "新安镇")
        c = communities.create(s, {"name": "幸福里", "township_code": "341122100000", "total_investment": "100"})
        funding.set_lines(s, c, {"bank_loans": {"approved": "100"}})
        items.create(s, c.id, {"item_type_id": "water_pipe", "planned_quantity": "10"})
    capsys.readouterr()
    rc, _, err = _run(county, capsys, "delete", "--kind", FS, "金融机构贷款")
    assert rc == 1 and "已记有 1 笔资金，不能删除" in err
    rc, _, err = _run(county, capsys, "delete", "--kind", IT, "water_pipe")
    assert rc == 1 and "不能删除" in err and "停用" in err
    assert "金融机构贷款" in {r["name"] for r in _listed(county, capsys, FS)}


def test_a_township_database_refuses_writes_but_lists(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "t.sqlite3"
    assert cli.main(["--db", str(path), "init", "--township-code", "341122100000", "--township-name", "新安镇"]) == 0
    capsys.readouterr()
    assert _run(path, capsys, "list", "--kind", FS)[0] == 0
    before = _listed(path, capsys, FS)
    for args in (
        ("add", "--kind", FS, "镇级自筹"),
        ("retire", "--kind", FS, "社会资本"),
        ("add", "--kind", IT, "--category", "基础类", "--unit", "个", "新类型"),
    ):
        rc, _, err = _run(path, capsys, *args)
        assert rc == 1 and "县（区）统一维护，乡镇数据库不能修改" in err
    assert _listed(path, capsys, FS) == before


def test_usage_errors_exit_2(county: Path, capsys) -> None:
    rc, _, err = _run(county, capsys, "retire", "社会资本")  # --kind is required for a write
    assert rc == 2 and "--kind" in err
    rc, _, err = _run(county, capsys, "add", "--kind", IT, "新类型")
    assert rc == 2 and "--category" in err
    rc, _, err = _run(county, capsys, "add", "--kind", FS, "--unit", "米", "新来源")
    assert rc == 2 and "只用于改造内容类型" in err
