"""The five responsible parties of a project (质量终身责任制): who answers for its quality, for life."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base, Record


class ResponsibleParty(Record, Base):
    """One of 建设 / 勘察 / 设计 / 施工 / 监理单位 on a project, with its named project leader (项目负责人).

    A row per role; replacing a party tombstones the old row (so the audit log and the recycle bin keep
    who was named before), so at most one live row per (project, role).
    """

    __tablename__ = "responsible_party"

    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # builder | surveyor | designer | contractor | supervisor
    unit_name: Mapped[str] = mapped_column(String(200))
    leader: Mapped[str] = mapped_column(String(50))  # 项目负责人
    licence_no: Mapped[str | None] = mapped_column(String(100))  # 资质证书号 / 注册执业证号
    phone: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_responsible_party_project_role", "project_id", "role"),)
