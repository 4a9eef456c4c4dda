"""The drill row: one game-day run against a target, and the incident it produced."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime

TARGET_MAX = 500


class Drill(Base):
    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario: Mapped[str] = mapped_column(String(40))
    faults: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_url: Mapped[str] = mapped_column(String(TARGET_MAX))
    # Set to the target while the drill runs and cleared when it ends: the unique constraint
    # is the lock that refuses a second drill on the same target (NULLs never clash).
    lock_key: Mapped[str | None] = mapped_column(String(TARGET_MAX), unique=True)
    expected_severity: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))  # running | finished
    outcome: Mapped[str | None] = mapped_column(String(16))  # resolved | timed-out | aborted ...
    started_by: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The incident this drill produced; marked a drill so metrics leave it out.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), unique=True)
    fault_removed: Mapped[bool | None] = mapped_column(default=None)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
