"""Retiring a funding source (停用): closed to new money (itself and the sources below it) with a clear
Chinese message — in the funding editor, completed investment and imports — while lines already recorded
keep working and still count; the change carries versions, undoes (启用), shows in the listing, and a
database made at migration 0012 opens and gains the flag with every source in use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select, text

from oldcomm_desktop.core import communities, divisions, funding, funding_catalogue, workspace
from oldcomm_desktop.core.errors import StaleRecord, ValidationError
from oldcomm_desktop.core.model import FundingSource
from oldcomm_desktop.storage.database import open_database
from oldcomm_desktop.storage.migrations import current_revision, head_revision, upgrade


def _row(session, name: str) -> dict:
    return next(r for r in funding_catalogue.listing(session) if r["name"] == name)


def _community(session, name: str = "幸福里", total: str = "1000"):
    divisions.ensure(session, "341122100000", "新安镇")
    c = communities.create(session, {"name": name, "township_code": "341122100000", "total_investment": total})
    session.flush()
    return c


def test_retired_source_refuses_new_money_but_keeps_recorded_lines(county) -> None:
    c = _community(county)
    funding.set_lines(county, c, {"central_budget": {"approved": "600"}, "bank_loans": {"approved": "400"}})
    loan = _row(county, "金融机构贷款")
    funding_catalogue.retire(county, loan["id"], expected_version=loan["version"])
    row = _row(county, "金融机构贷款")
    assert row["state"] == "已停用" and row["retired"] and not row["active"] and row["version"] > loan["version"]
    # the line already there keeps working: its amounts can still change
    funding.set_lines(county, c, {"central_budget": {"approved": "500"}, "bank_loans": {"approved": "500"}})
    assert {n.source.name: n.amounts["approved"] for n in funding.tree(county, c)}["金融机构贷款"] == Decimal("500")
    assert {n.source.name: n.amounts["approved"] for n in funding.tree(county)}["金融机构贷款"] == Decimal("500")
    # … but a new line on it is refused, naming it, and nothing changes
    other = _community(county, "和平苑", "100")
    with pytest.raises(ValidationError, match="“金融机构贷款”已停用，不能再记新的资金") as caught:
        funding.set_lines(county, other, {"bank_loans": {"approved": "100"}})
    assert caught.value.problems[0].label == "资金来源"
    assert funding.lines_of(county, other.id) == {}
    with pytest.raises(ValidationError, match="已停用"):
        funding.add_investment(county, other, {"entry_date": "2026-03-01", "amount": "10", "source_id": "bank_loans"})
    assert "bank_loans" not in dict(funding.leaf_source_choices(county))  # not offered for new money
    assert "central_budget" in dict(funding.leaf_source_choices(county))
    rows = {r.code: r for r in funding.editor_rows(county, other.id)}
    assert rows["bank_loans"].retired and not rows["central_budget"].retired


def test_retiring_a_parent_closes_its_branch_and_unretire_undoes(county) -> None:
    social = _row(county, "社会资本")
    funding_catalogue.retire(county, social["id"])
    assert _row(county, "居民出资")["state"] == "已停用（上级）"
    c = _community(county)
    with pytest.raises(ValidationError, match="已停用"):
        funding.set_lines(county, c, {"residents": {"approved": "1000"}})
    with pytest.raises(ValidationError, match="已停用，不能再分下级来源"):
        funding_catalogue.add(county, social["id"], "企业捐赠")
    with pytest.raises(ValidationError, match="上级来源“社会资本”已停用"):
        funding_catalogue.unretire(county, _row(county, "居民出资")["id"])
    with pytest.raises(ValidationError, match="已经停用"):
        funding_catalogue.retire(county, social["id"])
    with pytest.raises(StaleRecord):
        funding_catalogue.unretire(county, social["id"], expected_version=social["version"])
    funding_catalogue.unretire(county, social["id"], expected_version=_row(county, "社会资本")["version"])
    assert _row(county, "居民出资")["state"] == "在用"
    funding.set_lines(county, c, {"residents": {"approved": "1000"}})
    with pytest.raises(ValidationError, match="正在使用，无需启用"):
        funding_catalogue.unretire(county, social["id"])


def test_a_township_cannot_retire(empty_db) -> None:
    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code="341122100000", name="新安镇", operator="测试员")
    with empty_db.transaction("测试员") as s, pytest.raises(ValidationError, match="县（区）统一维护"):
        funding_catalogue.retire(s, "bank_loans")


def test_a_database_made_at_0012_opens_and_every_source_is_in_use(raw_target: str) -> None:
    url = raw_target if "://" in raw_target else f"sqlite:///{raw_target}"
    engine = create_engine(url)
    upgrade(engine, "0012")
    assert current_revision(engine) == "0012"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO funding_source (id, code, name, sort_order, needs_note, created_at, updated_at, version)"
                " VALUES ('s1', 'old_src', '老来源', 1, :f, '2025-01-01 00:00:00', '2025-01-01 00:00:00', 3)"
            ),
            {"f": False},
        )
    engine.dispose()
    with open_database(raw_target) as db:
        assert current_revision(db.engine) == head_revision()
        with db.transaction() as s:
            old = s.scalar(select(FundingSource).where(FundingSource.code == "old_src"))
            assert old is not None and old.active is True and old.version == 3


def test_an_import_refuses_new_money_on_a_retired_source_and_updates_a_recorded_line(db) -> None:
    from sqlalchemy import update

    from oldcomm_desktop.core.importing import bulk
    from oldcomm_desktop.core.model import FundingLine

    with db.transaction("测试员") as s:
        c = communities.create(s, {"name": "丙小区", "total_investment": 1000})
        funding.set_lines(s, c, {"central_budget": {"approved": 600}, "provincial": {"approved": 400}})
        cid = c.id
        # the county retired 省级资金 and its package carried the flag here
        s.execute(update(FundingSource).where(FundingSource.code == "provincial").values(active=False))
        line = s.scalar(
            select(FundingLine.id)
            .join(FundingSource, FundingSource.id == FundingLine.source_id)
            .where(FundingSource.code == "provincial")
        )
    rows = {"funding_line": [{"community_id": cid, "source_id": "provincial", "approved": 0}]}
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, rows)
        s.rollback()
    assert [p.message for o in plan.rejected for p in o.problems][0].startswith("“省级资金”已停用")
    with db.transaction("测试员") as s:
        plan = bulk.write(s, {"funding_line": [{"id": line, "arrived": 100}]}, source="x")
    assert plan.counts()["funding_line"]["update"] == 1
