"""The escalation of one incident: a snapshot of its policy and where it has got to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime


class State(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"  # acknowledged or resolved
    EXHAUSTED = "exhausted"  # every level paged, every repeat done


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_state_next_at", "state", "next_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # One escalation per incident: the unique key stops two engines from starting it twice.
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    policy_name: Mapped[str] = mapped_column(String(80))
    # The policy as it was when the escalation started (editing the playbook later does not
    # change escalations in flight).
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    severity: Mapped[str] = mapped_column(String(8))
    # The next level to page (0-based) and how many times the whole policy has been run.
    level: Mapped[int] = mapped_column(Integer, default=0)
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(12))
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stop_reason: Mapped[str | None] = mapped_column(String(200))
