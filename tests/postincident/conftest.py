"""Helpers for the post-incident tests: incidents walked through their lifecycle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from warroom.clock import FrozenClock
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.playbook import Playbook

WALK = ("investigating", "identified", "fixing", "verifying", "monitoring", "resolved")


def walk(
    session: Session,
    playbook: Playbook,
    clock: FrozenClock,
    incident: Incident,
    *states: str,
    step: timedelta = timedelta(minutes=5),
    actor: str = "@alice",
) -> None:
    """Move an incident through states, ``step`` apart."""
    for state in states:
        clock.advance(step)
        incidents.transition(
            session, playbook=playbook, incident=incident, to=state, actor=actor, now=clock.now()
        )
    session.flush()


def open_incident(
    session: Session,
    playbook: Playbook,
    clock: FrozenClock,
    *,
    severity: str = "P1",
    service: str = "api",
    title: str = "Checkout is down",
    impact_minutes: int | None = 4,
) -> Incident:
    """A declared incident with alice as IC (or a ticket for P2/P3)."""
    declared = playbook.severity(severity).declare
    return incidents.declare(
        session,
        playbook=playbook,
        actor="@alice",
        now=clock.now(),
        title=title,
        severity=severity,
        service=service,
        impact="Nobody can pay",
        impact_started_at=(
            clock.now() - timedelta(minutes=impact_minutes) if impact_minutes else None
        ),
        commander="alice" if declared else None,
    )


@pytest.fixture
def resolved(session: Session, playbook: Playbook, clock: FrozenClock) -> Incident:
    """A P1 walked all the way to resolved (detected 09:00, resolved 09:30)."""
    incident = open_incident(session, playbook, clock)
    walk(session, playbook, clock, incident, *WALK)
    session.commit()
    return incident
