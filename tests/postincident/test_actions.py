"""Action items: validation, status changes, overdue listing and reminders, the seed's table."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from warroom.actions import service as actions
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.engine.runner import Runner, default_jobs
from warroom.errors import InvalidInput
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.timeline import service as timeline

TODAY = date(2026, 11, 2)


def new(
    session: Session,
    playbook: Playbook,
    clock: FrozenClock,
    incident: Incident,
    **overrides: object,
) -> actions.ActionItem:
    values: dict[str, object] = {
        "title": "Alert on certificate expiry",
        "owner": "bob",
        "due_on": TODAY + timedelta(days=7),
        "kind": "monitoring",
    }
    values.update(overrides)
    return actions.create(
        session,
        playbook=playbook,
        incident=incident,
        actor="@alice",
        now=clock.now(),
        **values,  # type: ignore[arg-type]
    )


BAD_ITEMS: list[tuple[dict[str, object], str]] = [
    ({"owner": None}, "an action item needs an owner"),
    ({"owner": "zed"}, "unknown person 'zed'"),
    ({"due_on": TODAY - timedelta(days=1)}, "due date 2026-11-01 is in the past"),
    ({"due_on": None}, "needs a due date"),
    ({"kind": "cosmetic"}, "unknown kind 'cosmetic'; expected one of preventive, process"),
    ({"title": "  "}, "title must not be empty"),
]


def test_bad_action_items_are_refused(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    # One database for all cases: each refusal is checked to store nothing.
    for overrides, message in BAD_ITEMS:
        with pytest.raises(InvalidInput, match=message):
            new(session, playbook, clock, resolved, **overrides)
        session.rollback()
        assert actions.list_items(session, playbook=playbook, today=TODAY).total == 0


def test_status_changes_track_completion(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    item = new(session, playbook, clock, resolved, owner="@bob")
    assert item.owner == "bob"
    assert item.status == "todo"
    actions.update(
        session,
        playbook=playbook,
        item=item,
        actor="@bob",
        now=clock.now(),
        changes={"status": "done"},
    )
    assert item.completed_at == clock.now()
    actions.update(
        session,
        playbook=playbook,
        item=item,
        actor="@bob",
        now=clock.now(),
        changes={"status": "in_progress"},
    )
    assert item.completed_at is None
    bodies = [
        e.body for e in timeline.events(session, incident_id=resolved.id, kinds=["action_item"])
    ]
    assert bodies[0].startswith("Action item #1 (monitoring) for @bob, due 2026-11-09")
    assert bodies[1:] == ["Action item #1: status → done", "Action item #1: status → in_progress"]


def test_overdue_by_owner_and_the_tracking_table(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    first = new(session, playbook, clock, resolved, due_on=TODAY + timedelta(days=1))
    new(
        session,
        playbook,
        clock,
        resolved,
        title="Runbook for gateway",
        owner="alice",
        kind="process",
        due_on=TODAY + timedelta(days=1),
    )
    new(session, playbook, clock, resolved, title="Later", due_on=TODAY + timedelta(days=30))
    later = TODAY + timedelta(days=3)
    overdue = actions.list_items(session, playbook=playbook, today=later, overdue=True)
    assert overdue.total == 2
    mine = actions.list_items(session, playbook=playbook, today=later, overdue=True, owner="bob")
    assert [i.id for i in mine.items] == [first.id]
    table = actions.tracking_table(overdue.items, refs={resolved.id: "INC-1"})
    assert table.splitlines() == [
        "| Action | Owner | Due Date | Status | Kind | Incident |",
        "|--------|-------|----------|--------|------|----------|",
        "| Alert on certificate expiry | @bob | 2026-11-03 | Todo | Monitoring | INC-1 |",
        "| Runbook for gateway | @alice | 2026-11-03 | Todo | Process | INC-1 |",
    ]


def test_overdue_owner_is_reminded_once_a_day(
    engine: Engine, session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    new(session, playbook, clock, resolved, due_on=TODAY)
    session.commit()
    runner = Runner(default_jobs(playbook), sessions=make_sessionmaker(engine), clock=clock)
    assert runner.cycle().done["action_items.remind"] == 0  # due today: not overdue yet
    clock.advance(timedelta(days=1))
    assert runner.cycle().done["action_items.remind"] == 1
    clock.advance(timedelta(hours=2))
    assert runner.cycle().done["action_items.remind"] == 0
    clock.advance(timedelta(days=1))
    assert runner.cycle().done["action_items.remind"] == 1
    session.expire_all()
    events = timeline.events(session, incident_id=resolved.id, kinds=["reminder"])
    bodies = [e.body for e in events if e.data.get("action_item") == 1]
    assert bodies == ["Action item #1 from INC-1 is overdue (due 2026-11-02) — to @bob"] * 2
