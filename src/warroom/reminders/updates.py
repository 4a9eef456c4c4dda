"""The internal-update reminder: P0/P1 need an internal update every 30 minutes (the severity's
``internal_update_every``); when a cadence passes with none, the Incident Commander and the
Communications Lead are reminded, once per missed cadence, and the timeline shows it.

One timer per open declared incident. When it fires, the cadence is counted from the newest
``internal_update`` event (or the declaration): posting an update simply makes the next firing
find nothing missed and move the timer on.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from warroom.incidents import service as incidents
from warroom.incidents.lifecycle import OPEN_STATES
from warroom.incidents.models import Incident
from warroom.notify import service as notify
from warroom.playbook import Playbook, format_duration
from warroom.reminders import service as timers
from warroom.reminders.models import Timer
from warroom.roles import service as roles
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind, TimelineEvent

KIND = "internal_update"
ACTOR = "warroom"
REMINDED_ROLES = ("incident_commander", "communications_lead")
_OPEN = [s.value for s in OPEN_STATES]


def _key(incident_id: int) -> str:
    return f"{KIND}:{incident_id}"


def _cadence_severities(playbook: Playbook) -> list[str]:
    return [
        key
        for key in playbook.severity_keys()
        if playbook.severity(key).declare and playbook.severity(key).internal_update_every
    ]


def last_update_at(session: Session, incident: Incident) -> datetime | None:
    """The newest internal update, else the declaration (None for an undeclared incident)."""
    newest = session.scalar(
        select(func.max(TimelineEvent.at)).where(
            TimelineEvent.incident_id == incident.id,
            TimelineEvent.kind == EventKind.INTERNAL_UPDATE.value,
        )
    )
    if newest is not None and newest.tzinfo is None:  # SQLite aggregates lose the type
        newest = newest.replace(tzinfo=UTC)
    return newest or incident.declared_at


def start_due(session: Session, *, playbook: Playbook, now: datetime, limit: int = 500) -> int:
    """Give every open declared incident with a cadence its reminder timer."""
    severities = _cadence_severities(playbook)
    if not severities:
        return 0
    found = session.scalars(
        select(Incident)
        .where(
            Incident.status.in_(_OPEN),
            Incident.declared_at.is_not(None),
            Incident.severity.in_(severities),
            ~exists().where(Timer.incident_id == Incident.id, Timer.kind == KIND),
        )
        .order_by(Incident.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Incident)
    ).all()
    for incident in found:
        every = playbook.severity(incident.severity).internal_update_every
        anchor = last_update_at(session, incident)
        assert every is not None
        assert anchor is not None
        timers.schedule(
            session,
            kind=KIND,
            key=_key(incident.id),
            due_at=anchor + every,
            now=now,
            incident_id=incident.id,
            data={"anchor": anchor.isoformat(), "reminded": 0},
        )
    return len(found)


def remind_due(session: Session, *, playbook: Playbook, now: datetime, limit: int = 200) -> int:
    """Fire due reminder timers: remind for a missed cadence, or move the timer on."""
    reminded = 0
    for timer in timers.claim_due(session, kinds=[KIND], now=now, limit=limit):
        incident = session.get(Incident, timer.incident_id) if timer.incident_id else None
        every = None
        if incident is not None and incident.severity in _cadence_severities(playbook):
            every = playbook.severity(incident.severity).internal_update_every
        anchor = last_update_at(session, incident) if incident is not None else None
        if incident is None or incident.status not in _OPEN or every is None or anchor is None:
            timers.complete(timer, now=now)
            continue
        missed = (now - anchor) // every
        already = (
            timer.data.get("reminded", 0) if timer.data.get("anchor") == anchor.isoformat() else 0
        )
        if missed > already:
            _remind(
                session, playbook=playbook, incident=incident, anchor=anchor, missed=missed, now=now
            )
            reminded += 1
        timer.data = {"anchor": anchor.isoformat(), "reminded": max(missed, already)}
        timer.due_at = anchor + every * (max(missed, already) + 1)
        timer.updated_at = now
    return reminded


def _remind(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    anchor: datetime,
    missed: int,
    now: datetime,
) -> None:
    ref = incidents.ref_of(incident, playbook)
    every = playbook.severity(incident.severity).internal_update_every
    assert every is not None
    holders = roles.current(session, incident_id=incident.id)
    people = list(dict.fromkeys(holders[r].person for r in REMINDED_ROLES if r in holders))
    late = format_duration(now - anchor)
    title = f"[{incident.severity}] {ref}: internal update overdue"
    body = (
        f"No internal update on {ref} ({incident.title}) for {late}; {incident.severity} "
        f"needs one every {format_duration(every)}. Post it: warroom update {ref}"
    )
    for person in people:
        notify.notify_person(
            session,
            playbook=playbook,
            now=now,
            person=person,
            title=title,
            body=body,
            reason="reminder",
            dedup_key=f"reminder/{KIND}/{incident.id}/{anchor.isoformat()}/{missed}",
            incident_id=incident.id,
        )
    who = (
        ", ".join(f"@{p}" for p in people)
        or "nobody (no Incident Commander or Communications Lead)"
    )
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.REMINDER,
        actor=ACTOR,
        now=now,
        body=f"Internal update overdue ({late} since the last one; every "
        f"{format_duration(every)}): reminded {who}",
        data={"reminder": KIND, "people": people, "missed": missed, "since": anchor.isoformat()},
    )
