"""Projects (项目) of an annual plan: create, change, delete to the recycle bin, restore."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import derived, records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, problem, spec_of
from oldcomm_desktop.core.model import Community, Project
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.townships import refuse_move_after_sync, township_rule, with_default_township

START_KINDS = {"new": "新开工", "continued": "续建"}

FIELDS = spec_of(
    Field("name", "项目名称", required=True, max_length=200),
    Field("township_code", "乡镇（街道）", "division", required=True, level="township"),
    Field("code", "项目编号", max_length=50),
    Field("plan_year", "计划年度", "int", minimum=1990, maximum=2100),
    Field("batch", "批次", max_length=30),
    Field("start_kind", "新开工/续建", "choice", choices=START_KINDS),
    Field("builder", "项目主体（建设单位）", max_length=200),
    Field("contractor", "施工单位", max_length=200),
    Field("supervisor", "监理单位", max_length=200),
    Field("designer", "设计单位", max_length=200),
    Field("contract_sum", "合同金额", "money", minimum=0, unit="元"),
    Field("total_investment", "总投资", "money", minimum=0, unit="元"),
    Field("money_split", "资金分小区记录", "bool"),
    Field("notes", "备注"),
)


def plan_year_problem(spec: Mapping[str, Field], plan_year: int | None) -> list[FieldProblem]:
    """A plan year more than five years ahead is a typing slip (2100 for 2010), for projects and communities alike."""
    if plan_year and plan_year > date.today().year + 5:
        return [problem(spec, "plan_year", f"{plan_year} 年太远，请检查")]
    return []


def _rules(session: Session, project: Project, _confirm: bool) -> list[FieldProblem]:
    return township_rule(session, FIELDS, project.township_code) + row_problems(project)


def row_problems(project: Any) -> list[FieldProblem]:
    """Rules on the project's own values (shared with the bulk write path)."""
    return plan_year_problem(FIELDS, project.plan_year)


def create(session: Session, data: Mapping[str, Any]) -> Project:
    project = Project()
    records.apply(session, project, FIELDS, with_default_township(session, data), [_rules])
    derived.apply_to(project, derived.project_columns({"name": project.name}))
    session.flush()
    return project


def update(
    session: Session, project_id: str, changes: Mapping[str, Any], *, expected_version: int | None = None
) -> Project:
    project = records.get(session, Project, project_id, expected_version=expected_version)
    refuse_move_after_sync(session, FIELDS, project, changes)
    records.apply(session, project, FIELDS, changes, [_rules])
    derived.apply_to(project, derived.project_columns({"name": project.name}))
    session.flush()
    return project


def delete(session: Session, project_id: str, *, expected_version: int | None = None) -> None:
    """A project with live communities stays: move or delete its communities first (nothing orphaned)."""
    project = records.get(session, Project, project_id, expected_version=expected_version)
    live = session.scalar(
        select(Community.id).where(Community.project_id == project.id, Community.deleted_at.is_(None)).limit(1)
    )
    if live:
        raise ValidationError(f"项目“{project.name}”下还有小区，请先删除或移出这些小区")
    records.soft_delete(session, project)
    session.flush()


def restore(session: Session, project_id: str, *, expected_version: int | None = None) -> Project:
    project = records.get(session, Project, project_id, include_deleted=True, expected_version=expected_version)
    records.restore(session, project)
    project.updated_at = utcnow()
    session.flush()
    return project


def find(session: Session, name_or_id: str) -> Project:
    found = session.scalar(
        select(Project).where(Project.deleted_at.is_(None), (Project.id == name_or_id) | (Project.name == name_or_id))
    )
    if found is None:
        raise ValidationError(f"找不到项目“{name_or_id}”")
    return found
