"""The incident row: what happened, how bad, where it is in its lifecycle, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime

TITLE_MAX = 200
IMPACT_MAX = 4000
SERVICE_MAX = 64


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_status_severity", "status", "severity"),
        Index("ix_incidents_service", "service"),
        Index("ix_incidents_detected_at", "detected_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(SERVICE_MAX))
    impact: Mapped[str] = mapped_column(Text, default="")
    war_room_channel: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(80))
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The metric timestamps; each is set by the event that implies it (see service.py).
    impact_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
