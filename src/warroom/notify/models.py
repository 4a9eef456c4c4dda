"""The notification outbox: one row per message to one Apprise URL, and its delivery state.

queued → sending → sent | failed (or cancelled, for a page nobody needs any more). A row is
marked ``sending`` with a deadline and committed before the provider is called, so a crash
leaves evidence instead of a silent drop or a blind resend.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime

DEDUP_KEY_MAX = 255
TITLE_MAX = 250


class Status(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Semantics(StrEnum):
    """What a crash in the middle of a send leads to (see docs/engine.md)."""

    AT_MOST_ONCE = "at_most_once"
    AT_LEAST_ONCE = "at_least_once"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_status_not_before", "status", "not_before"),
        Index("ix_notifications_incident_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The idempotency key: enqueueing the same key twice stores one row.
    dedup_key: Mapped[str] = mapped_column(String(DEDUP_KEY_MAX), unique=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    person: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(80))
    # An Apprise URL; it may hold credentials, so it is only ever shown redacted.
    target: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(32))
    semantics: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not delivered before this time (a delayed notification rule, or a retry's backoff).
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    # While sending: when the attempt is considered lost (the engine died mid-send).
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
