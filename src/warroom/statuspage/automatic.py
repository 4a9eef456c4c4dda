"""Automatic component status: what the monitors and open incidents say each component's status
is, applied without a person unless a responder's setting holds it.

The rule (docs/statuspage.md, "Components"):

- A component's *cause* is the worst of: each of its monitors (down → major outage, degraded →
  degraded performance) and each open incident on one of its services, mapped through
  ``status_page.suggest_by_severity``. Drills and incidents hidden from the page (private) never
  count: automation must not reveal what responders keep off the page.
- Suggestions use every severity of ``suggest_by_severity``; automation applies only those of
  ``status_page.automatic_severities`` (P0/P1), so a ticket does not reach the public page.
- A responder's setting wins (the row's ``automatic`` is false) until the responder hands the
  component back, or until the incident it was set during is resolved. Maintenance in progress
  holds its components the same way until it is completed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from warroom.incidents import queries as incident_queries
from warroom.incidents.lifecycle import OPEN_STATES
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.statuspage import components
from warroom.statuspage.models import REASON_MAX, ComponentState, PublicIncident
from warroom.statuspage.status import worst_component_status

log = logging.getLogger("warroom.statuspage")

ACTOR = "warroom (automatic)"
MONITOR_SUGGESTIONS = {"down": "major_outage", "degraded": "degraded_performance"}
NO_CAUSE = "no cause: monitors up, no open incident"
LOCK_KEY = 0x5747_0008  # pg advisory lock of the component_status job


@dataclass(frozen=True)
class Cause:
    """A component status and the reasons for it (empty when nothing is wrong)."""

    status: str
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons) if self.reasons else NO_CAUSE


def _open_incidents(session: Session, playbook: Playbook) -> list[Incident]:
    """Open incidents that may show publicly: not drills, not hidden from the page."""
    rows = list(
        session.scalars(
            select(Incident)
            .where(Incident.status.in_([s.value for s in OPEN_STATES]))
            .where(Incident.severity.in_(list(playbook.status_page.suggest_by_severity)))
            .order_by(Incident.id)
        )
    )
    if not rows:
        return []
    ids = [row.id for row in rows]
    hidden = set(
        session.scalars(
            select(PublicIncident.incident_id).where(
                PublicIncident.incident_id.in_(ids), PublicIncident.private.is_(True)
            )
        )
    )
    from warroom.drills import service as drills  # drills reads incidents; import late

    hidden |= drills.drill_incident_ids(session, ids)
    return [row for row in rows if row.id not in hidden]


def _monitor_states(session: Session) -> dict[str, str]:
    """Monitor name → state (up, degraded, down, unknown) when the monitors feature is present."""
    try:
        from warroom.monitors import service as monitors
    except ImportError:
        return {}
    return {m.name: m.state for m in monitors.list_monitors(session) if m.enabled}


def causes(
    session: Session, *, playbook: Playbook, severities: Collection[str] | None = None
) -> dict[str, Cause]:
    """Each component's status from its monitors and open incidents (of ``severities``, or of
    every severity in ``suggest_by_severity`` when None)."""
    suggest = playbook.status_page.suggest_by_severity
    by_service: dict[str, list[tuple[str, str]]] = {}
    for incident in _open_incidents(session, playbook):
        if severities is not None and incident.severity not in severities:
            continue
        ref = incident_queries.ref_of(incident, playbook)
        by_service.setdefault(incident.service, []).append(
            (
                suggest[incident.severity],
                f"{ref} ({incident.severity}) is open on {incident.service}",
            )
        )
    monitor_states = _monitor_states(session)
    out: dict[str, Cause] = {}
    for component in playbook.components:
        found = [item for svc in component.services for item in by_service.get(svc, [])]
        for monitor in component.monitors:
            state = monitor_states.get(monitor, "")
            if state in MONITOR_SUGGESTIONS:
                found.append((MONITOR_SUGGESTIONS[state], f"monitor {monitor} is {state}"))
        out[component.key] = Cause(
            worst_component_status(status for status, _ in found),
            tuple(reason for _, reason in found),
        )
    return out


def suggestions(session: Session, *, playbook: Playbook) -> dict[str, str]:
    """Status suggested per component from open incidents on its services and its monitors."""
    return {key: cause.status for key, cause in causes(session, playbook=playbook).items()}


def _release_holds(
    session: Session, *, playbook: Playbook, rows: dict[str, ComponentState]
) -> None:
    """Hand back components whose holding incident is no longer open."""
    held = {row.held_for_incident_id for row in rows.values() if not row.automatic}
    held.discard(None)
    if not held:
        return
    still_open = set(
        session.scalars(
            select(Incident.id).where(
                Incident.id.in_(held), Incident.status.in_([s.value for s in OPEN_STATES])
            )
        )
    )
    prefix = playbook.organization.incident_prefix
    for row in rows.values():
        incident_id = row.held_for_incident_id
        if not row.automatic and incident_id is not None and incident_id not in still_open:
            row.automatic = True
            row.held_for_incident_id = None
            row.reason = f"{prefix}-{incident_id} was resolved: back to automatic"
            row.updated_by = ACTOR


def _claim(session: Session) -> bool:
    """One engine at a time on PostgreSQL (a transaction-scoped advisory lock), so two engines
    never both create a component's first row; SQLite has one writer anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}))


def apply(session: Session, *, playbook: Playbook, now: datetime) -> int:
    """Set every automatic component to its cause's status; how many changed status.

    Does nothing when ``status_page.automatic_component_status`` is off. Idempotent: a second
    run at the same moment changes nothing. Bumps the page version only when a status changed.
    """
    page = playbook.status_page
    if not page.automatic_component_status or not playbook.components:
        return 0
    if not _claim(session):
        return 0  # another engine is applying them right now
    rows = {row.key: row for row in session.scalars(select(ComponentState).with_for_update())}
    _release_holds(session, playbook=playbook, rows=rows)
    wanted = causes(session, playbook=playbook, severities=page.automatic_severities)
    changed = 0
    for component in playbook.components:
        row = rows.get(component.key)
        if row is not None and not row.automatic:
            continue  # a responder's setting holds
        cause = wanted[component.key]
        reason = cause.reason[:REASON_MAX]
        if row is None and cause.status == "operational":
            continue  # operational and never set: nothing to record
        if row is not None and row.status == cause.status and row.reason == reason:
            continue
        old, new = components.set_status(
            session,
            playbook=playbook,
            key=component.key,
            status=cause.status,
            actor=ACTOR,
            now=now,
            automatic=True,
            reason=reason,
        )
        if old != new:
            changed += 1
            log.info("component %s: %s -> %s (automatic: %s)", component.key, old, new, reason)
    return changed


def hand_back(session: Session, *, playbook: Playbook, key: str, actor: str, now: datetime) -> None:
    """A responder returns a component to automation; its status follows its cause at once
    (with automation off in the playbook, it keeps its status until someone sets it)."""
    components.find(playbook, key)
    row = session.get(ComponentState, key, with_for_update=True)
    page = playbook.status_page
    if page.automatic_component_status:
        cause = causes(session, playbook=playbook, severities=page.automatic_severities)[key]
        components.set_status(
            session,
            playbook=playbook,
            key=key,
            status=cause.status,
            actor=actor,
            now=now,
            automatic=True,
            reason=cause.reason,
        )
    elif row is not None:
        row.automatic = True
        row.held_for_incident_id = None
        row.reason = f"handed back to automation by {actor} (automation is off)"
        row.updated_by = actor


def set_by_responder(
    session: Session, *, playbook: Playbook, key: str, status: str, actor: str, now: datetime
) -> tuple[str, str]:
    """A responder sets a status by hand; it holds until they hand the component back, or
    until the open incident on the component's services (the most severe) is resolved."""
    component = components.find(playbook, key)
    during = [
        i
        for i in _open_incidents(session, playbook)
        if i.service in component.services and i.severity in playbook.severities
    ]
    during.sort(key=lambda i: (playbook.rank(i.severity), -i.id))
    incident = during[0] if during else None
    reason = f"set by {actor}"
    if incident is not None:
        reason += f" during {incident_queries.ref_of(incident, playbook)}"
    return components.set_status(
        session,
        playbook=playbook,
        key=key,
        status=status,
        actor=actor,
        now=now,
        reason=reason,
        held_for_incident_id=incident.id if incident else None,
    )


class AutomaticComponentStatus:
    """Engine job: components follow their monitors and open incidents (see the module doc)."""

    name = "component_status"

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook

    def run(self, session: Session, now: datetime) -> int:
        """Apply the automatic statuses; idempotent (the rows are the marker)."""
        return apply(session, playbook=self.playbook, now=now)
