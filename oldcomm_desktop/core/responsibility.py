"""Quality lifetime responsibility (质量终身责任制): the five responsible parties of each project.

Each project names its 建设、勘察、设计、施工、监理单位 with the named project leader (项目负责人) and the unit's
qualification or the leader's registration number; the community profile, the completion-acceptance record
and the permanent plaque on site print them. Setting them replaces the whole set at once, all or nothing;
a replaced or cleared party is tombstoned (the audit log keeps who was named before), never erased.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes, spec_of
from oldcomm_desktop.core.model import Community, Project, ResponsibleParty

#: role code -> the unit's Chinese name, in the order the plaque lists them
ROLES: dict[str, str] = {
    "builder": "建设单位",
    "surveyor": "勘察单位",
    "designer": "设计单位",
    "contractor": "施工单位",
    "supervisor": "监理单位",
}
#: the project's own text column that names the same unit (kept in step when a party is set)
PROJECT_COLUMN = {"builder": "builder", "designer": "designer", "contractor": "contractor", "supervisor": "supervisor"}
#: roles whose leader must carry a registration (注册建造师、注册监理工程师 …) or the unit a qualification
LICENSED = ("surveyor", "designer", "contractor", "supervisor")

FIELDS = spec_of(
    Field("unit_name", "单位名称", required=True, max_length=200),
    Field("leader", "项目负责人", required=True, max_length=50),
    Field("licence_no", "资质或执业证号", max_length=100),
    Field("phone", "联系电话", max_length=50),
    Field("notes", "备注"),
)
_NAME = re.compile(r"^[\u3400-\u9fff·•A-Za-z ]{2,20}$")


@dataclass(frozen=True)
class Party:
    """One role of a project's responsible parties as plain values (empty strings where not named)."""

    role: str
    role_label: str
    unit_name: str = ""
    leader: str = ""
    licence_no: str = ""
    phone: str = ""
    notes: str = ""
    id: str | None = None

    @property
    def named(self) -> bool:
        return bool(self.unit_name)


def _live(session: Session, project_id: str) -> dict[str, ResponsibleParty]:
    rows = session.scalars(
        select(ResponsibleParty)
        .where(ResponsibleParty.project_id == project_id, ResponsibleParty.deleted_at.is_(None))
        .order_by(ResponsibleParty.created_at)
    )
    return {r.role: r for r in rows}


def parties(session: Session, project_id: str) -> list[Party]:
    """All five roles of a project in plaque order; a role nobody was named for comes back empty."""
    project = records.get(session, Project, project_id)
    live = _live(session, project.id)
    out = []
    for role, label in ROLES.items():
        r = live.get(role)
        if r is None:
            column = PROJECT_COLUMN.get(role)
            unit = (getattr(project, column) or "") if column else ""
            out.append(Party(role, label, unit_name=unit))  # the project's unit, leader not yet named
        else:
            out.append(
                Party(role, label, r.unit_name, r.leader, r.licence_no or "", r.phone or "", r.notes or "", r.id)
            )
    return out


def parties_of_community(session: Session, community_id: str) -> list[Party]:
    """The parties of the community's project (empty roles when it belongs to no project)."""
    c = records.get(session, Community, community_id)
    if not c.project_id:
        return [Party(role, label) for role, label in ROLES.items()]
    return parties(session, c.project_id)


def role_problem(role: str) -> FieldProblem | None:
    """A role that is none of the five (a typo on the command line, or a package naming one)."""
    if role in ROLES:
        return None
    return FieldProblem("role", "责任主体", f"“{role}”不是责任主体（可选：{'、'.join(ROLES.values())}）")


def party_problems(role: str, values: Mapping[str, Any]) -> list[FieldProblem]:
    """The rules of one named party beyond its fields' own (a leader's name, a licence where the role needs
    one): `set_parties` and the bulk write path (a party arriving by sync) both ask here."""
    label = ROLES[role]
    problems = []
    leader = values.get("leader") or ""
    if leader and not _NAME.match(leader):
        problems.append(
            FieldProblem("leader", "项目负责人", f"{label}：“{leader}”不像姓名（应为 2–20 个字，不含数字）")
        )
    if role in LICENSED and not values.get("licence_no"):
        why = f"{label}：须填写资质证书号或项目负责人执业证号"
        problems.append(FieldProblem("licence_no", "资质或执业证号", why))
    return problems


def set_parties(session: Session, project_id: str, data: Mapping[str, Mapping[str, Any] | None]) -> list[Party]:
    """Set the named roles ({role: {unit_name, leader, licence_no, phone, notes}}), all or nothing.

    A role given as None or with every field empty is cleared; roles not in `data` stay as they are.
    A project in the recycle bin is refused (InRecycleBin, naming it).
    """
    project = records.get_writable(session, Project, project_id, "设置五方责任主体")
    problems: list[FieldProblem] = []
    parsed: dict[str, dict[str, Any] | None] = {}
    values: dict[str, Any] | None
    for role, raw in data.items():
        unknown = role_problem(role)
        if unknown is not None:
            problems.append(unknown)
            continue
        if raw is None or not any(str(v or "").strip() for v in raw.values()):
            parsed[role] = None
            continue
        try:
            values = parse_changes(FIELDS, raw, new=True)
        except ValidationError as exc:
            problems += [FieldProblem(p.field, p.label, f"{ROLES[role]}：{p.message}") for p in exc.problems]
            continue
        problems += party_problems(role, values)
        parsed[role] = values
    if problems:
        raise ValidationError(problems)
    live = _live(session, project.id)
    order = list(ROLES)
    for role, values in parsed.items():
        current = live.get(role)
        if values is None:
            if current is not None:
                records.soft_delete(session, current)
            continue
        if current is not None and all(getattr(current, k) == values.get(k) for k in FIELDS):
            continue
        if current is not None:
            records.soft_delete(session, current)  # the earlier party stays on record, tombstoned
        session.add(
            ResponsibleParty(
                project_id=project.id,
                role=role,
                township_code=project.township_code,
                sort_order=order.index(role),
                **{k: values.get(k) for k in FIELDS},
            )
        )
        column = PROJECT_COLUMN.get(role)
        if column and getattr(project, column) != values["unit_name"]:
            setattr(project, column, values["unit_name"])
    session.flush()
    return parties(session, project.id)


def columns_follow(session: Session, project_id: str) -> None:
    """The project's own 建设/设计/施工/监理单位 columns say the unit of the role's live party (as `set_parties`
    keeps them): after a sync decision kept one of two parties both sides named. A role with no live party keeps
    its column as it is."""
    project = session.get(Project, project_id)
    if project is None or project.deleted_at is not None:
        return
    live = _live(session, project.id)
    for role, column in PROJECT_COLUMN.items():
        party = live.get(role)
        if party is not None and getattr(project, column) != party.unit_name:
            setattr(project, column, party.unit_name)
    session.flush()


def restore(session: Session, party_id: str, *, expected_version: int | None = None) -> ResponsibleParty:
    """Bring a tombstoned party back (undo of a change), replacing whoever holds that role now.

    `expected_version` is checked like every other service's restore (the recycle bin passes it), so a
    party a colleague changed since the bin was read is refused as stale rather than overwritten."""
    party = records.get(
        session, ResponsibleParty, party_id, include_deleted=True, expected_version=expected_version
    )
    if party.deleted_at is None:
        return party
    project = session.get(Project, party.project_id)
    if project is None or project.deleted_at is not None:
        raise ValidationError(f"所属项目“{project.name if project else ''}”在回收站中，请先恢复项目")
    current = _live(session, party.project_id).get(party.role)
    if current is not None:
        records.soft_delete(session, current)
    records.restore(session, party)
    session.flush()
    return party


def delete(session: Session, party_id: str, *, expected_version: int | None = None) -> None:
    """Into the recycle bin (what undoing a restore from the bin does); `expected_version` as in restore."""
    records.soft_delete(
        session, records.get(session, ResponsibleParty, party_id, expected_version=expected_version)
    )
    session.flush()


def binned() -> Select:
    """The recycle bin's rows for tombstoned parties (replaced or cleared), in its UNION's columns:
    kind, id, name (施工单位：张建设), parent (the project), amount, township, deleted_at."""
    from sqlalchemy import BigInteger, case, cast, literal, null, type_coerce

    from oldcomm_desktop.core.model.base import Fixed2

    role = case(ROLES, value=ResponsibleParty.role, else_=ResponsibleParty.role)
    return (
        select(
            literal("party"),
            ResponsibleParty.id,
            role + "：" + ResponsibleParty.leader,
            Project.name,
            type_coerce(cast(null(), BigInteger), Fixed2),
            ResponsibleParty.township_code,
            ResponsibleParty.deleted_at,
            ResponsibleParty.version,
        )
        .join(Project, Project.id == ResponsibleParty.project_id)
        .where(ResponsibleParty.deleted_at.is_not(None))
    )


def as_data(items: list[Party]) -> dict[str, dict[str, str] | None]:
    """The parties in the shape `set_parties` takes (what an undo puts back)."""
    return {
        p.role: (
            {
                "unit_name": p.unit_name,
                "leader": p.leader,
                "licence_no": p.licence_no,
                "phone": p.phone,
                "notes": p.notes,
            }
            if p.id
            else None
        )
        for p in items
    }
