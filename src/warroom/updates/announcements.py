"""Announcing declarations: an engine job that posts the seed's "INCIDENT DECLARED" message to
the playbook's announcement channels once per declared incident, with its war room's channel,
video call and shared document."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from warroom.incidents import service as incidents
from warroom.incidents.lifecycle import OPEN_STATES
from warroom.incidents.messages import declaration_message, war_room
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind, TimelineEvent
from warroom.updates.public import holders

BATCH = 50
# Incidents declared longer ago than this are not announced late (e.g. after an upgrade).
LOOKBACK = timedelta(days=1)
REASON = "announcement"


def _targets(playbook: Playbook) -> list[tuple[str, str]]:
    """(kind, value): ("url", apprise url) or ("channel", name of notify.channels)."""
    return [
        ("url", value) if "://" in value else ("channel", value)
        for value in playbook.announcements.channels
    ]


class AnnounceDeclarations:
    """Engine job: announce each newly declared P0/P1 (per ``announcements.severities``)."""

    name = "announce_declarations"

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook

    def run(self, session: Session, now: datetime) -> int:
        """Announce what is due; idempotent (the ``announcement`` event marks it done)."""
        severities = list(self.playbook.announcements.severities)
        if not severities:
            return 0
        announced = exists().where(
            TimelineEvent.incident_id == Incident.id,
            TimelineEvent.kind == EventKind.ANNOUNCEMENT.value,
        )
        query = (
            select(Incident)
            .where(
                Incident.declared_at.is_not(None),
                Incident.declared_at >= now - LOOKBACK,
                Incident.severity.in_(severities),
                Incident.status.in_([s.value for s in OPEN_STATES]),
                ~announced,
            )
            .order_by(Incident.id)
            .limit(BATCH)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        done = 0
        for incident in session.scalars(query):
            announce(session, playbook=self.playbook, incident=incident, now=now)
            done += 1
        return done


def announce(session: Session, *, playbook: Playbook, incident: Incident, now: datetime) -> int:
    """Queue the declaration message to every announcement channel and record it; how many."""
    from warroom.notify import service as outbox

    message = declaration_message(incident, playbook, holders=holders(session, incident), now=now)
    room = war_room(incident, playbook)
    links = [v for v in (room["video_call"], room["shared_doc"]) if v]
    if links and not all(link in message for link in links):
        message += "\n" + "\n".join(f"**Link**: {link}" for link in links if link not in message)
    ref = incidents.ref_of(incident, playbook)
    title = f"INCIDENT DECLARED - {incident.severity}: {incident.title}"
    key = f"announcement/{incident.id}"
    queued = 0
    for kind, value in _targets(playbook):
        if kind == "channel":
            row = outbox.notify_channel(
                session,
                playbook=playbook,
                now=now,
                channel=value,
                title=title,
                body=message,
                reason=REASON,
                dedup_key=key,
                incident_id=incident.id,
            )
        else:
            row = outbox.enqueue(
                session,
                now=now,
                target=value,
                title=title,
                body=message,
                reason=REASON,
                dedup_key=outbox.derive_key(key, hashlib.sha256(value.encode()).hexdigest()[:16]),
                incident_id=incident.id,
            )
        queued += row is not None
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.ANNOUNCEMENT,
        actor="warroom",
        now=now,
        body=message,
        data={"ref": ref, "channels": len(_targets(playbook)), "war_room": dict(room)},
    )
    return queued
