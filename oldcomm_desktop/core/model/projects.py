"""Projects of an annual plan and the communities (小区) they renovate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oldcomm_desktop.core.model.base import Base, Fixed2, Record


class Project(Record, Base):
    """A project (项目); contracts, acceptance and audit sit here, counts sit on its communities."""

    __tablename__ = "project"

    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(50))
    plan_year: Mapped[int | None] = mapped_column(Integer, index=True)
    batch: Mapped[str | None] = mapped_column(String(30))
    start_kind: Mapped[str | None] = mapped_column(String(16))  # new | continued (新开工 / 续建)
    builder: Mapped[str | None] = mapped_column(String(200))  # 项目主体 / 建设单位
    contractor: Mapped[str | None] = mapped_column(String(200))
    supervisor: Mapped[str | None] = mapped_column(String(200))
    designer: Mapped[str | None] = mapped_column(String(200))
    contract_sum: Mapped[Decimal | None] = mapped_column(Fixed2)
    total_investment: Mapped[Decimal | None] = mapped_column(Fixed2)
    # True: the money is recorded per community; False: on the project, shared by floor area in totals.
    money_split: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str | None] = mapped_column(Text)
    search_initials: Mapped[str | None] = mapped_column(String(400))
    name_sort: Mapped[str | None] = mapped_column(String(400))  # pinyin of the name (pinyin_search.sort_key)

    communities: Mapped[list[Community]] = relationship(back_populates="project")

    __table_args__ = (Index("ix_project_name_id", "name", "id"), Index("ix_project_name_sort", "name_sort", "id"))


class Community(Record, Base):
    """A community (小区): the unit the counts, the status and the monthly return are kept for."""

    __tablename__ = "community"

    name: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), index=True)
    village_code: Mapped[str | None] = mapped_column(String(12))  # 所属社区 (residents' committee)
    address: Mapped[str | None] = mapped_column(String(300))
    year_built: Mapped[int | None] = mapped_column(Integer)
    buildings: Mapped[int | None] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    floor_area: Mapped[Decimal | None] = mapped_column(Fixed2)  # m²
    plan_year: Mapped[int | None] = mapped_column(Integer)
    batch: Mapped[str | None] = mapped_column(String(30))
    start_kind: Mapped[str | None] = mapped_column(String(16))  # new | continued
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_completion: Mapped[date | None] = mapped_column(Date)
    total_investment: Mapped[Decimal | None] = mapped_column(Fixed2)  # 总投资, yuan
    progress_percent: Mapped[int | None] = mapped_column(Integer)  # 形象进度
    # long-term management
    management_mode: Mapped[str | None] = mapped_column(String(16))  # professional | self | entrusted
    owners_committee: Mapped[str | None] = mapped_column(String(16))  # 业委会 | 物管会
    owners_committee_date: Mapped[date | None] = mapped_column(Date)
    maintenance_fund_collected: Mapped[Decimal | None] = mapped_column(Fixed2)
    maintenance_fund_topped_up: Mapped[Decimal | None] = mapped_column(Fixed2)
    property_fee: Mapped[Decimal | None] = mapped_column(Fixed2)  # yuan per m² per month
    # residents' consent (意愿征询), by head and by area
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_owners_total: Mapped[int | None] = mapped_column(Integer)
    consent_owners_participating: Mapped[int | None] = mapped_column(Integer)
    consent_owners_for: Mapped[int | None] = mapped_column(Integer)
    consent_owners_against: Mapped[int | None] = mapped_column(Integer)
    consent_area_total: Mapped[Decimal | None] = mapped_column(Fixed2)
    consent_area_participating: Mapped[Decimal | None] = mapped_column(Fixed2)
    consent_area_for: Mapped[Decimal | None] = mapped_column(Fixed2)
    consent_area_against: Mapped[Decimal | None] = mapped_column(Fixed2)
    satisfaction_percent: Mapped[Decimal | None] = mapped_column(Fixed2)
    in_statistics: Mapped[bool] = mapped_column(Boolean, default=False)  # 纳统
    statistics_code: Mapped[str | None] = mapped_column(String(50))
    livelihood_project: Mapped[bool] = mapped_column(Boolean, default=False)  # 民生实事
    contact_person: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)
    # derived, kept for SQL filtering and sorting (see lifecycle.py)
    status: Mapped[str] = mapped_column(String(16), default="reserve")
    search_initials: Mapped[str | None] = mapped_column(String(400))
    name_sort: Mapped[str | None] = mapped_column(String(400))  # pinyin of the name (pinyin_search.sort_key)

    project: Mapped[Project | None] = relationship(back_populates="communities")

    # Lists ask for live rows in some order: (deleted_at, sort column, id) pages and counts from the index
    # (migration 0003). The name one (the default order) also carries the searched columns: search reads no rows.
    __table_args__ = (
        Index("ix_community_live_name", "deleted_at", "name", "id", "address", "search_initials"),
        Index("ix_community_live_name_sort", "deleted_at", "name_sort", "id"),
        Index("ix_community_live_status", "deleted_at", "status", "id"),
        Index("ix_community_live_households", "deleted_at", "households", "id"),
        Index("ix_community_live_floor_area", "deleted_at", "floor_area", "id"),
        Index("ix_community_live_plan_year", "deleted_at", "plan_year", "id"),
        Index("ix_community_live_township", "deleted_at", "township_code", "id"),
        Index("ix_community_live_investment", "deleted_at", "total_investment", "id"),
        Index("ix_community_live_year_built", "deleted_at", "year_built", "id"),
    )
