"""Reminders to people: always on the incident's timeline, and through notify when installed.

The notify feature (``warroom.notify.service.notify_person``) is built separately; when it
cannot be imported the timeline event is the reminder, so nothing is lost, only not pushed.
"""

from __future__ import annotations

import importlib
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.playbook import Playbook
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

ACTOR = "warroom"


def remind(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    incident_id: int,
    people: list[str],
    title: str,
    body: str,
    reason: str,
    dedup_key: str,
    kind: EventKind = EventKind.REMINDER,
    data: dict[str, object] | None = None,
) -> None:
    """Record a reminder on the timeline and notify each person (deduplicated by key)."""
    who = ", ".join(f"@{p}" for p in people) or "nobody (no owner or lead known)"
    timeline.record(
        session,
        incident_id=incident_id,
        kind=kind,
        actor=ACTOR,
        now=now,
        body=f"{title} — to {who}",
        data={"reason": reason, "to": people, **(data or {})},
    )
    try:
        notify = importlib.import_module("warroom.notify.service")
    except ImportError:
        return
    send = getattr(notify, "notify_person", None)
    if send is None:
        return
    for handle in people:
        person = playbook.person(handle)
        if person is None:
            continue
        send(
            session,
            playbook=playbook,
            now=now,
            person=person.handle,
            title=title,
            body=body,
            reason=reason,
            dedup_key=f"{dedup_key}:{handle}",
            incident_id=incident_id,
        )
