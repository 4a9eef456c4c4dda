"""Alert rows and silences (maintenance windows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime

SUMMARY_MAX = 1024
DEDUP_KEY_MAX = 255
OPEN_STATUSES = ("triggered", "acknowledged")
SOURCE_SEVERITIES = ("critical", "error", "warning", "info")


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        # One open alert per (scope, dedup key), enforced by the database even with several
        # API processes: a concurrent duplicate fails to insert and becomes a repeat.
        Index(
            "uq_alerts_open_dedup",
            "scope",
            "dedup_key",
            unique=True,
            sqlite_where=text("status IN ('triggered', 'acknowledged')"),
            postgresql_where=text("status IN ('triggered', 'acknowledged')"),
        ),
        # "Has this incident an alert (of this group) seen since T?" in one probe (grouping).
        Index("ix_alerts_incident_seen", "incident_id", "last_seen_at"),
        Index("ix_alerts_incident_group_seen", "incident_id", "group_key", "last_seen_at"),
        Index("ix_alerts_status_service", "status", "service"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # "integration:<id>" for webhook alerts, else the source ("monitor", "manual"): the space
    # a dedup key is unique in.
    scope: Mapped[str] = mapped_column(String(40))
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integrations.id"))
    source: Mapped[str] = mapped_column(String(40))
    dedup_key: Mapped[str] = mapped_column(String(DEDUP_KEY_MAX))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))
    source_severity: Mapped[str] = mapped_column(String(16))
    # The triaged severity (P0-P3) and the rule that chose it.
    severity: Mapped[str] = mapped_column(String(8))
    rule: Mapped[str | None] = mapped_column(String(80))
    service: Mapped[str | None] = mapped_column(String(64))
    group_key: Mapped[str | None] = mapped_column(String(255))
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    silence_id: Mapped[int | None] = mapped_column(ForeignKey("silences.id"))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Silence(Base):
    """A maintenance window: matching alerts are recorded but open no incident and page no one."""

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Null matches every service.
    service: Mapped[str | None] = mapped_column(String(64))
    # [{"name": "alertname", "op": "=", "value": "InstanceDown"}, ...]; all must match.
    matchers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
