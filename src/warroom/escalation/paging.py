"""Paging one escalation level: expand its targets to people and queue their notifications.

Every person paged gets a ``page`` timeline event and notifications through their contact
methods (``notify.service.plan_person``), all in the caller's transaction, so the escalation
state that moved and the pages it implies commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.errors import NotFound
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.notify import service as notify
from warroom.oncall import service as oncall
from warroom.playbook import Playbook
from warroom.playbook.escalation import Level, Target
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

ACTOR = "warroom"


def expand(playbook: Playbook, target: Target, now: datetime) -> tuple[list[str], str | None]:
    """The handles a target means now, and a note when it means nobody."""
    if target.person:
        if playbook.person(target.person) is None:
            return [], f"@{target.person} is no longer in the playbook"
        return [target.person], None
    if target.schedule:
        try:
            person = oncall.person_on_call(playbook, schedule=target.schedule, at=now)
        except NotFound:
            return [], f"schedule {target.schedule} is no longer in the playbook"
        if person is None:
            return [], f"nobody is on call on {target.schedule}"
        return [person], None
    if target.team:
        team = playbook.team(target.team)
        if team is None:
            return [], f"team {target.team} is no longer in the playbook"
        return list(team.members), None
    return [p.handle for p in playbook.people], None if playbook.people else "nobody in people"


def page_level(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    level: Level,
    number: int,
    cycle: int,
    escalation_id: int,
    now: datetime,
    outbox: list[dict[str, Any]],
    generation: int = 0,
) -> list[str]:
    """Page everyone ``level`` targets (once each) and record it; returns the handles paged.

    The notifications are appended to ``outbox`` for the caller to store in one statement
    (``notify.enqueue_many``) in the same transaction.
    """
    ref = incidents.ref_of(incident, playbook)
    handles: list[str] = []
    notes: list[str] = []
    for target in level.targets:
        found, note = expand(playbook, target, now)
        handles += [h for h in found if h not in handles]
        if note:
            notes.append(note)
    title = f"[{incident.severity}] {ref}: {incident.title}"
    body = (
        f"{incident.severity} {ref} on {incident.service} is not acknowledged.\n"
        f"{incident.title}\n"
        f"Acknowledge: warroom incident ack {ref}"
    )
    key = f"escalation/{escalation_id}/g{generation}/c{cycle}/l{number}"
    for handle in handles:
        queued = notify.plan_person(
            playbook=playbook,
            now=now,
            person=handle,
            title=title,
            body=body,
            reason="page",
            dedup_key=key,
            incident_id=incident.id,
        )
        outbox.extend(queued)
        via = ", ".join(sorted({notify.scheme_of(n["target"]) for n in queued}))
        timeline.record(
            session,
            incident_id=incident.id,
            kind=EventKind.PAGE,
            actor=ACTOR,
            now=now,
            body=f"Paged @{handle} (level {number + 1})"
            + (f" via {via}" if via else " (no contact methods: see the playbook)"),
            data={
                "person": handle,
                "level": number + 1,
                "cycle": cycle,
                "escalation_id": escalation_id,
                "notifications": [n["dedup_key"] for n in queued],
            },
        )
    for note in notes:
        timeline.record(
            session,
            incident_id=incident.id,
            kind=EventKind.PAGE,
            actor=ACTOR,
            now=now,
            body=f"Level {number + 1}: {note}",
            data={"level": number + 1, "cycle": cycle, "escalation_id": escalation_id},
        )
    return handles
