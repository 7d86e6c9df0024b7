"""Administrative divisions keyed by the 12-digit statistical code (统计用区划代码)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base, Record


class Division(Record, Base):
    """A county, township/street or residents' committee. The code is the key files travel with."""

    __tablename__ = "division"

    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))  # county | township | village
    kind: Mapped[str | None] = mapped_column(String(16))  # 街道 镇 乡 其他 居委会 村委会
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)
    urban_rural_class: Mapped[str | None] = mapped_column(String(3))
