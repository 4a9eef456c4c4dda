"""Everything the public may see, read in one go: the input of the JSON documents, the HTML page
and the feeds. Only published, non-private incidents and their public updates get in here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warroom.playbook import Playbook
from warroom.statuspage import components, version
from warroom.statuspage.components import ComponentView, GroupView
from warroom.statuspage.models import Maintenance, PublicIncident, PublicUpdate
from warroom.statuspage.status import ACTIVE_MAINTENANCE, UNRESOLVED, indicator

RECENT_INCIDENTS = 50  # Statuspage's incidents.json lists the 50 most recent


@dataclass(frozen=True)
class UpdateView:
    """One public update as published."""

    id: str
    status: str
    body: str
    created_at: datetime
    affected_components: list[dict[str, Any]]


@dataclass(frozen=True)
class IncidentView:
    """A published incident, or a maintenance (which has ``scheduled_for``/``scheduled_until``)."""

    id: str
    name: str
    status: str
    impact: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    monitoring_at: datetime | None
    resolved_at: datetime | None
    updates: list[UpdateView]  # newest first
    component_keys: list[str]
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None

    @property
    def unresolved(self) -> bool:
        return self.status in UNRESOLVED


@dataclass(frozen=True)
class Snapshot:
    """The public state at ``built_at`` (``version`` is the page version it was read at)."""

    playbook: Playbook
    version: int
    built_at: datetime
    components: list[ComponentView]
    groups: list[GroupView]
    incidents: list[IncidentView]  # newest first
    maintenances: list[IncidentView]  # soonest first
    uptime: dict[str, list[float | None]] = field(default_factory=dict)

    @property
    def indicator(self) -> tuple[str, str]:
        return indicator(
            (c.status for c in self.components),
            (i.impact for i in self.unresolved),
            bool(self.active_maintenances),
        )

    @property
    def unresolved(self) -> list[IncidentView]:
        return [i for i in self.incidents if i.unresolved]

    @property
    def upcoming_maintenances(self) -> list[IncidentView]:
        return [m for m in self.maintenances if m.status == "scheduled"]

    @property
    def active_maintenances(self) -> list[IncidentView]:
        return [m for m in self.maintenances if m.status in ACTIVE_MAINTENANCE]

    def component(self, key: str) -> ComponentView | None:
        return next((c for c in self.components if c.key == key), None)


UptimeSource = Callable[[Session, str, datetime], list[float | None]]


def load(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    uptime: UptimeSource | None = None,
) -> Snapshot:
    """Read the public state (one consistent transaction's view)."""
    page_version = version.current(session)
    views = components.views(playbook, components.states(session))
    incidents = list(
        session.scalars(
            select(PublicIncident)
            .where(PublicIncident.private.is_(False))
            .order_by(PublicIncident.created_at.desc(), PublicIncident.incident_id.desc())
            .limit(RECENT_INCIDENTS)
        )
    )
    horizon = now - timedelta(days=max(playbook.status_page.history_days, 7))
    maintenances = list(
        session.scalars(
            select(Maintenance)
            .where(or_(Maintenance.status != "completed", Maintenance.resolved_at >= horizon))
            .order_by(Maintenance.scheduled_for, Maintenance.id)
            .limit(RECENT_INCIDENTS)
        )
    )
    updates = _updates(session, [i.incident_id for i in incidents], [m.id for m in maintenances])
    uptime_bars = {}
    if uptime is not None:
        for view in views:
            for monitor in view.monitors[:1]:
                uptime_bars[view.key] = uptime(session, monitor, now)
    return Snapshot(
        playbook=playbook,
        version=page_version,
        built_at=now,
        components=views,
        groups=components.groups(views),
        incidents=[_incident(i, updates.get(("i", i.incident_id), [])) for i in incidents],
        maintenances=[_maintenance(m, updates.get(("m", m.id), [])) for m in maintenances],
        uptime=uptime_bars,
    )


def _updates(
    session: Session, incident_ids: list[int], maintenance_ids: list[int]
) -> dict[tuple[str, int], list[UpdateView]]:
    out: dict[tuple[str, int], list[UpdateView]] = {}
    if not incident_ids and not maintenance_ids:
        return out
    rows = session.scalars(
        select(PublicUpdate)
        .where(
            or_(
                PublicUpdate.incident_id.in_(incident_ids or [-1]),
                PublicUpdate.maintenance_id.in_(maintenance_ids or [-1]),
            )
        )
        .order_by(PublicUpdate.created_at.desc(), PublicUpdate.id.desc())
    )
    for row in rows:
        key = ("i", row.incident_id) if row.incident_id is not None else ("m", row.maintenance_id)
        out.setdefault(key, []).append(  # type: ignore[arg-type]
            UpdateView(
                id=row.public_id,
                status=row.status,
                body=row.body,
                created_at=row.created_at,
                affected_components=list(row.affected_components or []),
            )
        )
    return out


def _incident(row: PublicIncident, updates: list[UpdateView]) -> IncidentView:
    return IncidentView(
        id=row.public_id,
        name=row.name,
        status=row.status,
        impact=row.impact,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        monitoring_at=row.monitoring_at,
        resolved_at=row.resolved_at,
        updates=updates,
        component_keys=list(row.components or []),
    )


def _maintenance(row: Maintenance, updates: list[UpdateView]) -> IncidentView:
    return IncidentView(
        id=row.public_id,
        name=row.name,
        status=row.status,
        impact=row.impact,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        monitoring_at=None,
        resolved_at=row.resolved_at,
        updates=updates,
        component_keys=list(row.components or []),
        scheduled_for=row.scheduled_for,
        scheduled_until=row.scheduled_until,
    )
