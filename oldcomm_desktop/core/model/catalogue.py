"""Reference data a county may edit: categories, item types, indicators, funding sources, templates, settings.

Shipped with national defaults (oldcomm_desktop/reference/*.json) but stored as rows, because places differ
(domain.md: "thresholds, catalogues, cut-off years, score schemes and deadlines are editable data").
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oldcomm_desktop.core.model.base import Base, Record


class Category(Record, Base):
    """基础类 / 完善类 / 提升类 (and a place's own, e.g. 安全类)."""

    __tablename__ = "category"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class EffectIndicator(Record, Base):
    """A national effect indicator (加装电梯 部, 管网 公里 …) that county totals map onto."""

    __tablename__ = "effect_indicator"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(16))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class ItemType(Record, Base):
    """A kind of renovation work with its natural unit; `indicator_factor` converts to the indicator's unit."""

    __tablename__ = "item_type"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    category_id: Mapped[str] = mapped_column(ForeignKey("category.id"), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    central_eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    indicator_id: Mapped[str | None] = mapped_column(ForeignKey("effect_indicator.id"))
    indicator_factor: Mapped[str] = mapped_column(String(20), default="1")  # a Decimal as text, e.g. 0.001
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[Category] = relationship()
    indicator: Mapped[EffectIndicator | None] = relationship()

    @property
    def factor(self) -> Decimal:
        return Decimal(self.indicator_factor or "1")


class FundingSource(Record, Base):
    """A node of the funding-source tree; money is recorded on leaves, parents are sums of children."""

    __tablename__ = "funding_source"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("funding_source.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    needs_note: Mapped[bool] = mapped_column(Boolean, default=False)  # 其他: the source must be stated
    # Retired (停用): no new money is recorded on it (or under it); lines already recorded keep working and
    # still count in returns. A column (migration 0013) because it is one flag read with the source itself.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ChecklistTemplate(Record, Base):
    """A patrol checklist or a scored management sheet; `grade_bands` like [["优秀", 90], ["良好", 80]…]."""

    __tablename__ = "checklist_template"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    inspection_kind: Mapped[str] = mapped_column(String(16))  # patrol | acceptance | management
    grade_bands: Mapped[list | None] = mapped_column(JSON)

    items: Mapped[list[ChecklistTemplateItem]] = relationship(
        back_populates="template", order_by="ChecklistTemplateItem.sort_order"
    )


class ChecklistTemplateItem(Record, Base):
    __tablename__ = "checklist_template_item"

    template_id: Mapped[str] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    area: Mapped[str] = mapped_column(String(50))  # 安全 / 质量 / 文明施工, or the score sheet's section
    text: Mapped[str] = mapped_column(Text)
    max_score: Mapped[int | None] = mapped_column(Integer)  # weight on a scored sheet
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")


class Setting(Base):
    """One setting (cut-off year, consent thresholds, due day …) as JSON; the defaults live in settings.py."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
