"""Inspections (patrols, acceptance, management checks), their checklist results and rectifications."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oldcomm_desktop.core.model.base import Base, Fixed2, Record


class Inspection(Record, Base):
    __tablename__ = "inspection"

    kind: Mapped[str] = mapped_column(String(16), index=True)  # patrol | acceptance | management
    community_id: Mapped[str | None] = mapped_column(ForeignKey("community.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), index=True)
    template_id: Mapped[str | None] = mapped_column(ForeignKey("checklist_template.id"))
    inspected_on: Mapped[date] = mapped_column(Date, index=True)
    inspectors: Mapped[str | None] = mapped_column(String(200))
    findings: Mapped[str | None] = mapped_column(Text)
    total_score: Mapped[Decimal | None] = mapped_column(Fixed2)
    grade: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)

    results: Mapped[list[InspectionResult]] = relationship(order_by="InspectionResult.sort_order")


class InspectionResult(Record, Base):
    """One checklist line: 合格 / 不合格 / 不适用 (pass / fail / na), or a score on a management sheet."""

    __tablename__ = "inspection_result"

    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id"), index=True)
    template_item_id: Mapped[str | None] = mapped_column(ForeignKey("checklist_template_item.id"))
    area: Mapped[str | None] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(8))  # pass | fail | na
    score: Mapped[Decimal | None] = mapped_column(Fixed2)
    max_score: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Rectification(Record, Base):
    """A rectification required by an inspection (整改通知单), with the contractor's reply.

    Its state follows from the re-inspections: closed once one passes; overdue while open past the
    current deadline (the last re-inspection's new deadline, else the original one).
    """

    __tablename__ = "rectification"

    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id"), index=True)
    notice_no: Mapped[str | None] = mapped_column(String(60))
    addressed_to: Mapped[str | None] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    requirement: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    current_deadline: Mapped[date] = mapped_column(Date, index=True)  # derived from re-inspections
    reply: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # derived: a passed re-inspection
    closed_on: Mapped[date | None] = mapped_column(Date)

    reinspections: Mapped[list[Reinspection]] = relationship(order_by="Reinspection.inspected_on")


class Reinspection(Record, Base):
    """A re-inspection (复查): passed closes the rectification; not passed sets a new deadline."""

    __tablename__ = "reinspection"

    rectification_id: Mapped[str] = mapped_column(ForeignKey("rectification.id"), index=True)
    inspected_on: Mapped[date] = mapped_column(Date)
    inspector: Mapped[str | None] = mapped_column(String(100))
    passed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    new_deadline: Mapped[date | None] = mapped_column(Date)
