"""The change row: one deployment, config change or other change event to a service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime

SUMMARY_MAX = 1024
SOURCE_MAX = 32
VERSION_MAX = 128
SERVICE_MAX = 64


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_at", "at"),
        Index("ix_changes_service_at", "service", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # None for a change that is not tied to one service (PagerDuty change events may omit it).
    service: Mapped[str | None] = mapped_column(String(SERVICE_MAX))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))
    # Where it came from: "cli", "api", "pagerduty", ...
    source: Mapped[str] = mapped_column(String(SOURCE_MAX))
    version: Mapped[str | None] = mapped_column(String(VERSION_MAX))
    # When the change happened, and when warroom heard of it.
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
