"""Escalations: start an incident's policy, page level after level, stop on ack or resolve.

State lives in one ``escalations`` row per incident (a snapshot of the policy, the next level,
the cycle and when that level is due), claimed with ``FOR UPDATE SKIP LOCKED``. Advancing the
state and queueing the pages happen in the caller's one transaction. A late engine pages a
missed level at once and gives the next level its full delay from then.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warroom.errors import NotFound
from warroom.escalation.models import Escalation, State
from warroom.escalation.paging import ACTOR, page_level
from warroom.incidents.lifecycle import OPEN_STATES
from warroom.incidents.models import Incident
from warroom.notify import service as notify
from warroom.playbook import Playbook, format_duration, parse_duration
from warroom.playbook.escalation import EscalationPolicy
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

_OPEN = [s.value for s in OPEN_STATES]
ACK_TIMEOUT = "ack_timeout"
# Bumped when the policy restarts (severity changed), so the new run's pages get new keys.
GENERATION = "generation"


def policy_for(playbook: Playbook, severity: str) -> tuple[str, EscalationPolicy] | None:
    """The escalation policy a severity follows, with its name; None when it has none."""
    for name, policy in playbook.escalation_policies.items():
        if severity in policy.severities:
            return name, policy
    return None


def snapshot(
    playbook: Playbook, severity: str, policy: EscalationPolicy, generation: int = 0
) -> dict[str, Any]:
    """The policy as stored with the escalation, with the severity's acknowledgement timeout."""
    data = policy.model_dump(mode="json")
    data[ACK_TIMEOUT] = format_duration(playbook.severity(severity).response_time)
    data[GENERATION] = generation
    return data


def _policy(escalation: Escalation) -> tuple[EscalationPolicy, timedelta]:
    data = dict(escalation.policy)
    timeout = data.pop(ACK_TIMEOUT)
    data.pop(GENERATION, None)
    return EscalationPolicy.model_validate(data), parse_duration(timeout)


def get(session: Session, *, incident_id: int) -> Escalation:
    """The escalation of an incident; NotFound when none has started."""
    row = session.scalar(select(Escalation).where(Escalation.incident_id == incident_id))
    if row is None:
        raise NotFound(f"no escalation has started for incident {incident_id}")
    return row


# -- starting ---------------------------------------------------------------------------------


def _startable(playbook: Playbook) -> Any:
    with_policy = [key for key in playbook.severity_keys() if policy_for(playbook, key)]
    tickets = [key for key in with_policy if not playbook.severity(key).declare]
    return and_(
        Incident.status.in_(_OPEN),
        Incident.acknowledged_at.is_(None),
        Incident.severity.in_(with_policy),
        # Declared incidents page once declared; tickets as soon as they are opened.
        or_(Incident.declared_at.is_not(None), Incident.severity.in_(tickets)),
        ~exists().where(Escalation.incident_id == Incident.id),
    )


def start_due(session: Session, *, playbook: Playbook, now: datetime, limit: int = 200) -> int:
    """Start the policy of every unacknowledged open incident that has no escalation yet."""
    found = session.scalars(
        select(Incident)
        .where(_startable(playbook))
        .order_by(Incident.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Incident)
    ).all()
    started = 0
    outbox: list[dict[str, Any]] = []
    for incident in found:
        chosen = policy_for(playbook, incident.severity)
        if chosen is None:
            continue
        name, policy = chosen
        row = Escalation(
            incident_id=incident.id,
            policy_name=name,
            policy=snapshot(playbook, incident.severity, policy),
            severity=incident.severity,
            level=0,
            cycle=0,
            state=State.ACTIVE.value,
            next_at=now,
            started_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():  # another engine may have started it a moment ago
                session.add(row)
        except IntegrityError:
            continue
        about = f" ({policy.description})" if policy.description else ""
        body = f"Escalation started: {name}{about}"
        _record(session, incident, row, now, "started", body, policy=name)
        _page_next(session, playbook=playbook, incident=incident, row=row, now=now, outbox=outbox)
        started += 1
    notify.enqueue_many(session, outbox)
    return started


# -- advancing --------------------------------------------------------------------------------


def _record(
    session: Session,
    incident: Incident,
    row: Escalation,
    now: datetime,
    event: str,
    body: str,
    **data: Any,
) -> None:
    """An ``escalation`` event on the incident's timeline, naming the escalation and step."""
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.ESCALATION,
        actor=ACTOR,
        now=now,
        body=body,
        data={"escalation_id": row.id, "event": event, **data},
    )


def _end(row: Escalation, state: State, now: datetime) -> None:
    """The escalation pages no more."""
    row.state = state.value
    row.next_at = None
    row.updated_at = now


def _stop(session: Session, row: Escalation, incident: Incident, now: datetime, why: str) -> None:
    _end(row, State.STOPPED, now)
    row.stop_reason = why
    _record(session, incident, row, now, "stopped", f"Escalation stopped: {why}", reason=why)


def _why_stop(incident: Incident) -> str | None:
    if incident.status not in _OPEN:
        return f"the incident is {incident.status}"
    if incident.acknowledged_at is not None:
        return f"acknowledged by {incident.acknowledged_by or 'someone'}"
    return None


def _page_next(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    row: Escalation,
    now: datetime,
    outbox: list[dict[str, Any]],
) -> None:
    """Page the row's next level (wrapping into a repeat, or finishing) and schedule the next."""
    policy, ack_timeout = _policy(row)
    if row.level >= len(policy.levels):
        if row.cycle >= policy.repeat:
            _end(row, State.EXHAUSTED, now)
            body = (
                f"Escalation exhausted: every level of {row.policy_name} was paged "
                f"{policy.repeat + 1} time(s) and nobody acknowledged"
            )
            _record(session, incident, row, now, "exhausted", body)
            return
        row.cycle += 1
        row.level = 0
    level = policy.levels[row.level]
    delay = level.delay or ack_timeout
    paged = page_level(
        session,
        playbook=playbook,
        incident=incident,
        level=level,
        number=row.level,
        cycle=row.cycle,
        escalation_id=row.id,
        generation=int(row.policy.get(GENERATION, 0)),
        now=now,
        outbox=outbox,
    )
    repeat = f", repeat {row.cycle}" if row.cycle else ""
    targets = ", ".join(t.describe() for t in level.targets)
    body = (
        f"Level {row.level + 1} of {row.policy_name}{repeat}: {targets}; next step in "
        f"{format_duration(delay)} unless acknowledged"
    )
    _record(
        session,
        incident,
        row,
        now,
        "level",
        body,
        level=row.level + 1,
        cycle=row.cycle,
        paged=paged,
        due_at=row.next_at.isoformat() if row.next_at else None,
    )
    row.level += 1
    row.next_at = now + delay
    row.updated_at = now


def advance_due(session: Session, *, playbook: Playbook, now: datetime, limit: int = 200) -> int:
    """Page the next level of every active escalation that is due (or stop it)."""
    rows = session.execute(
        select(Escalation, Incident)
        .join(Incident, Incident.id == Escalation.incident_id)
        .where(Escalation.state == State.ACTIVE.value, Escalation.next_at <= now)
        .order_by(Escalation.next_at, Escalation.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    outbox: list[dict[str, Any]] = []
    for row, incident in rows:
        why = _why_stop(incident)
        if why is not None:
            _stop(session, row, incident, now, why)
        elif row.severity != incident.severity:
            _restart(session, playbook=playbook, row=row, incident=incident, now=now, outbox=outbox)
        else:
            _page_next(
                session, playbook=playbook, incident=incident, row=row, now=now, outbox=outbox
            )
    notify.enqueue_many(session, outbox)
    return len(rows)


def _restart(
    session: Session,
    *,
    playbook: Playbook,
    row: Escalation,
    incident: Incident,
    now: datetime,
    outbox: list[dict[str, Any]],
) -> None:
    """The severity changed: follow the new severity's policy from its first level."""
    chosen = policy_for(playbook, incident.severity)
    if chosen is None:
        _stop(session, row, incident, now, f"{incident.severity} has no escalation policy")
        return
    name, policy = chosen
    old = row.severity
    row.policy_name, row.severity = name, incident.severity
    generation = int(row.policy.get(GENERATION, 0)) + 1
    row.policy = snapshot(playbook, incident.severity, policy, generation)
    row.level, row.cycle = 0, 0
    body = f"Escalation restarted: severity {old} → {incident.severity}, policy {name}"
    _record(session, incident, row, now, "restarted", body, policy=name)
    _page_next(session, playbook=playbook, incident=incident, row=row, now=now, outbox=outbox)


def settle(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Stop active escalations whose incident was acknowledged or resolved, and make those
    whose severity changed due now (so the new policy applies without waiting)."""
    rows = session.execute(
        select(Escalation, Incident)
        .join(Incident, Incident.id == Escalation.incident_id)
        .where(
            Escalation.state == State.ACTIVE.value,
            or_(
                Incident.acknowledged_at.is_not(None),
                Incident.status.not_in(_OPEN),
                and_(Incident.severity != Escalation.severity, Escalation.next_at > now),
            ),
        )
        .order_by(Escalation.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row, incident in rows:
        why = _why_stop(incident)
        if why is not None:
            _stop(session, row, incident, now, why)
        else:
            row.next_at = now
    return len(rows)


def describe(row: Escalation, playbook: Playbook) -> dict[str, Any]:
    """The escalation's state for the API."""
    policy, ack_timeout = _policy(row)
    return {
        "policy": row.policy_name,
        "description": policy.description,
        "state": row.state,
        "next_level": row.level + 1 if row.state == State.ACTIVE.value else None,
        "levels": len(policy.levels),
        "cycle": row.cycle,
        "repeat": policy.repeat,
        "next_at": row.next_at,
        "ack_timeout": format_duration(ack_timeout),
        "started_at": row.started_at,
        "stop_reason": row.stop_reason,
    }
