"""Assigning and handing over the four roles, with history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from warroom.clock import FrozenClock
from warroom.errors import Conflict, InvalidInput
from warroom.incidents import service as incidents
from warroom.playbook import Playbook
from warroom.roles import service as roles


def test_handover_keeps_history(session: Session, playbook: Playbook, clock: FrozenClock) -> None:
    incident = incidents.declare(
        session,
        playbook=playbook,
        actor="@alice",
        now=clock.now(),
        title="API down",
        severity="P0",
        service="api",
        commander="alice",
    )
    clock.advance(timedelta(minutes=30))
    roles.assign(
        session,
        playbook=playbook,
        incident=incident,
        role="incident_commander",
        person="@bob",
        actor="@alice",
        now=clock.now(),
    )
    roles.assign(
        session,
        playbook=playbook,
        incident=incident,
        role="scribe",
        person="alice",
        actor="@bob",
        now=clock.now(),
    )
    session.commit()
    current = roles.current(session, incident_id=incident.id)
    assert {role: row.person for role, row in current.items()} == {
        "incident_commander": "bob",
        "scribe": "alice",
    }
    first, second, third = roles.history(session, incident_id=incident.id)
    assert (first.person, first.relieved_at, first.relieved_by) == ("alice", clock.now(), "@alice")
    assert (second.person, second.assigned_at, second.relieved_at) == ("bob", clock.now(), None)
    assert third.role == "scribe"


def test_assigning_the_current_holder_again_changes_nothing(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    incident = incidents.declare(
        session,
        playbook=playbook,
        actor="@alice",
        now=clock.now(),
        title="API down",
        severity="P0",
        service="api",
        commander="alice",
    )
    roles.assign(
        session,
        playbook=playbook,
        incident=incident,
        role="ic",
        person="alice",
        actor="@alice",
        now=clock.now(),
    )
    assert len(roles.history(session, incident_id=incident.id)) == 1


@pytest.mark.parametrize(
    ("role", "person", "message"),
    [
        ("ceo", "alice", "unknown role 'ceo'"),
        ("ic", "mallory", "unknown person 'mallory'"),
    ],
)
def test_unknown_role_or_person(
    session: Session, playbook: Playbook, clock: FrozenClock, role: str, person: str, message: str
) -> None:
    incident = incidents.declare(
        session,
        playbook=playbook,
        actor="@alice",
        now=clock.now(),
        title="API down",
        severity="P0",
        service="api",
    )
    with pytest.raises(InvalidInput, match=message):
        roles.assign(
            session,
            playbook=playbook,
            incident=incident,
            role=role,
            person=person,
            actor="@alice",
            now=clock.now(),
        )


def test_an_active_incident_keeps_its_ic(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    incident = incidents.declare(
        session,
        playbook=playbook,
        actor="@alice",
        now=clock.now(),
        title="API down",
        severity="P0",
        service="api",
        commander="alice",
    )
    incidents.transition(
        session,
        playbook=playbook,
        incident=incident,
        to="investigating",
        actor="@alice",
        now=clock.now(),
    )
    with pytest.raises(Conflict, match="must keep an Incident Commander"):
        incidents.relieve_role(
            session,
            playbook=playbook,
            incident=incident,
            role="ic",
            actor="@alice",
            now=clock.now(),
        )
    roles.assign(
        session,
        playbook=playbook,
        incident=incident,
        role="scribe",
        person="bob",
        actor="@alice",
        now=clock.now(),
    )
    incidents.relieve_role(
        session,
        playbook=playbook,
        incident=incident,
        role="scribe",
        actor="@alice",
        now=clock.now(),
    )
    assert "scribe" not in roles.current(session, incident_id=incident.id)
