"""The internal-update reminder: every missed 30-minute cadence of a P0/P1 reminds IC and CL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.engine.peers import HttpReceiver
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.engine.jobs import DeliveryJob, InternalUpdateReminderJob
from warroom.engine.runner import Runner
from warroom.incidents import service as incidents
from warroom.playbook import Playbook
from warroom.reminders import service as timers
from warroom.reminders.models import Timer
from warroom.roles import service as roles
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def runner(engine: Engine, clock: FrozenClock, reachable: Playbook) -> Runner:
    clock.set(START)
    return Runner(
        [InternalUpdateReminderJob(reachable), DeliveryJob(reachable)],
        sessions=make_sessionmaker(engine),
        clock=clock,
    )


def _until(runner: Runner, clock: FrozenClock, minutes: int, step: int = 1) -> None:
    while clock.now() < START + timedelta(minutes=minutes):
        assert not runner.cycle().failed
        clock.advance(
            min(timedelta(minutes=step), START + timedelta(minutes=minutes) - clock.now())
        )
    assert not runner.cycle().failed


def _reminders(session: Session, incident_id: int) -> list[tuple[datetime, str]]:
    session.expire_all()
    return [
        (e.at, e.body)
        for e in timeline.events(session, incident_id=incident_id, kinds=["reminder"])
    ]


def test_missed_cadences_remind_ic_and_communications_lead(
    session: Session,
    clock: FrozenClock,
    runner: Runner,
    reachable: Playbook,
    receiver: HttpReceiver,
) -> None:
    incident = incidents.declare(
        session,
        playbook=reachable,
        actor="alice",
        now=START,
        title="Checkout down",
        severity="P1",
        service="payments",
        declarer="alice",
    )
    roles.assign(
        session,
        playbook=reachable,
        incident=incident,
        role="communications_lead",
        person="bob",
        actor="alice",
        now=START,
    )
    session.commit()
    _until(runner, clock, 29, step=4)
    assert _reminders(session, incident.id) == []
    _until(runner, clock, 30)
    [(at, body)] = _reminders(session, incident.id)
    assert at == START + timedelta(minutes=30)
    assert (
        body == "Internal update overdue (30m since the last one; every 30m): reminded @alice, @bob"
    )
    assert Counter(r.path for r in receiver.delivered()) == {"/alice": 1, "/bob": 1}
    assert "internal update overdue" in receiver.delivered("alice")[0].body["title"]

    # An update at 09:45 restarts the cadence: the next reminder is due at 10:15.
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.INTERNAL_UPDATE,
        actor="bob",
        now=START + timedelta(minutes=45),
        body="**UPDATE** ...",
    )
    session.commit()
    clock.set(START + timedelta(minutes=45))
    _until(runner, clock, 74, step=5)
    assert len(_reminders(session, incident.id)) == 1
    _until(runner, clock, 75)
    _until(runner, clock, 106, step=5)
    assert [at - START for at, _ in _reminders(session, incident.id)] == [
        timedelta(minutes=30),
        timedelta(minutes=75),
        timedelta(minutes=105),
    ]
    assert Counter(r.path for r in receiver.delivered()) == {"/alice": 3, "/bob": 3}

    # Resolved: no more reminders, the timer is done.
    for state in ("investigating", "identified", "fixing", "verifying", "monitoring", "resolved"):
        incidents.transition(
            session, playbook=reachable, incident=incident, to=state, actor="alice", now=clock.now()
        )
    session.commit()
    _until(runner, clock, 240, step=15)
    assert len(_reminders(session, incident.id)) == 3
    assert session.scalars(select(Timer)).one().state == "done"


def test_tickets_get_no_reminders_and_nobody_to_remind_is_shown(
    session: Session, clock: FrozenClock, runner: Runner, reachable: Playbook
) -> None:
    ticket = incidents.declare(
        session,
        playbook=reachable,
        actor="alice",
        now=START,
        title="Slow",
        severity="P2",
        service="web",
    )
    undeclared = incidents.declare(
        session,
        playbook=reachable,
        actor="alice",
        now=START,
        title="Odd",
        severity="P0",
        service="web",
        status="detected",
    )
    orphan = incidents.declare(
        session,
        playbook=reachable,
        actor="alice",
        now=START,
        title="Down",
        severity="P0",
        service="web",
    )
    session.commit()
    _until(runner, clock, 31, step=10)
    assert _reminders(session, ticket.id) == []
    assert _reminders(session, undeclared.id) == []
    [(_, body)] = _reminders(session, orphan.id)
    assert body.endswith("reminded nobody (no Incident Commander or Communications Lead)")


def test_timers_schedule_move_and_cancel(session: Session, clock: FrozenClock) -> None:
    now = clock.now()
    first = timers.schedule(session, kind="postmortem_due", key="pm:1", due_at=now, now=now)
    moved = timers.schedule(
        session, kind="postmortem_due", key="pm:1", due_at=now + timedelta(hours=48), now=now
    )
    session.commit()
    assert first.id == moved.id
    assert timers.claim_due(session, kinds=["postmortem_due"], now=now + timedelta(hours=1)) == []
    [due] = timers.claim_due(session, kinds=["postmortem_due"], now=now + timedelta(hours=48))
    assert due.key == "pm:1"
    assert timers.cancel(session, key="pm:1", now=now)
    assert not timers.cancel(session, key="pm:1", now=now)
    assert timers.claim_due(session, kinds=["postmortem_due"], now=now + timedelta(days=9)) == []
