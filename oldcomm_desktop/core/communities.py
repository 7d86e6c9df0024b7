"""Communities (小区): the ledger's rows. Create, change, delete to the recycle bin, restore.

Deleting a community tombstones its items, milestones and money with the same stamp, so restoring it
brings back exactly what went with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, derived, divisions, records
from oldcomm_desktop.core.errors import ConfirmationNeeded, FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, problem, spec_of
from oldcomm_desktop.core.model import (
    Community,
    FundingLine,
    Inspection,
    InvestmentEntry,
    Milestone,
    Project,
    Record,
    Rectification,
    RenovationItem,
)
from oldcomm_desktop.core.model.base import new_id, utcnow
from oldcomm_desktop.core.projects import START_KINDS
from oldcomm_desktop.core.townships import refuse_move_after_sync, township_rule, with_default_township

MANAGEMENT_MODES = {"professional": "专业物业", "self": "居民自治", "entrusted": "社区托管"}
OWNERS_COMMITTEES = {"owners": "业主委员会", "management": "物业管理委员会"}

FIELDS = spec_of(
    Field("name", "小区名称", required=True, max_length=200),
    Field("township_code", "乡镇（街道）", "division", required=True, level="township"),
    Field("project_id", "所属项目", max_length=36),
    Field("village_code", "所属社区", "division", level="village"),
    Field("address", "地址", max_length=300),
    Field("year_built", "建成年份", "int", minimum=1900, maximum=2100),
    Field("buildings", "楼栋数", "int", positive=True, maximum=10_000, unit="栋"),
    Field("households", "户数", "int", positive=True, maximum=100_000, unit="户"),
    Field("floor_area", "建筑面积", "decimal", positive=True, maximum=10_000_000, unit="平方米"),
    Field("plan_year", "改造年度", "int", minimum=1990, maximum=2100),
    Field("batch", "批次", max_length=30),
    Field("start_kind", "新开工/续建", "choice", choices=START_KINDS),
    Field("planned_start", "计划开工日期", "date"),
    Field("planned_completion", "计划完工日期", "date"),
    Field("total_investment", "总投资", "money", minimum=0, unit="元"),
    Field("progress_percent", "形象进度", "int", minimum=0, maximum=100, unit="%"),
    Field("management_mode", "管理模式", "choice", choices=MANAGEMENT_MODES),
    Field("owners_committee", "业委会/物管会", "choice", choices=OWNERS_COMMITTEES),
    Field("owners_committee_date", "业委会/物管会成立日期", "date"),
    Field("maintenance_fund_collected", "维修资金归集", "money", minimum=0, unit="元"),
    Field("maintenance_fund_topped_up", "维修资金续筹", "money", minimum=0, unit="元"),
    Field("property_fee", "物业费标准", "money", minimum=0, unit="元/平方米·月"),
    Field("consent_date", "意愿征询日期", "date"),
    Field("consent_owners_total", "业主总户数", "int", minimum=0, maximum=100_000),
    Field("consent_owners_participating", "参与表决户数", "int", minimum=0, maximum=100_000),
    Field("consent_owners_for", "同意户数", "int", minimum=0, maximum=100_000),
    Field("consent_owners_against", "反对户数", "int", minimum=0, maximum=100_000),
    Field("consent_area_total", "专有部分总面积", "decimal", minimum=0, unit="平方米"),
    Field("consent_area_participating", "参与表决面积", "decimal", minimum=0, unit="平方米"),
    Field("consent_area_for", "同意面积", "decimal", minimum=0, unit="平方米"),
    Field("consent_area_against", "反对面积", "decimal", minimum=0, unit="平方米"),
    Field("satisfaction_percent", "满意度", "decimal", minimum=0, maximum=100, unit="%"),
    Field("in_statistics", "纳统", "bool"),
    Field("statistics_code", "纳统代码", max_length=50),
    Field("livelihood_project", "民生实事", "bool"),
    Field("contact_person", "联系人", max_length=50),
    Field("contact_phone", "联系电话", max_length=50),
    Field("notes", "备注"),
)

CHILDREN = (RenovationItem, Milestone, FundingLine, InvestmentEntry)


def _rules(session: Session, c: Community, confirm: bool) -> list[FieldProblem]:
    problems = township_rule(session, FIELDS, c.township_code)
    problems += village_problems(c.village_code, c.township_code)
    if c.project_id:
        problems += project_problems(session.get(Project, c.project_id), c.township_code)
    problems += row_problems(c)
    if c.id is not None and c.total_investment is not None:
        from oldcomm_desktop.core.funding import completed_to_date

        problems += investment_problems(c.total_investment, completed_to_date(session, c))
    if problems:
        return problems
    if c.year_built:
        eligibility(c.year_built, *eligibility_years(session), confirm)
    return []


# The rules below are pure (values in, problems out), so one definition serves a single edit and the
# bulk write path (core/importing/bulk.py), which runs them over a whole batch.


def village_problems(village_code: str | None, township_code: str | None) -> list[FieldProblem]:
    """所属社区 must be a residents' or villagers' committee under the community's own township."""
    if not village_code:
        return []
    try:
        parsed = divisions.parse_code(village_code, label=FIELDS["village_code"].label, field="village_code")
    except ValidationError as exc:
        return list(exc.problems)
    if parsed.level != "village" or parsed.township_code != township_code:
        return [problem(FIELDS, "village_code", f"“{village_code}”不是本乡镇（街道）下的社区（村）代码")]
    return []


def project_problems(project: Any, township_code: str | None) -> list[FieldProblem]:
    """The project (a Project or any object with deleted_at and township_code) exists and is the township's."""
    if project is None or project.deleted_at is not None:
        return [problem(FIELDS, "project_id", "所选项目不存在或已删除")]
    if project.township_code != township_code:
        return [problem(FIELDS, "project_id", "所选项目属于另一个乡镇（街道）")]
    return []


def row_problems(c: Any) -> list[FieldProblem]:
    """Rules on the record's own values (a Community or any object with its field names)."""
    problems: list[FieldProblem] = []
    today = date.today()
    from oldcomm_desktop.core.projects import plan_year_problem

    problems += plan_year_problem(FIELDS, c.plan_year)
    if c.year_built and c.year_built > today.year:
        problems.append(problem(FIELDS, "year_built", f"{c.year_built} 年晚于今年"))
    if c.planned_start and c.planned_completion and c.planned_completion < c.planned_start:
        problems.append(
            problem(
                FIELDS, "planned_completion", f"计划完工日期 {c.planned_completion} 早于计划开工日期 {c.planned_start}"
            )
        )
    problems += _consent_rules(c)
    if c.owners_committee_date and not c.owners_committee:
        problems.append(problem(FIELDS, "owners_committee", "填写了成立日期，请选择业委会或物管会"))
    return problems


def investment_problems(total: Any, done: Any) -> list[FieldProblem]:
    if total is not None and done > total:
        return [problem(FIELDS, "total_investment", f"总投资 {total} 元少于已登记的累计完成投资 {done} 元")]
    return []


def eligibility_years(session: Session) -> tuple[int, int]:
    """(cut-off year, extension year) from the settings."""
    cutoff = int(catalogues.get_setting(session, "eligibility_cutoff_year", 2000))
    extension = int(catalogues.get_setting(session, "eligibility_extension_year", cutoff) or cutoff)
    return cutoff, extension


def _consent_rules(c: Any) -> list[FieldProblem]:
    problems = []
    for unit in ("owners", "area"):
        total, part = getattr(c, f"consent_{unit}_total"), getattr(c, f"consent_{unit}_participating")
        yes, no = getattr(c, f"consent_{unit}_for"), getattr(c, f"consent_{unit}_against")
        if total is not None and part is not None and part > total:
            problems.append(
                problem(
                    FIELDS,
                    f"consent_{unit}_participating",
                    f"{FIELDS[f'consent_{unit}_participating'].label}不能多于{FIELDS[f'consent_{unit}_total'].label}",
                )
            )
        if part is not None and (yes or 0) + (no or 0) > part:
            problems.append(problem(FIELDS, f"consent_{unit}_for", "同意与反对之和不能多于参与表决的数量"))
    return problems


def eligibility(year_built: int, cutoff: int, extension: int, confirm: bool) -> None:
    """Built after the cut-off year: refused past the extension year (even confirmed), asked about within it."""
    if year_built <= cutoff:
        return
    if year_built > extension:
        why = f"{year_built} 年建成，晚于改造范围的最晚年份 {extension} 年"
        raise ValidationError(problem(FIELDS, "year_built", why))
    if confirm:
        return
    raise ConfirmationNeeded(
        "year_built",
        FIELDS["year_built"].label,
        f"{year_built} 年建成，晚于 {cutoff} 年，属于延伸年份（户数比例有上限），确认纳入吗？",
    )


def consent_result(session: Session, c: Community) -> str | None:
    """通过 / 未通过 by the configured thresholds (Civil Code art. 278 by default), or None if not recorded."""
    from decimal import Decimal

    def share(a: int | Decimal | None, b: int | Decimal | None) -> Decimal:
        return Decimal(a or 0) / Decimal(b) if b else Decimal(0)

    if not c.consent_owners_total or not c.consent_area_total:
        return None
    s = lambda k: Decimal(str(catalogues.get_setting(session, k)))  # noqa: E731
    part_ok = share(c.consent_owners_participating, c.consent_owners_total) >= s(
        "consent_participation_owners"
    ) and share(c.consent_area_participating, c.consent_area_total) >= s("consent_participation_area")
    yes_ok = share(c.consent_owners_for, c.consent_owners_participating) > s("consent_approval_owners") and share(
        c.consent_area_for, c.consent_area_participating
    ) > s("consent_approval_area")
    return "通过" if part_ok and yes_ok else "未通过"


def _prepare(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    data = with_default_township(session, data)
    if data.get("village_code"):  # a 社区/村 picked from the national list is registered on first use
        from oldcomm_desktop.core import national_divisions

        national_divisions.ensure_listed(session, str(data["village_code"]))
    if data.get("project_id"):
        project = session.get(Project, str(data["project_id"]))
        if project is not None:
            for key in ("plan_year", "batch", "start_kind"):
                if data.get(key) in (None, "") and getattr(project, key) is not None:
                    data[key] = getattr(project, key)
    return data


def create(session: Session, data: Mapping[str, Any], *, confirm: bool = False) -> Community:
    from oldcomm_desktop.core import milestones

    community = Community(id=new_id())
    records.apply(session, community, FIELDS, _prepare(session, data), [_rules], confirm=confirm)
    derived.apply_to(community, derived.community_columns({"name": community.name}))
    with session.no_autoflush:  # derived before the first INSERT, so a new record is saved once (version 1)
        milestones.refresh_status(session, community)
    session.flush()
    return community


def update(
    session: Session,
    community_id: str,
    changes: Mapping[str, Any],
    *,
    confirm: bool = False,
    expected_version: int | None = None,
) -> Community:
    from oldcomm_desktop.core import milestones

    community = records.get(session, Community, community_id, expected_version=expected_version)
    refuse_move_after_sync(session, FIELDS, community, changes)
    # asked once: an edit that leaves the year built alone does not ask about it again
    confirm = confirm or "year_built" not in changes
    if changes.get("village_code"):
        from oldcomm_desktop.core import national_divisions

        national_divisions.ensure_listed(session, str(changes["village_code"]))
    records.apply(session, community, FIELDS, changes, [_rules], confirm=confirm)
    derived.apply_to(community, derived.community_columns({"name": community.name}))
    session.flush()
    milestones.refresh_status(session, community)
    return community


def _children(session: Session, community_id: str, deleted_at: datetime | None) -> list[Record]:
    """The community's items, milestones and money deleted at `deleted_at` (None: the live ones)."""
    found: list[Record] = []
    for cls in CHILDREN:
        when = cls.deleted_at.is_(None) if deleted_at is None else cls.deleted_at == deleted_at
        found += session.scalars(select(cls).where(cls.community_id == community_id, when))
    # its inspections go with it (else they stay in the lists, pointing at a community in the bin)
    when = Inspection.deleted_at.is_(None) if deleted_at is None else Inspection.deleted_at == deleted_at
    checks = list(session.scalars(select(Inspection).where(Inspection.community_id == community_id, when)))
    if checks:
        when = Rectification.deleted_at.is_(None) if deleted_at is None else Rectification.deleted_at == deleted_at
        found += checks
        found += session.scalars(
            select(Rectification).where(Rectification.inspection_id.in_([c.id for c in checks]), when)
        )
    return found


def delete(session: Session, community_id: str, *, expected_version: int | None = None) -> None:
    # Through the ORM rather than a bulk UPDATE, so the audit hook logs each record and its version moves.
    community = records.get(session, Community, community_id, expected_version=expected_version)
    stamp = utcnow()
    community.deleted_at = stamp
    for child in _children(session, community.id, None):
        child.deleted_at = stamp
    session.flush()


def restore(session: Session, community_id: str, *, expected_version: int | None = None) -> Community:
    community = records.get(session, Community, community_id, include_deleted=True, expected_version=expected_version)
    stamp = community.deleted_at
    if stamp is None:
        return community
    if community.project_id:
        project = session.get(Project, community.project_id)
        if project is not None and project.deleted_at is not None:
            raise ValidationError(f"所属项目“{project.name}”在回收站中，请先恢复项目")
    community.deleted_at = None
    for child in _children(session, community.id, stamp):
        child.deleted_at = None
    session.flush()
    return community


def get(session: Session, community_id: str) -> Community:
    return records.get(session, Community, community_id)


def find(session: Session, name_or_id: str) -> Community:
    found = session.scalar(
        select(Community).where(
            Community.deleted_at.is_(None), (Community.id == name_or_id) | (Community.name == name_or_id)
        )
    )
    if found is None:
        raise ValidationError(f"找不到小区“{name_or_id}”")
    return found
