"""Communities (小区): every field rule with good and bad input, through the service.

A refused create or update must leave the database exactly as it was, even when the caller carries on
and commits its session (as the GUI does after showing the message).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oldcomm_desktop.core import catalogues, communities, projects
from oldcomm_desktop.core.errors import ConfirmationNeeded, NotFound, ValidationError
from oldcomm_desktop.core.model import AuditEntry, Base, Community

OWN = "341122001000"  # the township of the `db` fixture (城关街道)


def db_state(db) -> dict[str, list[tuple]]:
    """Every row of every table, read on a new connection."""
    with db.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(t.select())), key=repr) for t in Base.metadata.sorted_tables
        }


def refused(db, call, exc_type=ValidationError):
    """Run `call(session)`, expect `exc_type`, commit the session anyway: nothing may have changed."""
    before = db_state(db)
    with db.session("测试员") as s:
        with pytest.raises(exc_type) as info:
            call(s)
        s.commit()
    assert db_state(db) == before
    return info.value


def labels(exc: ValidationError) -> list[str]:
    return [p.label for p in exc.problems]


def create(db, data: dict, **kw) -> str:
    with db.transaction("测试员") as s:
        return communities.create(s, data, **kw).id


def reread(db, community_id: str) -> Community:
    with db.session("测试员") as s:
        return s.get(Community, community_id)


@pytest.fixture
def existing(db) -> str:
    return create(db, {"name": "幸福里小区", "households": 100, "floor_area": "8000", "year_built": 1995})


# ---------------------------------------------------------------- good input


def test_create_with_every_kind_of_field(db) -> None:
    cid = create(
        db,
        {
            "name": " 幸福里小区 ",
            "address": "城关街道幸福路 8 号",
            "village_code": "341122001001",
            "year_built": "1995",
            "buildings": "１２",
            "households": "１２３",
            "floor_area": "12,345.67",
            "plan_year": 2019,
            "batch": "第一批",
            "start_kind": "新开工",
            "planned_start": "2019年3月1日",
            "planned_completion": "2019/11/30",
            "total_investment": "6,800,000",
            "progress_percent": "100",
            "management_mode": "专业物业",
            "in_statistics": "是",
            "livelihood_project": "否",
            "satisfaction_percent": "96.5",
        },
    )
    c = reread(db, cid)
    assert c.name == "幸福里小区"
    assert c.township_code == OWN  # township mode: own township by default
    assert (c.year_built, c.buildings, c.households) == (1995, 12, 123)
    assert c.floor_area == Decimal("12345.67")
    assert c.total_investment == Decimal("6800000.00")
    assert (c.planned_start, c.planned_completion) == (date(2019, 3, 1), date(2019, 11, 30))
    assert (c.start_kind, c.management_mode, c.in_statistics, c.livelihood_project) == (
        "new",
        "professional",
        True,
        False,
    )
    assert c.satisfaction_percent == Decimal("96.50")
    assert c.status == "planned"  # in an annual plan (plan year set)


def test_without_plan_year_a_community_is_in_reserve(db) -> None:
    assert reread(db, create(db, {"name": "储备小区"})).status == "reserve"


def test_update_changes_only_what_is_given(db, existing: str) -> None:
    with db.transaction("测试员") as s:
        communities.update(s, existing, {"households": "１２０", "floor_area": "8100.5"})
    c = reread(db, existing)
    assert (c.households, c.floor_area, c.year_built, c.name) == (120, Decimal("8100.50"), 1995, "幸福里小区")
    assert c.version == 2


def test_clearing_an_optional_field(db, existing: str) -> None:
    with db.transaction("测试员") as s:
        communities.update(s, existing, {"households": ""})
    assert reread(db, existing).households is None


def test_missing_community_is_not_found(db) -> None:
    refused(db, lambda s: communities.update(s, "no-such-id", {"households": 1}), NotFound)
    with db.session("测试员") as s, pytest.raises(ValidationError, match="找不到小区“无此小区”"):
        communities.find(s, "无此小区")


# ---------------------------------------------------------------- households, buildings, floor area


@pytest.mark.parametrize("bad", [0, -3, 2.5, "abc", "2.5", "-1"])
def test_households_must_be_a_positive_whole_number(db, existing: str, bad: object) -> None:
    err = refused(db, lambda s: communities.create(s, {"name": "新小区", "households": bad}))
    assert labels(err) == ["户数"]
    err = refused(db, lambda s: communities.update(s, existing, {"households": bad}))
    assert labels(err) == ["户数"]
    assert err.problems[0].field == "households"
    assert reread(db, existing).households == 100


def test_full_width_households_are_read_as_digits(db, existing: str) -> None:
    with db.transaction("测试员") as s:
        communities.update(s, existing, {"households": "１２３"})
    assert reread(db, existing).households == 123


@pytest.mark.parametrize("bad", [0, "0.5", -2, "三栋"])
def test_buildings_must_be_a_positive_whole_number(db, existing: str, bad: object) -> None:
    assert labels(refused(db, lambda s: communities.update(s, existing, {"buildings": bad}))) == ["楼栋数"]


@pytest.mark.parametrize("good", ["0.01", "8000.25", 12000, "1,234.5"])
def test_floor_area_positive_with_two_decimals_is_accepted(db, existing: str, good: object) -> None:
    with db.transaction("测试员") as s:
        communities.update(s, existing, {"floor_area": good})
    assert reread(db, existing).floor_area == Decimal(str(good).replace(",", "")).quantize(Decimal("0.01"))


@pytest.mark.parametrize("bad", [0, "-100", "8000.123", "abc", "0.001"])
def test_floor_area_must_be_positive_with_at_most_two_decimals(db, existing: str, bad: object) -> None:
    err = refused(db, lambda s: communities.update(s, existing, {"floor_area": bad}))
    assert labels(err) == ["建筑面积"]
    assert reread(db, existing).floor_area == Decimal("8000.00")


def test_several_bad_fields_are_reported_together_and_none_applied(db, existing: str) -> None:
    err = refused(
        db, lambda s: communities.update(s, existing, {"households": 0, "floor_area": "1.234", "name": "改名"})
    )
    assert labels(err) == ["户数", "建筑面积"]
    assert reread(db, existing).name == "幸福里小区"


def test_name_is_required(db) -> None:
    assert labels(refused(db, lambda s: communities.create(s, {"name": ""}))) == ["小区名称"]
    assert labels(refused(db, lambda s: communities.create(s, {"households": 5}))) == ["小区名称"]


# ---------------------------------------------------------------- dates


def test_planned_completion_may_not_precede_the_start(db, existing: str) -> None:
    err = refused(
        db,
        lambda s: communities.update(
            s, existing, {"planned_start": date(2019, 5, 1), "planned_completion": date(2019, 4, 30)}
        ),
    )
    assert labels(err) == ["计划完工日期"]
    assert "早于计划开工日期" in err.problems[0].message
    with db.transaction("测试员") as s:
        communities.update(s, existing, {"planned_start": date(2019, 5, 1), "planned_completion": date(2019, 5, 1)})
    # changing only one side is checked against the stored other side
    err = refused(db, lambda s: communities.update(s, existing, {"planned_completion": "2019-04-01"}))
    assert labels(err) == ["计划完工日期"]
    assert reread(db, existing).planned_completion == date(2019, 5, 1)


def test_committee_date_needs_a_committee(db, existing: str) -> None:
    err = refused(db, lambda s: communities.update(s, existing, {"owners_committee_date": "2020-01-01"}))
    assert labels(err) == ["业委会/物管会"]
    with db.transaction("测试员") as s:
        communities.update(s, existing, {"owners_committee_date": "2020-01-01", "owners_committee": "业主委员会"})
    assert reread(db, existing).owners_committee == "owners"


# ---------------------------------------------------------------- year built and eligibility


@pytest.mark.parametrize("year", [1900, 1980, 2000])
def test_built_up_to_the_cutoff_year_needs_no_confirmation(db, year: int) -> None:
    assert reread(db, create(db, {"name": "老小区", "year_built": year})).year_built == year


@pytest.mark.parametrize("year", [2001, 2005])
def test_built_in_the_extension_years_asks_for_confirmation(db, existing: str, year: int) -> None:
    err = refused(db, lambda s: communities.create(s, {"name": "较新小区", "year_built": year}), ConfirmationNeeded)
    assert (err.problem.field, err.problem.label) == ("year_built", "建成年份")
    assert "确认纳入吗" in err.problem.message
    err = refused(db, lambda s: communities.update(s, existing, {"year_built": year}), ConfirmationNeeded)
    assert err.problem.label == "建成年份"
    assert reread(db, existing).year_built == 1995
    cid = create(db, {"name": "较新小区", "year_built": year}, confirm=True)
    assert reread(db, cid).year_built == year
    with db.transaction("测试员") as s:
        communities.update(s, existing, {"year_built": year}, confirm=True)
    assert reread(db, existing).year_built == year


@pytest.mark.parametrize("confirm", [False, True])
def test_built_after_the_extension_year_is_refused_even_when_confirmed(db, existing: str, confirm: bool) -> None:
    err = refused(db, lambda s: communities.create(s, {"name": "新楼盘", "year_built": 2006}, confirm=confirm))
    assert labels(err) == ["建成年份"]
    assert "晚于改造范围的最晚年份 2005 年" in err.problems[0].message
    err = refused(db, lambda s: communities.update(s, existing, {"year_built": 2010}, confirm=confirm))
    assert labels(err) == ["建成年份"]


def test_year_built_in_the_future_or_before_1900_is_refused(db, existing: str) -> None:
    future = date.today().year + 1
    err = refused(db, lambda s: communities.update(s, existing, {"year_built": future}, confirm=True))
    assert labels(err) == ["建成年份"]
    assert "晚于今年" in err.problems[0].message
    assert labels(refused(db, lambda s: communities.update(s, existing, {"year_built": 1899}))) == ["建成年份"]


def test_cutoff_and_extension_years_are_settings(db) -> None:
    with db.transaction("测试员") as s:
        catalogues.set_setting(s, "eligibility_cutoff_year", 2004)
        catalogues.set_setting(s, "eligibility_extension_year", 2005)
    assert reread(db, create(db, {"name": "甲", "year_built": 2004})).year_built == 2004
    refused(db, lambda s: communities.create(s, {"name": "乙", "year_built": 2005}), ConfirmationNeeded)
    with db.transaction("测试员") as s:
        catalogues.set_setting(s, "eligibility_extension_year", 2004)
    err = refused(db, lambda s: communities.create(s, {"name": "乙", "year_built": 2005}, confirm=True))
    assert labels(err) == ["建成年份"]


# ---------------------------------------------------------------- residents' consent


GOOD_CONSENT = {
    "consent_date": "2018-10-01",
    "consent_owners_total": 100,
    "consent_owners_participating": 80,
    "consent_owners_for": 70,
    "consent_owners_against": 10,
    "consent_area_total": "8000",
    "consent_area_participating": "6000.50",
    "consent_area_for": "5000.25",
    "consent_area_against": "1000.25",
}


def test_consistent_consent_counts_are_accepted_and_judged(db, existing: str) -> None:
    with db.transaction("测试员") as s:
        c = communities.update(s, existing, GOOD_CONSENT)
        assert communities.consent_result(s, c) == "通过"
    c = reread(db, existing)
    assert (c.consent_owners_participating, c.consent_area_for) == (80, Decimal("5000.25"))


def test_consent_boundaries_are_allowed(db, existing: str) -> None:
    with db.transaction("测试员") as s:
        communities.update(
            s,
            existing,
            {
                "consent_owners_total": 100,
                "consent_owners_participating": 100,
                "consent_owners_for": 60,
                "consent_owners_against": 40,
            },
        )
    assert reread(db, existing).consent_owners_participating == 100


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"consent_owners_participating": 101}, ["参与表决户数"]),
        ({"consent_owners_for": 71, "consent_owners_against": 10}, ["同意户数"]),
        ({"consent_area_participating": "8000.01"}, ["参与表决面积"]),
        ({"consent_area_against": "1000.26"}, ["同意面积"]),
        ({"consent_owners_participating": 120, "consent_area_for": "6000"}, ["参与表决户数", "同意面积"]),
        ({"consent_owners_participating": 79, "consent_area_participating": "6000.49"}, ["同意户数", "同意面积"]),
        ({"consent_owners_for": -1}, ["同意户数"]),
    ],
)
def test_inconsistent_consent_counts_are_refused(db, existing: str, changes: dict, expected: list[str]) -> None:
    with db.transaction("测试员") as s:
        communities.update(s, existing, GOOD_CONSENT)
    err = refused(db, lambda s: communities.update(s, existing, changes))
    assert labels(err) == expected
    c = reread(db, existing)
    assert (c.consent_owners_participating, c.consent_owners_for, c.consent_area_participating) == (
        80,
        70,
        Decimal("6000.50"),
    )


def test_consent_rules_apply_on_create_too(db) -> None:
    err = refused(
        db,
        lambda s: communities.create(s, {"name": "甲", "consent_owners_total": 10, "consent_owners_participating": 11}),
    )
    assert labels(err) == ["参与表决户数"]
    assert "参与表决户数不能多于业主总户数" in err.problems[0].message


@pytest.mark.parametrize(
    ("owners", "area", "result"),
    [
        ((100, 67, 34, 0), ("100", "67", "34", "0"), "通过"),
        ((100, 66, 60, 0), ("100", "90", "80", "0"), "未通过"),  # too few owners took part
        ((100, 90, 45, 45), ("100", "90", "50", "40"), "未通过"),  # exactly half of the owners is no majority
        ((100, 90, 80, 10), ("100", "90", "40", "50"), "未通过"),  # a majority of owners but not of the area
    ],
)
def test_consent_result_by_head_and_by_area(db, owners: tuple, area: tuple, result: str) -> None:
    keys = ("total", "participating", "for", "against")
    data = {"name": "甲"}
    data |= {f"consent_owners_{k}": v for k, v in zip(keys, owners, strict=True)}
    data |= {f"consent_area_{k}": v for k, v in zip(keys, area, strict=True)}
    cid = create(db, data)
    with db.session("测试员") as s:
        assert communities.consent_result(s, s.get(Community, cid)) == result


def test_no_consent_recorded_has_no_result(db, existing: str) -> None:
    with db.session("测试员") as s:
        assert communities.consent_result(s, s.get(Community, existing)) is None


# ---------------------------------------------------------------- township, village, project


def test_township_mode_refuses_another_townships_code(db, existing: str) -> None:
    err = refused(db, lambda s: communities.create(s, {"name": "外乡小区", "township_code": "341122002000"}))
    assert labels(err) == ["乡镇（街道）"]
    assert f"本数据库属于 {OWN}" in err.problems[0].message
    err = refused(db, lambda s: communities.update(s, existing, {"township_code": "341122101000"}))
    assert labels(err) == ["乡镇（街道）"]
    assert reread(db, existing).township_code == OWN
    assert reread(db, create(db, {"name": "本乡小区", "township_code": OWN})).township_code == OWN


@pytest.mark.parametrize("code", ["341122000000", "341122001001", "34112200100", "341122700000"])
def test_township_code_must_be_a_valid_township(db, code: str) -> None:
    err = refused(db, lambda s: communities.create(s, {"name": "甲", "township_code": code}))
    assert labels(err) == ["乡镇（街道）"]


def test_village_must_belong_to_the_township(db, existing: str) -> None:
    with db.transaction("测试员") as s:
        communities.update(s, existing, {"village_code": "341122001201"})
    for bad in ("341122002001", "341122001000", "341122001600", "abc"):
        err = refused(db, lambda s, bad=bad: communities.update(s, existing, {"village_code": bad}))
        assert labels(err) == ["所属社区"]
    assert reread(db, existing).village_code == "341122001201"


def test_project_must_exist_and_lends_its_plan_year(db, existing: str) -> None:
    err = refused(db, lambda s: communities.create(s, {"name": "甲", "project_id": "no-such-project"}))
    assert labels(err) == ["所属项目"]
    with db.transaction("测试员") as s:
        pid = projects.create(
            s, {"name": "2019年城关片区改造", "plan_year": 2019, "batch": "一", "start_kind": "new"}
        ).id
    c = reread(db, create(db, {"name": "乙", "project_id": pid}))
    assert (c.plan_year, c.batch, c.start_kind, c.status) == (2019, "一", "new", "planned")
    c = reread(db, create(db, {"name": "丙", "project_id": pid, "plan_year": 2020}))
    assert c.plan_year == 2020


def test_a_refused_update_writes_no_audit_entry_and_keeps_the_version(db, existing: str) -> None:
    """The rules read settings and projects; reading must not flush the refused values on the way."""
    with db.session("测试员") as s:
        entries = s.query(AuditEntry).count()
    refused(db, lambda s: communities.update(s, existing, {"year_built": 2003}), ConfirmationNeeded)
    refused(
        db, lambda s: communities.update(s, existing, {"consent_owners_total": 1, "consent_owners_participating": 2})
    )
    with db.session("测试员") as s:
        assert s.query(AuditEntry).count() == entries
        assert s.get(Community, existing).version == 1


def test_search_initials_follow_the_name(db, existing: str) -> None:
    with db.transaction("测试员") as s:
        communities.update(s, existing, {"name": "和平小区"})
    c = reread(db, existing)
    assert "hp" in (c.search_initials or "").lower()
