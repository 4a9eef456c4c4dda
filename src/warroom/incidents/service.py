"""Declaring incidents and moving them through the lifecycle, with every change on the timeline.

Metric timestamps are set by the events that imply them:
detected_at at creation (or as given), declared_at on entering ``declared``, acknowledged_at on
acknowledgement or the first move into ``investigating``, mitigated_at on entering
``monitoring`` (the fix verified) or ``resolved``, resolved_at and closed_at on entering those
states. Reopening clears mitigated_at and resolved_at, so they always describe the last fix.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.errors import Conflict, IllegalTransition, InvalidInput
from warroom.incidents import lifecycle
from warroom.incidents.lifecycle import INITIAL_STATES, Kind, Status
from warroom.incidents.messages import war_room_channel
from warroom.incidents.models import Incident
from warroom.incidents.queries import (
    MAX_PAGE,
    Page,
    ack_due_at,
    allowed_transitions,
    get,
    is_open,
    kind_of,
    list_incidents,
    parse_ref,
    ref_of,
)
from warroom.incidents.validation import (
    check_detected_first,
    check_order,
    check_past,
    check_service,
    clean_impact,
    clean_title,
    severity_of,
)
from warroom.playbook import Playbook
from warroom.roles import service as roles
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind, TimelineEvent

BACKDATE_LIMIT = timedelta(days=1)

__all__ = [  # the queries are part of this service's interface too
    "MAX_PAGE",
    "Page",
    "ack_due_at",
    "acknowledge",
    "add_entry",
    "allowed_transitions",
    "declare",
    "get",
    "is_open",
    "kind_of",
    "list_incidents",
    "needs_commander",
    "parse_ref",
    "ref_of",
    "relieve_role",
    "transition",
    "update",
]


# -- declaring ------------------------------------------------------------------------------


def declare(
    session: Session,
    *,
    playbook: Playbook,
    actor: str,
    now: datetime,
    title: str,
    severity: str,
    service: str,
    impact: str = "",
    impact_started_at: datetime | None = None,
    detected_at: datetime | None = None,
    status: Status | str | None = None,
    commander: str | None = None,
    declarer: str | None = None,
) -> Incident:
    """Open an incident (P0/P1) or ticket (P2/P3).

    Incidents start in ``declared`` and tickets in ``triaged`` unless ``status`` says
    ``detected`` or ``triaged`` (an incident still to be assessed). A declared incident's
    Incident Commander is ``commander``, else the declaring person (``declarer``): the seed
    assigns an IC right after declaring. Tickets have no IC.
    """
    title = clean_title(title)
    impact = clean_impact(impact)
    level = severity_of(playbook, severity)
    service = check_service(playbook, service)
    kind = Kind.INCIDENT if level.declare else Kind.TICKET
    if detected_at is not None:
        check_past(detected_at, "detected_at", now)
    detected = detected_at or now
    if impact_started_at is not None:
        check_past(impact_started_at, "impact_started_at", now)
    check_order(impact_started_at, detected)
    initial = _initial_status(kind, status)
    if commander is not None and kind is Kind.TICKET:
        raise InvalidInput(
            f"{severity} opens a ticket, which has no Incident Commander; leave out commander "
            f"or declare a severity that opens an incident",
            field="commander",
        )

    incident = Incident(
        title=title,
        severity=severity,
        status=initial.value,
        service=service,
        impact=impact,
        created_by=actor,
        created_at=now,
        updated_at=now,
        impact_started_at=impact_started_at,
        detected_at=detected,
    )
    session.add(incident)
    session.flush()  # the id is part of the reference and the war-room name
    what = "incident" if kind is Kind.INCIDENT else "ticket"
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.CREATED,
        actor=actor,
        now=now,
        body=f"{severity} {what} opened ({initial.value}): {title}",
        data={
            "title": title,
            "severity": severity,
            "service": service,
            "status": initial.value,
            "kind": kind.value,
            "impact": impact,
        },
    )
    if initial is Status.DECLARED:
        _enter_declared(session, incident, playbook, now)
    if kind is Kind.INCIDENT and (commander or declarer):
        roles.assign(
            session,
            playbook=playbook,
            incident=incident,
            role=roles.INCIDENT_COMMANDER,
            person=commander or declarer or "",
            actor=actor,
            now=now,
        )
    return incident


def _initial_status(kind: Kind, status: Status | str | None) -> Status:
    if status is None:
        return Status.DECLARED if kind is Kind.INCIDENT else Status.TRIAGED
    try:
        wanted = Status(status)
    except ValueError:
        wanted = None
    allowed = sorted(INITIAL_STATES) if kind is Kind.INCIDENT else ["detected", "triaged"]
    if wanted is None or wanted.value not in allowed:
        raise InvalidInput(
            f"a new {kind.value} can start in {', '.join(allowed)}; got {status!r}",
            field="status",
        )
    return wanted


def _enter_declared(
    session: Session, incident: Incident, playbook: Playbook, now: datetime
) -> None:
    if incident.declared_at is None:
        incident.declared_at = now
    if incident.war_room_channel is None:
        incident.war_room_channel = _unique_channel(session, incident, playbook)


def _unique_channel(session: Session, incident: Incident, playbook: Playbook) -> str:
    name = war_room_channel(incident, playbook)
    taken = session.scalar(
        select(func.count())
        .select_from(Incident)
        .where(Incident.war_room_channel == name, Incident.id != incident.id)
    )
    if taken:
        suffix = f"-{incident.id}"
        name = name[: 80 - len(suffix)] + suffix
    return name


# -- working an incident --------------------------------------------------------------------


def transition(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    to: Status | str,
    actor: str,
    now: datetime,
    note: str | None = None,
    override_reason: str | None = None,
    actor_is_admin: bool = False,
) -> Incident:
    """Move the incident one step along the lifecycle table.

    Closing is refused while closure-checklist items are open, unless the IC or an admin
    (``actor_is_admin``) gives an ``override_reason``, which is recorded on the timeline.
    """
    ref = ref_of(incident, playbook)
    kind = kind_of(incident, playbook)
    current = Status(incident.status)
    allowed = lifecycle.allowed(kind, current)
    try:
        target = Status(to)
    except ValueError:
        raise InvalidInput(
            f"unknown state {to!r}; the lifecycle's states are: {', '.join(Status)}",
            field="to",
            allowed=[s.value for s in allowed],
        ) from None
    if target not in allowed:
        raise IllegalTransition(
            ref=ref, current=current.value, requested=target.value, allowed=allowed
        )
    if (
        kind is Kind.INCIDENT
        and current is Status.DECLARED
        and roles.INCIDENT_COMMANDER not in roles.current(session, incident_id=incident.id)
    ):
        raise Conflict(
            f"{ref} is a declared {incident.severity} incident and needs an Incident Commander "
            f"before it can leave 'declared'; assign one first "
            f"(warroom incident assign {ref} ic PERSON)",
            current=current.value,
            requested=target.value,
            missing_role=roles.INCIDENT_COMMANDER,
        )

    if target is Status.CLOSED:
        from warroom.closure import service as closure  # closure reads incidents; import late

        closure.check_close(
            session,
            playbook=playbook,
            incident=incident,
            ref=ref,
            actor=actor,
            actor_is_admin=actor_is_admin,
            now=now,
            override_reason=override_reason,
        )

    incident.status = target.value
    incident.updated_at = now
    body = f"{current.value} → {target.value}"
    if note:
        body += f": {note.strip()}"
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        now=now,
        body=body,
        data={"from": current.value, "to": target.value, "note": note or None},
    )
    _apply_timestamps(session, incident, playbook, current, target, actor, now)
    return incident


def _apply_timestamps(
    session: Session,
    incident: Incident,
    playbook: Playbook,
    current: Status,
    target: Status,
    actor: str,
    now: datetime,
) -> None:
    if target is Status.DECLARED:
        _enter_declared(session, incident, playbook, now)
    elif target is Status.INVESTIGATING:
        if current in (Status.MONITORING, Status.RESOLVED):
            # The fix did not hold: mitigation and resolution must be measured again.
            incident.mitigated_at = None
            incident.resolved_at = None
        if incident.acknowledged_at is None:
            _record_ack(session, incident, actor, now, implied=True)
    elif target is Status.MONITORING:
        incident.mitigated_at = incident.mitigated_at or now
    elif target is Status.RESOLVED:
        incident.mitigated_at = incident.mitigated_at or now
        incident.resolved_at = now
    elif target is Status.CLOSED:
        incident.closed_at = now


def add_entry(
    session: Session,
    *,
    incident: Incident,
    kind: str,
    body: str,
    actor: str,
    now: datetime,
    at: datetime | None = None,
) -> TimelineEvent:
    """A note, decision or action; it may be backdated up to a day before the incident began."""
    start = min(filter(None, (incident.impact_started_at, incident.detected_at)))
    return timeline.add_entry(
        session,
        incident_id=incident.id,
        kind=kind,
        body=body,
        actor=actor,
        now=now,
        at=at,
        not_before=start - BACKDATE_LIMIT,
    )


def needs_commander(incident: Incident, playbook: Playbook) -> bool:
    """A declared incident past ``declared`` and still open must always have an IC."""
    return (
        kind_of(incident, playbook) is Kind.INCIDENT
        and is_open(incident)
        and Status(incident.status) not in (Status.DETECTED, Status.TRIAGED, Status.DECLARED)
    )


def relieve_role(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    role: str,
    actor: str,
    now: datetime,
) -> None:
    roles.relieve(
        session,
        playbook=playbook,
        incident=incident,
        role=role,
        actor=actor,
        now=now,
        ic_required=needs_commander(incident, playbook),
    )


def acknowledge(
    session: Session, *, playbook: Playbook, incident: Incident, actor: str, now: datetime
) -> Incident:
    """Record that someone is on it. Acknowledging twice changes nothing."""
    if not is_open(incident):
        raise Conflict(
            f"{ref_of(incident, playbook)} is {incident.status}; there is nothing to acknowledge",
            current=incident.status,
        )
    if incident.acknowledged_at is None:
        _record_ack(session, incident, actor, now, implied=False)
    return incident


def _record_ack(
    session: Session, incident: Incident, actor: str, now: datetime, *, implied: bool
) -> None:
    incident.acknowledged_at = now
    incident.acknowledged_by = actor
    incident.updated_at = now
    body = "Acknowledged" + (" (work started)" if implied else "")
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.ACKNOWLEDGED,
        actor=actor,
        now=now,
        body=body,
        data={"implied": implied},
    )


EDITABLE = ("title", "impact", "service", "severity", "impact_started_at", "detected_at")


def update(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    actor: str,
    now: datetime,
    changes: dict[str, Any],
) -> Incident:
    """Edit fields; each change is recorded with its old and new value."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(
            f"cannot edit {', '.join(unknown)}; editable fields: {', '.join(EDITABLE)}",
            field=unknown[0],
        )
    new = {
        "title": clean_title(changes["title"]) if "title" in changes else incident.title,
        "impact": clean_impact(changes["impact"]) if "impact" in changes else incident.impact,
        "service": (
            check_service(playbook, changes["service"])
            if "service" in changes
            else incident.service
        ),
        "severity": changes.get("severity", incident.severity),
        "impact_started_at": changes.get("impact_started_at", incident.impact_started_at),
        "detected_at": changes.get("detected_at", incident.detected_at),
    }
    level = severity_of(playbook, new["severity"])
    if new["detected_at"] is None:
        raise InvalidInput("detected_at cannot be removed", field="detected_at")
    for field in ("impact_started_at", "detected_at"):
        if field in changes and changes[field] is not None:
            check_past(changes[field], field, now)
    check_order(new["impact_started_at"], new["detected_at"])
    if "detected_at" in changes:
        check_detected_first(incident, new["detected_at"])

    was_incident = kind_of(incident, playbook) is Kind.INCIDENT
    edits = {
        field: (getattr(incident, field), value)
        for field, value in new.items()
        if getattr(incident, field) != value
    }
    if not edits:
        return incident
    for field, (_old, value) in edits.items():
        setattr(incident, field, value)
    incident.updated_at = now

    if "severity" in edits:
        old, value = edits.pop("severity")
        raised = playbook.rank(value) < playbook.rank(old)
        timeline.record(
            session,
            incident_id=incident.id,
            kind=EventKind.SEVERITY_CHANGED,
            actor=actor,
            now=now,
            body=f"Severity {'raised' if raised else 'lowered'} from {old} to {value}",
            data={"from": old, "to": value},
        )
        if (
            level.declare
            and not was_incident
            and Status(incident.status)
            not in (
                Status.DETECTED,
                Status.TRIAGED,
            )
        ):
            # A ticket that grows into a declared incident is declared on the spot.
            _enter_declared(session, incident, playbook, now)
    if edits:
        timeline.record(
            session,
            incident_id=incident.id,
            kind=EventKind.EDITED,
            actor=actor,
            now=now,
            body="Edited " + ", ".join(edits),
            data={
                field: {"from": _jsonable(old), "to": _jsonable(value)}
                for field, (old, value) in edits.items()
            },
        )
    return incident


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
