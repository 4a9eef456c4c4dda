"""Post-mortems: opened by the engine when a P0/P1 is resolved, reminded, escalated, exported."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.postincident.conftest import WALK, open_incident, walk
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.engine.runner import Runner, default_jobs
from warroom.errors import Conflict, InvalidInput
from warroom.incidents.models import Incident
from warroom.playbook import Playbook, default_playbook
from warroom.playbook.schema import ContactMethod
from warroom.postmortems import document
from warroom.postmortems import service as postmortems
from warroom.postmortems.models import Postmortem
from warroom.timeline import service as timeline


def runner(engine: Engine, playbook: Playbook, clock: FrozenClock) -> Runner:
    return Runner(default_jobs(playbook), sessions=make_sessionmaker(engine), clock=clock)


def reminders(session: Session, incident: Incident) -> list[str]:
    session.expire_all()
    events = timeline.events(session, incident_id=incident.id, kinds=["reminder", "escalation"])
    return [e.body for e in events]


def test_engine_opens_one_postmortem_due_48h_after_resolution(
    engine: Engine, session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    ticket = open_incident(session, playbook, clock, severity="P2", title="Slow search")
    walk(session, playbook, clock, ticket, "investigating", "resolved")
    session.commit()
    engine_runner = runner(engine, playbook, clock)
    report = engine_runner.cycle()
    assert report.done["postmortems.create"] == 1
    assert engine_runner.cycle().done["postmortems.create"] == 0  # idempotent
    (postmortem,) = session.scalars(select(Postmortem)).all()
    assert postmortem.incident_id == resolved.id
    assert postmortem.due_at == resolved.resolved_at + timedelta(hours=48)
    assert postmortem.owner == "alice"  # the Incident Commander
    assert postmortem.summary == "Checkout is down"


def test_reminded_before_due_then_escalated_when_overdue(
    engine: Engine, session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    engine_runner = runner(engine, playbook, clock)
    engine_runner.cycle()
    assert reminders(session, resolved) == []
    clock.advance(timedelta(hours=24, minutes=1))  # 23 h 59 min left of 48 h
    assert engine_runner.cycle().done["postmortems.remind"] == 1
    assert engine_runner.cycle().done["postmortems.remind"] == 0
    assert reminders(session, resolved) == ["Post-mortem for INC-1 is due in 24 h — to @alice"]
    clock.advance(timedelta(hours=24))
    assert engine_runner.cycle().done["postmortems.escalate"] == 1
    assert engine_runner.cycle().done["postmortems.escalate"] == 0
    assert reminders(session, resolved)[-1] == (
        "Post-mortem for INC-1 is overdue (was due 2026-11-04 09:30Z) — to @alice"
    )


def test_a_completed_postmortem_is_not_chased(
    engine: Engine, session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    postmortem = postmortems.create(
        session, playbook=playbook, incident=resolved, actor="@alice", now=clock.now()
    )
    postmortems.update(
        session,
        playbook=playbook,
        postmortem=postmortem,
        actor="@alice",
        now=clock.now(),
        changes={"status": "complete", "root_cause": "A bad config push"},
    )
    session.commit()
    clock.advance(timedelta(days=3))
    report = runner(engine, playbook, clock).cycle()
    assert report.done["postmortems.remind"] == 0
    assert report.done["postmortems.escalate"] == 0


def test_edits_are_validated_and_recorded(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    postmortem = postmortems.create(
        session, playbook=playbook, incident=resolved, actor="@alice", now=clock.now()
    )
    with pytest.raises(Conflict, match="INC-1 already has a post-mortem"):
        postmortems.create(
            session, playbook=playbook, incident=resolved, actor="@alice", now=clock.now()
        )
    with pytest.raises(InvalidInput, match="unknown person 'zed'"):
        postmortems.update(
            session,
            playbook=playbook,
            postmortem=postmortem,
            actor="@a",
            now=clock.now(),
            changes={"owner": "zed"},
        )
    with pytest.raises(InvalidInput, match="cannot edit due_at"):
        postmortems.update(
            session,
            playbook=playbook,
            postmortem=postmortem,
            actor="@a",
            now=clock.now(),
            changes={"due_at": clock.now()},
        )
    postmortems.update(
        session,
        playbook=playbook,
        postmortem=postmortem,
        actor="@bob",
        now=clock.now(),
        changes={"meeting_at": clock.now() + timedelta(hours=20), "went_well": "Fast rollback"},
    )
    last = timeline.events(session, incident_id=resolved.id, kinds=["postmortem"])[-1]
    assert last.body == "Post-mortem: meeting scheduled for 2026-11-03 05:30Z; edited went well"


def test_document_is_drafted_from_what_warroom_knows(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    incident = open_incident(session, playbook, clock)  # impact started 08:56, detected 09:00
    walk(session, playbook, clock, incident, *WALK)  # 5-minute steps: resolved 09:30
    postmortem = postmortems.create(
        session, playbook=playbook, incident=incident, actor="@alice", now=clock.now()
    )
    postmortems.update(
        session,
        playbook=playbook,
        postmortem=postmortem,
        actor="@alice",
        now=clock.now(),
        changes={"root_cause": "Expired TLS certificate on the payment gateway"},
    )
    text = document.render(session, playbook=playbook, postmortem=postmortem, incident=incident)
    assert text.startswith("# Post-mortem: INC-1 — Checkout is down\n")
    assert "## Summary\n\nCheckout is down\n" in text
    assert "## Impact\n\nNobody can pay\n" in text
    assert "| Time to detect (MTTD) | 4 min 00 s |" in text
    assert "| Time to acknowledge (MTTA) | 5 min 00 s |" in text
    assert "| Time to mitigate | 25 min 00 s |" in text
    assert "| Time to resolve (MTTR) | 30 min 00 s |" in text
    assert "| 2026-11-02 09:30:00 | @alice | status changed | monitoring → resolved |" in text
    assert "## Root cause\n\nExpired TLS certificate on the payment gateway\n" in text
    assert "## What went well\n\n_To be written._\n" in text
    assert "| Action | Owner | Due Date | Status |" in text
    assert "## Meeting agenda (60 min)" in text
    assert "1. **Timeline Review** (15 min)" in text
    assert "5. **Action Items** (5 min)" in text


def test_missing_timestamps_are_said_not_zeroed(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    incident = open_incident(session, playbook, clock, impact_minutes=None)
    postmortem = postmortems.create(
        session, playbook=playbook, incident=incident, actor="@alice", now=clock.now()
    )
    text = document.render(session, playbook=playbook, postmortem=postmortem, incident=incident)
    assert "| Time to detect (MTTD) | not recorded (no impact_started_at) |" in text
    assert "| Time to resolve (MTTR) | not recorded (no resolved_at) |" in text


def test_reminders_go_out_through_notify_when_people_are_reachable(
    session: Session, clock: FrozenClock
) -> None:
    from warroom.notify.models import Notification

    # model_copy skips validation, which would load Apprise (slow) to check the URLs.
    base = default_playbook()
    people = tuple(
        p.model_copy(
            update={"contact": (ContactMethod(url=f"json://127.0.0.1:9/{p.handle}", label="chat"),)}
        )
        for p in base.people
    )
    playbook = base.model_copy(update={"people": people})
    incident = open_incident(session, playbook, clock)
    walk(session, playbook, clock, incident, *WALK)
    session.commit()
    # The post-mortem jobs alone: delivery (another feature's job) would try to send.
    postmortems.create_owed(session, playbook=playbook, now=clock.now())
    clock.advance(timedelta(hours=25))
    assert postmortems.remind_due(session, playbook=playbook, now=clock.now()) == 1
    session.flush()
    queued = session.scalars(
        select(Notification).where(Notification.reason == "postmortem_due")
    ).all()
    assert [n.person for n in queued] == ["alice"]
    assert queued[0].title == "Post-mortem for INC-1 is due in 23 h"
