"""The action-item row, linked to the incident whose post-mortem produced it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime

TITLE_MAX = 300


class ActionItem(Base):
    __tablename__ = "action_items"
    __table_args__ = (
        Index("ix_action_items_status_due", "status", "due_on"),
        Index("ix_action_items_owner", "owner"),
        Index("ix_action_items_incident", "incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    owner: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date] = mapped_column(Date)
    # todo | in_progress | done | wont_do
    status: Mapped[str] = mapped_column(String(16))
    # preventive | process | monitoring (the seed's three)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last day an overdue reminder went out, so the owner hears once a day at most.
    reminded_on: Mapped[date | None] = mapped_column(Date)
