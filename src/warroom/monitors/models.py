"""Monitor rows: the monitor and its live state, every result, and hourly rollups for uptime."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime

ERROR_MAX = 500


class Monitor(Base):
    """One monitor: its spec (from the playbook or the API) and the anti-flap state."""

    __tablename__ = "monitors"
    __table_args__ = (Index("ix_monitors_next_run_at", "enabled", "next_run_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # "playbook": synced from the playbook file; "api": created over the API.
    origin: Mapped[str] = mapped_column(String(16))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # up | down | degraded | unknown (no result yet). Moves only by the anti-flap thresholds.
    state: Mapped[str] = mapped_column(String(16), default="unknown")
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_successes: Mapped[int] = mapped_column(Integer, default=0)
    alert_open: Mapped[bool] = mapped_column(Boolean, default=False)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_error: Mapped[str | None] = mapped_column(String(ERROR_MAX))
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Heartbeat monitors: the secret in the push URL, and when the last beat arrived.
    heartbeat_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_beat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Metrics monitors: selector sums of the previous scrape, for rates.
    metric_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MonitorResult(Base):
    """One check's outcome; kept for the raw retention period, then only in rollups."""

    __tablename__ = "monitor_results"
    __table_args__ = (Index("ix_monitor_results_monitor_at", "monitor_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    monitor_id: Mapped[int] = mapped_column(ForeignKey("monitors.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)
    degraded: Mapped[bool] = mapped_column(Boolean, default=False)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MonitorRollup(Base):
    """Counts per monitor per hour: what uptime and the 90-day bars are computed from."""

    __tablename__ = "monitor_rollups"
    __table_args__ = (
        UniqueConstraint("monitor_id", "hour", name="uq_monitor_rollups_monitor_hour"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    monitor_id: Mapped[int] = mapped_column(ForeignKey("monitors.id", ondelete="CASCADE"))
    hour: Mapped[datetime] = mapped_column(UTCDateTime())
    checks: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    degraded: Mapped[int] = mapped_column(Integer, default=0)
    latency_sum_ms: Mapped[float] = mapped_column(Float, default=0.0)
    latency_max_ms: Mapped[float] = mapped_column(Float, default=0.0)
