"""Timeline events: the append-only record of everything that happened to an incident."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime

BODY_MAX = 10_000


class EventKind(StrEnum):
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    ACKNOWLEDGED = "acknowledged"
    ROLE_ASSIGNED = "role_assigned"
    ROLE_RELIEVED = "role_relieved"
    SEVERITY_CHANGED = "severity_changed"
    EDITED = "edited"
    NOTE = "note"
    DECISION = "decision"
    ACTION = "action"
    # Alerts (intake): an alert opened, joined or resolved on this incident.
    ALERT = "alert"
    # Paging and escalation (engine): who was paged, escalation steps, reminders, failures.
    PAGE = "page"
    ESCALATION = "escalation"
    REMINDER = "reminder"
    NOTIFICATION_FAILED = "notification_failed"
    # Communication: updates posted to the status page and internally, announcements.
    PUBLIC_UPDATE = "public_update"
    INTERNAL_UPDATE = "internal_update"
    ANNOUNCEMENT = "announcement"
    # Diagnostics: a one-off check's result attached by a responder.
    CHECK = "check"
    # After the incident: closure checklist, overrides, post-mortem, action items.
    CHECKLIST = "checklist"
    POSTMORTEM = "postmortem"
    ACTION_ITEM = "action_item"


# What people may write by hand; the rest is recorded by warroom itself.
MANUAL_KINDS = frozenset({EventKind.NOTE, EventKind.DECISION, EventKind.ACTION})


class TimelineEvent(Base):
    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_events_incident_at", "incident_id", "at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    # When it happened (a scribe may record something that happened a little earlier) ...
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # ... and when warroom wrote it down.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
