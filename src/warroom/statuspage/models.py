"""Status page rows: component states, published incidents and their updates, maintenance,
subscriptions, and the version counter that invalidates cached pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime

PUBLIC_ID_LEN = 12
NAME_MAX = 200
BODY_MAX = 5_000
REASON_MAX = 400


class ComponentState(Base):
    """The current status of one playbook component (the component itself lives in the playbook)."""

    __tablename__ = "statuspage_components"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(80))
    # True while automation owns the status (the engine follows monitors and incidents); False
    # while a responder's setting holds it.
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why the status is what it is: the monitors and incidents behind it, or who set it.
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    # A responder's setting made during this incident holds until the incident is resolved.
    held_for_incident_id: Mapped[int | None] = mapped_column(Integer)


class PublicIncident(Base):
    """An incident's public face, created by its first public update (incidents stay untouched)."""

    __tablename__ = "statuspage_incidents"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    status: Mapped[str] = mapped_column(String(16))
    impact: Mapped[str] = mapped_column(String(12))
    # Hidden from every public page and document while true.
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    components: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    monitoring_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Maintenance(Base):
    """A scheduled maintenance window: scheduled → in_progress → (verifying) → completed."""

    __tablename__ = "statuspage_maintenances"
    __table_args__ = (Index("ix_statuspage_maintenances_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    status: Mapped[str] = mapped_column(String(16))
    impact: Mapped[str] = mapped_column(String(12))
    components: Mapped[list[str]] = mapped_column(JSON, default=list)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime())
    scheduled_until: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(80))


class PublicUpdate(Base):
    """One published update of an incident or a maintenance, as the world sees it."""

    __tablename__ = "statuspage_updates"
    __table_args__ = (
        Index("ix_statuspage_updates_incident", "incident_id", "created_at"),
        Index("ix_statuspage_updates_maintenance", "maintenance_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LEN), unique=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    maintenance_id: Mapped[int | None] = mapped_column(ForeignKey("statuspage_maintenances.id"))
    status: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    # [{"code", "name", "old_status", "new_status"}] as Statuspage reports them.
    affected_components: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(80))


class Subscription(Base):
    """An e-mail address that hears about updates to some components (all when none listed)."""

    __tablename__ = "statuspage_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # An Apprise mailto:// URL.
    target: Mapped[str] = mapped_column(String(400))
    components: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Unguessable; the unsubscribe link carries it, so it works without logging in.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(80))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # None while pending: a subscription made on the public page hears nothing until the
    # address's owner follows the confirmation link (responders' subscriptions start confirmed).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Unguessable; the confirmation link carries it.
    confirm_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # When the last confirmation mail was queued (resent at most once per interval).
    confirm_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PageVersion(Base):
    """One row whose counter every change of public state bumps; caches compare it cheaply."""

    __tablename__ = "statuspage_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
