"""Closure-checklist ticks: a person saying one item of an incident's checklist is done."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime


class ClosureCheck(Base):
    __tablename__ = "closure_checks"
    __table_args__ = (UniqueConstraint("incident_id", "item", name="uq_closure_checks_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    # The playbook's closure_checklist item id.
    item: Mapped[str] = mapped_column(String(80))
    done: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
