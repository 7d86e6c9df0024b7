"""Supervision: inspection schedules, county orders (督办) and their answers, township assessment, residents' requests.

Occurrences of a schedule, rankings and the 通报 lists are computed from these rows and the inspections,
so they are not stored; an assessment result is stored with the scheme it was computed under, because
a scheme may change after the year is assessed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oldcomm_desktop.core.model.base import Base, Record


class InspectionSchedule(Record, Base):
    """A standing duty to inspect: one community (or a whole township when `community_id` is empty)."""

    __tablename__ = "inspection_schedule"

    community_id: Mapped[str | None] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # patrol | acceptance | management (inspections.KINDS)
    template_id: Mapped[str | None] = mapped_column(ForeignKey("checklist_template.id"))
    frequency: Mapped[str] = mapped_column(String(16))  # monthly | weekly (weekly: while under construction)
    inspector: Mapped[str | None] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class SupervisionOrder(Record, Base):
    """A county order (工作提示 / 督办), numbered per year like 项目督办〔2026〕001号; `township_code` stays empty."""

    __tablename__ = "supervision_order"

    number: Mapped[str] = mapped_column(String(60), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    order_type: Mapped[str] = mapped_column(String(16))  # order | hint
    problem: Mapped[str] = mapped_column(Text)
    requirement: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(100))

    targets: Mapped[list[OrderTarget]] = relationship(order_by="OrderTarget.township_code")


class OrderTarget(Record, Base):
    """One township (and project) an order addresses, with its answer: 待处理 → 处理中 → 已处理 → 已确认."""

    __tablename__ = "order_target"
    __table_args__ = (Index("ix_order_target_state_deadline", "state", "deadline"),)

    order_id: Mapped[str] = mapped_column(ForeignKey("supervision_order.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), index=True)
    deadline: Mapped[date] = mapped_column(Date)  # the order's, copied so lists and counts need no join
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | in_progress | done | confirmed
    answer: Mapped[str | None] = mapped_column(Text)
    answered_on: Mapped[date | None] = mapped_column(Date)
    first_answered_on: Mapped[date | None] = mapped_column(Date)  # for "answered on time"
    answered_at_county: Mapped[bool] = mapped_column(Boolean, default=False)  # arrived on paper or in a package
    opinion: Mapped[str | None] = mapped_column(Text)  # the county's last send-back opinion
    confirmed_on: Mapped[date | None] = mapped_column(Date)

    events: Mapped[list[OrderEvent]] = relationship(order_by="OrderEvent.created_at")


class OrderEvent(Record, Base):
    """One step of a target's history (each round of answer and send-back is kept)."""

    __tablename__ = "order_event"

    target_id: Mapped[str] = mapped_column(ForeignKey("order_target.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # issue | start | answer | confirm | send_back
    on: Mapped[date] = mapped_column(Date)
    text: Mapped[str | None] = mapped_column(Text)
    state_after: Mapped[str] = mapped_column(String(16))


class AssessmentScheme(Record, Base):
    """The township assessment's indicators and weights, in force from `effective_from` until replaced."""

    __tablename__ = "assessment_scheme"

    name: Mapped[str] = mapped_column(String(100))
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    indicators: Mapped[list] = mapped_column(JSON)  # [{"code", "label", "weight", "manual"}]
    grade_bands: Mapped[list | None] = mapped_column(JSON)


class AssessmentManualScore(Record, Base):
    """Points given by hand for one indicator of one township in one year."""

    __tablename__ = "assessment_manual_score"

    year: Mapped[int] = mapped_column(Integer, index=True)
    indicator: Mapped[str] = mapped_column(String(40))
    points: Mapped[str] = mapped_column(String(20))  # a Decimal as text
    note: Mapped[str | None] = mapped_column(Text)


class AssessmentResult(Record, Base):
    """A year's assessment as published: the scheme it used and every township's row (township_code empty)."""

    __tablename__ = "assessment_result"

    year: Mapped[int] = mapped_column(Integer, index=True)
    computed_on: Mapped[date] = mapped_column(Date)
    scheme: Mapped[dict] = mapped_column(JSON)
    rows: Mapped[list] = mapped_column(JSON)


class ResidentRequest(Record, Base):
    """What residents or their representatives raised (居民诉求), and the reply."""

    __tablename__ = "resident_request"

    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), index=True)
    topic: Mapped[str] = mapped_column(String(100))
    content: Mapped[str | None] = mapped_column(Text)
    raised_by: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))  # hotline | visit | meeting
    raised_on: Mapped[date] = mapped_column(Date)
    reply_deadline: Mapped[date] = mapped_column(Date, index=True)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None] = mapped_column(Date)
    satisfaction: Mapped[str | None] = mapped_column(String(16))  # satisfied | basically | unsatisfied
