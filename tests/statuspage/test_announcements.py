"""Announcing declarations: the engine job queues "INCIDENT DECLARED" to the announcement
channels once per incident, and the outbox delivers it to a real receiver on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.engine.peers import HttpReceiver, start_http_receiver
from warroom.clock import FrozenClock
from warroom.engine.jobs import DeliveryJob
from warroom.engine.runner import default_jobs
from warroom.incidents import service as incidents
from warroom.notify.models import Notification
from warroom.playbook import Playbook, default_playbook_text, parse_playbook
from warroom.timeline import service as timeline
from warroom.updates.announcements import AnnounceDeclarations


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    peer, server = start_http_receiver()
    yield peer
    server.shutdown()


@pytest.fixture
def book(receiver: HttpReceiver) -> Playbook:
    text = default_playbook_text()
    text = text.replace(
        '  # video_call: "https://meet.example.com/incident-{{ incident.ref | lower }}"',
        '  video_call: "https://meet.example.com/incident-{{ incident.ref | lower }}"',
    ).replace(
        '  # shared_doc: "https://docs.example.com/incidents/{{ incident.ref }}"',
        '  shared_doc: "https://docs.example.com/incidents/{{ incident.ref }}"',
    )
    text = text.replace("  channels: []\n", f'  channels: ["{receiver.url("incidents")}"]\n', 1)
    book = parse_playbook(text)
    assert book.announcements.channels == (receiver.url("incidents"),)
    return book


def _declare(session: Session, book: Playbook, clock: FrozenClock, severity: str) -> int:
    incident = incidents.declare(
        session,
        playbook=book,
        actor="@alice",
        now=clock.now(),
        title="Checkout is down",
        severity=severity,
        service="api",
        impact="Nobody can pay",
        declarer="alice",
    )
    session.commit()
    return incident.id


def test_declaration_is_announced_once_and_delivered(
    session: Session, book: Playbook, clock: FrozenClock, receiver: HttpReceiver
) -> None:
    incident_id = _declare(session, book, clock, "P0")
    ticket_id = _declare(session, book, clock, "P2")
    job = AnnounceDeclarations(book)
    assert job.run(session, clock.now()) == 1
    session.commit()
    assert job.run(session, clock.now()) == 0  # idempotent: the announcement event is there
    session.commit()
    rows = list(session.scalars(select(Notification)))
    assert [(r.incident_id, r.reason) for r in rows] == [(incident_id, "announcement")]
    events = timeline.events(session, incident_id=incident_id, kinds=["announcement"])
    assert len(events) == 1
    assert not timeline.events(session, incident_id=ticket_id, kinds=["announcement"])

    assert DeliveryJob(book).run(session, clock.now()) == 1
    session.commit()
    [delivered] = receiver.delivered("incidents")
    text = delivered.body["message"]
    assert "@channel INCIDENT DECLARED - P0" in text
    assert "**IC**: @alice" in text
    assert "**War Room**: #incident-20261102-checkout-is-down" in text
    assert "https://meet.example.com/incident-inc-1" in text
    assert "https://docs.example.com/incidents/INC-1" in text


def test_the_engine_runs_the_job(book: Playbook) -> None:
    assert any(isinstance(job, AnnounceDeclarations) for job in default_jobs(book))


def test_nothing_to_announce_without_channels(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    _declare(session, playbook, clock, "P1")
    assert AnnounceDeclarations(playbook).run(session, clock.now()) == 1
    session.commit()
    assert list(session.scalars(select(Notification))) == []
    # still recorded, so the message is on the timeline and not retried every cycle
    assert AnnounceDeclarations(playbook).run(session, clock.now()) == 0
