"""Drills as domain operations: start (with the per-target lock), observe, finish, list.

The drill runner (CLI) switches the faults; this side records the drill, finds the incident it
produced (the first one opened after the fault went on), marks it a drill, and builds the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warroom.drills import report as reports
from warroom.drills.models import TARGET_MAX, Drill
from warroom.drills.scenarios import Scenario
from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

# A running drill whose deadline passed this long ago lost its runner (killed -9, laptop shut):
# its lock no longer blocks a new drill.
ABANDON_AFTER = timedelta(minutes=2)
MAX_DURATION = timedelta(hours=4)


def _lock_key(url: str) -> str:
    return url.strip().rstrip("/").lower()


def start(
    session: Session,
    *,
    scenario: Scenario,
    target_url: str,
    duration: timedelta,
    severity: str | None,
    playbook: Playbook,
    actor: str,
    now: datetime,
) -> Drill:
    """Record a running drill; Conflict if another one runs against the same target."""
    if not target_url.startswith(("http://", "https://")) or len(target_url) > TARGET_MAX:
        raise InvalidInput("target_url must be an http(s) URL", field="target_url")
    if not timedelta(seconds=10) <= duration <= MAX_DURATION:
        raise InvalidInput("duration must be between 10s and 4h", field="duration")
    if severity is not None and severity not in playbook.severities:
        known = ", ".join(playbook.severities)
        raise InvalidInput(f'unknown severity "{severity}"; one of {known}', field="severity")
    key = _lock_key(target_url)
    held = session.scalar(select(Drill).where(Drill.lock_key == key))
    if held is not None:
        if held.deadline + ABANDON_AFTER > now:
            raise Conflict(
                f"drill {held.id} ({held.scenario}) is already running against {held.target_url} "
                f"since {held.started_at:%H:%M:%SZ}; wait for it to end or stop it",
                drill=held.id,
            )
        _end(session, held, playbook=playbook, outcome="abandoned", fault_removed=None, now=now)
        session.flush()
    drill = Drill(
        scenario=scenario.name,
        faults=list(scenario.faults),
        target_url=target_url.strip().rstrip("/"),
        lock_key=key,
        expected_severity=severity or scenario.severity,
        status="running",
        started_by=actor,
        started_at=now,
        deadline=now + duration,
        report={},
    )
    try:
        with session.begin_nested():
            session.add(drill)
    except IntegrityError:  # a concurrent start won the lock
        raise Conflict(f"a drill is already running against {target_url}") from None
    return drill


def get(session: Session, drill_id: int) -> Drill:
    """The drill with this id, or NotFound."""
    drill = session.get(Drill, drill_id)
    if drill is None:
        raise NotFound(f"no drill {drill_id}", drill=drill_id)
    return drill


def list_drills(session: Session, *, limit: int = 50) -> Sequence[Drill]:
    """The newest drills first."""
    return session.scalars(select(Drill).order_by(Drill.id.desc()).limit(limit)).all()


def _link(session: Session, drill: Drill, playbook: Playbook, now: datetime) -> Incident | None:
    """The drill's incident, found once: of those opened since the fault went on (and not
    another drill's), the one of the expected severity, else the most severe, else the first.

    One fault often trips several monitors at once (``down`` fails health, db and websocket
    checks together); the incident the scenario is about is the one to measure.
    """
    if drill.incident_id is not None:
        return session.get(Incident, drill.incident_id)
    if drill.status != "running":
        return None
    taken = select(Drill.incident_id).where(Drill.incident_id.is_not(None))
    found = session.scalars(
        select(Incident)
        .where(Incident.created_at >= drill.started_at, Incident.id.not_in(taken))
        .order_by(Incident.id)
        .limit(50)
    ).all()
    if not found:
        return None
    order = list(playbook.severities)

    def rank(i: Incident) -> tuple[bool, int, int]:
        level = order.index(i.severity) if i.severity in order else len(order)
        return (i.severity != drill.expected_severity, level, i.id)

    incident = min(found, key=rank)
    drill.incident_id = incident.id
    # Marked on the incident's own timeline, so everyone who reads it knows it was practice.
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.NOTE,
        actor="warroom:drill",
        now=now,
        body=f"Game-day drill {drill.id} ({drill.scenario}): this incident was caused on purpose; "
        "production metrics leave it out.",
        data={"drill": drill.id, "scenario": drill.scenario},
    )
    return incident


def build_report(
    session: Session, drill: Drill, *, playbook: Playbook, now: datetime
) -> dict[str, Any]:
    """The drill's report as it stands now (the stored one once the drill has ended)."""
    if drill.status != "running" and drill.report:
        return drill.report
    incident = _link(session, drill, playbook, now)
    facts = reports.DrillFacts(
        id=drill.id,
        scenario=drill.scenario,
        faults=tuple(drill.faults),
        target_url=drill.target_url,
        started_at=drill.started_at,
        expected_severity=drill.expected_severity,
        status=drill.status,
        outcome=drill.outcome,
        ended_at=drill.ended_at,
        fault_removed=drill.fault_removed,
    )
    if incident is None:
        return reports.build(
            drill=facts, incident=None, events=[], response_time=None, update_every=None, now=now
        )
    severity = playbook.severities.get(incident.severity)
    events = [
        reports.Event(e.at, e.kind, e.actor, e.body, dict(e.data or {}))
        for e in timeline.events(session, incident_id=incident.id)
    ]
    return reports.build(
        drill=facts,
        incident=reports.IncidentFacts(
            ref=incidents.ref_of(incident, playbook),
            title=incident.title,
            severity=incident.severity,
            status=incident.status,
            detected_at=incident.detected_at,
            declared_at=incident.declared_at,
            acknowledged_at=incident.acknowledged_at,
            acknowledged_by=incident.acknowledged_by,
            mitigated_at=incident.mitigated_at,
            resolved_at=incident.resolved_at,
        ),
        events=events,
        response_time=severity.response_time if severity else None,
        update_every=severity.internal_update_every if severity else None,
        now=now,
    )


def _end(
    session: Session,
    drill: Drill,
    *,
    playbook: Playbook,
    outcome: str,
    fault_removed: bool | None,
    now: datetime,
) -> None:
    _link(session, drill, playbook, now)
    drill.status = "finished"
    drill.outcome = outcome
    drill.fault_removed = fault_removed
    drill.ended_at = now
    drill.lock_key = None
    drill.report = {}
    drill.report = build_report(session, drill, playbook=playbook, now=now)


OUTCOMES = ("resolved", "timed-out", "aborted", "error")


def finish(
    session: Session,
    *,
    drill_id: int,
    outcome: str,
    fault_removed: bool,
    playbook: Playbook,
    now: datetime,
) -> Drill:
    """End a running drill: release its lock and store its final report."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f'unknown outcome "{outcome}"; one of {", ".join(OUTCOMES)}')
    drill = get(session, drill_id)
    if drill.status != "running":
        raise Conflict(f"drill {drill_id} has already ended ({drill.outcome})", drill=drill_id)
    _end(session, drill, playbook=playbook, outcome=outcome, fault_removed=fault_removed, now=now)
    return drill


def drill_incident_ids(session: Session, incident_ids: Sequence[int]) -> set[int]:
    """Which of these incidents a drill produced (one query for a whole page)."""
    if not incident_ids:
        return set()
    rows = session.scalars(
        select(Drill.incident_id).where(Drill.incident_id.in_(list(incident_ids)))
    )
    return {row for row in rows if row is not None}


def not_a_drill() -> ColumnElement[bool]:
    """A ``where`` clause for metrics: leave out incidents that drills produced."""
    taken = select(Drill.incident_id).where(Drill.incident_id.is_not(None))
    return Incident.id.not_in(taken)
