"""A county edits its funding-source tree (core.funding_catalogue): adds a source under a parent, renames,
deletes an unused leaf; money stays on leaves (no children under a source with money), a source with money or
children is never deleted, changes carry versions, a township cannot edit, and the listing keeps tree order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oldcomm_desktop.core import communities, divisions, funding_catalogue, overview, workspace
from oldcomm_desktop.core.errors import StaleRecord, ValidationError
from oldcomm_desktop.core.model import FundingLine


def _row(county, name: str) -> dict:
    return next(r for r in funding_catalogue.listing(county) if r["name"] == name)


def test_listing_is_the_tree_in_order(county) -> None:
    rows = funding_catalogue.listing(county)
    assert rows[0]["name"] == "国家预算资金" and rows[0]["level"] == 0 and not rows[0]["leaf"]
    assert rows[1]["parent"] == "国家预算资金" and rows[1]["level"] == 1
    assert [r["name"] for r in rows if r["level"] == 0] == [n.name for n in overview.funding_tree(county)]
    other = _row(county, "其他")
    assert other["needs_note"] and other["leaf"] and other["kind"] == "末级（记账）"
    assert not any("_" in r["name"] for r in rows)


def test_add_rename_delete_and_restore(county) -> None:
    s = funding_catalogue.add(county, _row(county, "社会资本")["id"], "企业捐赠")
    row = _row(county, "企业捐赠")
    assert row["parent"] == "社会资本" and row["leaf"] and row["path"] == "社会资本 › 企业捐赠"
    names = [r["name"] for r in funding_catalogue.listing(county)]
    assert names.index("企业捐赠") < names.index("金融机构贷款")  # among its siblings, under its parent
    funding_catalogue.rename(county, s.id, "企业和个人捐赠", expected_version=row["version"])
    with pytest.raises(StaleRecord):
        funding_catalogue.delete(county, s.id, expected_version=row["version"])
    funding_catalogue.delete(county, s.id, expected_version=_row(county, "企业和个人捐赠")["version"])
    assert "企业和个人捐赠" not in {r["name"] for r in funding_catalogue.listing(county)}
    funding_catalogue.restore(county, s.id)
    assert _row(county, "企业和个人捐赠")["leaf"]
    with pytest.raises(ValidationError, match="已有“金融机构贷款”"):
        funding_catalogue.rename(county, s.id, "金融机构贷款")
    assert [r["name"] for r in funding_catalogue.listing(county, search="qy")] == ["社会资本", "企业和个人捐赠"]


def test_money_stays_on_leaves(county) -> None:
    divisions.ensure(county, "341122100000", "新安镇")
    c = communities.create(county, {"name": "幸福里", "township_code": "341122100000"})
    loan = _row(county, "金融机构贷款")
    county.add(FundingLine(community_id=c.id, source_id=loan["id"], approved=Decimal("100")))
    county.flush()
    assert _row(county, "金融机构贷款")["uses"] == 1
    with pytest.raises(ValidationError, match="已记有 1 笔资金，不能再分下级来源"):
        funding_catalogue.add(county, loan["id"], "政策性银行贷款")
    with pytest.raises(ValidationError, match="不能删除"):
        funding_catalogue.delete(county, loan["id"])
    with pytest.raises(ValidationError, match="下级来源"):
        funding_catalogue.delete(county, _row(county, "社会资本")["id"])


def test_a_township_cannot_edit(empty_db) -> None:
    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code="341122100000", name="新安镇", operator="测试员")
    with empty_db.transaction("测试员") as s, pytest.raises(ValidationError, match="县（区）统一维护"):
        funding_catalogue.add(s, None, "镇级自筹")
