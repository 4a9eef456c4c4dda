"""Escalation scenarios driven by a moving clock (never sleeping), delivered to a real receiver."""

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
from warroom.engine.jobs import DeliveryJob, EscalationJob
from warroom.engine.runner import Runner
from warroom.escalation import service as escalation
from warroom.incidents import service as incidents
from warroom.notify.models import Notification
from warroom.playbook import Playbook
from warroom.timeline import service as timeline

# A Tuesday: bob's turn on the default "primary" schedule (alice has the week from Nov 2).
START = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def runner(engine: Engine, clock: FrozenClock, reachable: Playbook) -> Runner:
    clock.set(START)
    return Runner(
        [EscalationJob(reachable), DeliveryJob(reachable)],
        sessions=make_sessionmaker(engine),
        clock=clock,
    )


def _declare(session: Session, playbook: Playbook, now: datetime, severity: str = "P0") -> int:
    incident = incidents.declare(
        session,
        playbook=playbook,
        actor="alice",
        now=now,
        title="Site down",
        severity=severity,
        service="api",
        declarer="alice",
    )
    session.commit()
    return incident.id


def _run_until(runner: Runner, clock: FrozenClock, minutes: int, step: int = 1) -> None:
    """Run a cycle every ``step`` minutes from now until START + minutes."""
    while clock.now() < START + timedelta(minutes=minutes):
        report = runner.cycle()
        assert not report.failed, report.failed
        clock.advance(
            min(timedelta(minutes=step), START + timedelta(minutes=minutes) - clock.now())
        )
    assert not runner.cycle().failed


def _pages(receiver: HttpReceiver) -> Counter[str]:
    return Counter(r.path.strip("/") for r in receiver.delivered())


def _levels(session: Session, incident_id: int) -> list[str]:
    session.expire_all()
    return [
        e.body.split(":")[0]
        for e in timeline.events(session, incident_id=incident_id, kinds=["escalation"])
    ]


def test_p0_nobody_acknowledges(
    session: Session,
    clock: FrozenClock,
    runner: Runner,
    reachable: Playbook,
    receiver: HttpReceiver,
) -> None:
    incident_id = _declare(session, reachable, clock.now())
    runner.cycle()
    # Level 1: the on-call of primary (bob this week) and the Engineering Lead, at once.
    assert _pages(receiver) == {"bob": 1, "alice": 1}
    _run_until(runner, clock, 4)
    assert _pages(receiver) == {"bob": 1, "alice": 1}
    _run_until(runner, clock, 5)  # level 2: the team
    assert _pages(receiver) == {"bob": 2, "alice": 2}
    _run_until(runner, clock, 14)
    assert "carol" not in _pages(receiver)
    _run_until(runner, clock, 15)  # level 3 at the 15m response time: all hands
    assert _pages(receiver) == {"bob": 3, "alice": 3, "carol": 1}
    _run_until(runner, clock, 30)  # repeat once, from level 1
    assert _pages(receiver) == {"bob": 4, "alice": 4, "carol": 1}
    _run_until(runner, clock, 120, step=5)
    assert _pages(receiver) == {"bob": 6, "alice": 6, "carol": 2}
    assert _levels(session, incident_id) == [
        "Escalation started",
        "Level 1 of immediate-all-hands",
        "Level 2 of immediate-all-hands",
        "Level 3 of immediate-all-hands",
        "Level 1 of immediate-all-hands, repeat 1",
        "Level 2 of immediate-all-hands, repeat 1",
        "Level 3 of immediate-all-hands, repeat 1",
        "Escalation exhausted",
    ]
    pages = timeline.events(session, incident_id=incident_id, kinds=["page"])
    assert len(pages) == 14
    assert pages[0].body == "Paged @bob (level 1) via json"
    # every page was sent exactly once: one row per (level, cycle, person), all sent
    rows = session.scalars(select(Notification)).all()
    assert len(rows) == 14
    assert {r.status for r in rows} == {"sent"}
    assert len({r.dedup_key for r in rows}) == 14


def test_p0_acknowledged_at_minute_10(
    session: Session,
    clock: FrozenClock,
    runner: Runner,
    reachable: Playbook,
    receiver: HttpReceiver,
) -> None:
    incident_id = _declare(session, reachable, clock.now())
    _run_until(runner, clock, 10)
    assert _pages(receiver) == {"bob": 2, "alice": 2}
    incident = incidents.get(session, incident_id, playbook=reachable)
    incidents.acknowledge(
        session, playbook=reachable, incident=incident, actor="bob", now=clock.now()
    )
    session.commit()
    _run_until(runner, clock, 90, step=5)
    assert _pages(receiver) == {"bob": 2, "alice": 2}
    assert _levels(session, incident_id)[-1] == "Escalation stopped"
    row = escalation.get(session, incident_id=incident_id)
    assert (row.state, row.stop_reason) == ("stopped", "acknowledged by bob")
    stopped = timeline.events(session, incident_id=incident_id, kinds=["escalation"])[-1]
    assert stopped.at == START + timedelta(minutes=10)


def test_resolved_mid_way_stops_everything(
    session: Session, clock: FrozenClock, receiver: HttpReceiver, engine: Engine
) -> None:
    from tests.engine.conftest import with_contacts

    data = with_contacts(receiver).model_dump(mode="json")
    data["people"][0]["contact"].append({"url": receiver.url("alice-sms"), "label": "sms"})
    data["notify"]["rules"] = {"alice": [{"contact": "chat"}, {"contact": "sms", "after": "10m"}]}
    playbook = Playbook.model_validate(data)
    clock.set(START)
    runner = Runner(
        [EscalationJob(playbook), DeliveryJob(playbook)],
        sessions=make_sessionmaker(engine),
        clock=clock,
    )
    incident_id = _declare(session, playbook, clock.now(), severity="P1")
    _run_until(runner, clock, 7)
    assert _pages(receiver) == {"alice": 1, "bob": 1}  # the SMS waits for minute 10
    incident = incidents.get(session, incident_id, playbook=playbook)
    for state in ("investigating", "identified", "fixing", "verifying", "monitoring", "resolved"):
        incidents.transition(
            session, playbook=playbook, incident=incident, to=state, actor="alice", now=clock.now()
        )
    session.commit()
    _run_until(runner, clock, 180, step=10)
    assert _pages(receiver) == {"alice": 1, "bob": 1}
    row = escalation.get(session, incident_id=incident_id)
    assert (row.state, row.stop_reason) == ("stopped", "the incident is resolved")
    sms = session.scalars(select(Notification).where(Notification.target.like("%alice-sms"))).one()
    assert sms.status == "cancelled"


def test_policy_is_snapshotted_when_escalation_starts(
    session: Session,
    clock: FrozenClock,
    runner: Runner,
    reachable: Playbook,
    receiver: HttpReceiver,
) -> None:
    incident_id = _declare(session, reachable, clock.now())
    runner.cycle()
    # The playbook is edited (one level, all hands); the running escalation keeps its levels.
    data = reachable.model_dump(mode="json")
    data["escalation_policies"]["immediate-all-hands"]["levels"] = [
        {"targets": [{"all_hands": True}], "delay": "1m"}
    ]
    edited = Playbook.model_validate(data)
    runner.jobs = [EscalationJob(edited), DeliveryJob(edited)]
    _run_until(runner, clock, 5)
    assert _levels(session, incident_id)[-1] == "Level 2 of immediate-all-hands"
    assert "carol" not in _pages(receiver)


def test_severity_raised_restarts_with_the_new_policy(
    session: Session,
    clock: FrozenClock,
    runner: Runner,
    reachable: Playbook,
    receiver: HttpReceiver,
) -> None:
    incident = incidents.declare(
        session,
        playbook=reachable,
        actor="carol",
        now=clock.now(),
        title="Slow pages",
        severity="P2",
        service="web",
    )
    session.commit()
    runner.cycle()
    assert _pages(receiver) == {"bob": 1}  # P2: the on-call engineer
    incidents.update(
        session,
        playbook=reachable,
        incident=incident,
        actor="carol",
        now=clock.now(),
        changes={"severity": "P0"},
    )
    session.commit()
    clock.advance(timedelta(minutes=1))
    runner.cycle()
    assert _pages(receiver) == {"bob": 2, "alice": 1}
    assert "Escalation restarted" in _levels(session, incident.id)


def test_two_cycles_at_the_same_time_do_nothing_more(
    session: Session,
    clock: FrozenClock,
    runner: Runner,
    reachable: Playbook,
    receiver: HttpReceiver,
) -> None:
    _declare(session, reachable, clock.now())
    runner.cycle()
    runner.cycle()
    runner.cycle()
    assert _pages(receiver) == {"bob": 1, "alice": 1}
    assert len(session.scalars(select(Notification)).all()) == 2


def test_people_without_contact_methods_still_show_on_the_timeline(
    session: Session, clock: FrozenClock, playbook: Playbook
) -> None:
    clock.set(START)
    incident_id = _declare(session, playbook, clock.now())
    escalation.start_due(session, playbook=playbook, now=clock.now())
    session.commit()
    pages = [e.body for e in timeline.events(session, incident_id=incident_id, kinds=["page"])]
    assert pages == [
        "Paged @bob (level 1) (no contact methods: see the playbook)",
        "Paged @alice (level 1) (no contact methods: see the playbook)",
    ]


def test_pages_follow_the_schedule_across_a_dst_handoff(
    session: Session,
    clock: FrozenClock,
    engine: Engine,
    reachable: Playbook,
    receiver: HttpReceiver,
) -> None:
    # primary hands over on Mondays at 09:00 London time. On Monday 2026-10-19 that is 08:00
    # UTC (BST); the clocks go back on Oct 25, so on Monday 2026-10-26 it is 09:00 UTC (GMT).
    runner = Runner(
        [EscalationJob(reachable), DeliveryJob(reachable)],
        sessions=make_sessionmaker(engine),
        clock=clock,
    )
    for moment, expected in (
        (datetime(2026, 10, 19, 8, 30, tzinfo=UTC), "alice"),  # after the 08:00 UTC handoff
        (datetime(2026, 10, 26, 8, 30, tzinfo=UTC), "alice"),  # before the 09:00 UTC handoff
        (datetime(2026, 10, 26, 9, 0, tzinfo=UTC), "bob"),
    ):
        clock.set(moment)
        incident = incidents.declare(
            session,
            playbook=reachable,
            actor="carol",
            now=moment,
            title="Slow",
            severity="P2",
            service="web",
        )
        session.commit()
        runner.cycle()
        pages = timeline.events(session, incident_id=incident.id, kinds=["page"])
        assert [p.data["person"] for p in pages] == [expected], moment
        incidents.acknowledge(
            session, playbook=reachable, incident=incident, actor=expected, now=moment
        )
        session.commit()
    assert _pages(receiver) == {"alice": 2, "bob": 1}
