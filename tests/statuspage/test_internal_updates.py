"""Internal updates: the seed's UPDATE block, as internal_update timeline events."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.statuspage.conftest import Declare
from tests.support import auth_header
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.incidents.models import Incident
from warroom.reminders import updates as reminders


def test_internal_update_renders_the_seed_template(
    client: TestClient, alice_token: str, declare: Declare
) -> None:
    ref = declare(severity="P0")["ref"]
    body = {
        "status": "identified",
        "current_state": "Bad deploy found",
        "next_steps": "Roll back",
        "eta": "15 minutes",
        "need": "Nothing",
    }
    dry = client.post(
        f"/api/v1/incidents/{ref}/internal-updates",
        json={**body, "dry_run": True},
        headers=auth_header(alice_token),
    )
    assert dry.status_code == 200
    assert dry.json()["posted"] is False
    posted = client.post(
        f"/api/v1/incidents/{ref}/internal-updates", json=body, headers=auth_header(alice_token)
    )
    assert posted.status_code == 201, posted.text
    text = posted.json()["body"]
    assert text == dry.json()["body"]
    assert text.splitlines() == [
        "**UPDATE** - 09:00 UTC",
        "**Status**: Identified",
        "**Current State**: Bad deploy found",
        "**Next Steps**: Roll back",
        "**ETA**: 15 minutes",
        "**Need**: Nothing",
    ]
    events = client.get(f"/api/v1/incidents/{ref}/timeline", headers=auth_header(alice_token))
    internal = [e for e in events.json()["events"] if e["kind"] == "internal_update"]
    assert len(internal) == 1
    assert internal[0]["data"]["status"] == "identified"
    assert internal[0]["data"]["next_steps"] == "Roll back"


def test_status_defaults_to_the_incident_state(
    client: TestClient, alice_token: str, declare: Declare
) -> None:
    ref = declare()["ref"]
    posted = client.post(
        f"/api/v1/incidents/{ref}/internal-updates",
        json={"current_state": "Looking"},
        headers=auth_header(alice_token),
    )
    assert posted.json()["fields"]["status"] == "declared"
    assert "**ETA**: TBD" in posted.json()["body"]


def test_internal_update_bad_input(client: TestClient, alice_token: str, declare: Declare) -> None:
    ref = declare()["ref"]
    cases = [
        ({"status": "on fire", "current_state": "x"}, "invalid status 'on fire'"),
        ({}, "needs at least the current state"),
        ({"body": "  "}, "body must not be empty"),
    ]
    for body, message in cases:
        response = client.post(
            f"/api/v1/incidents/{ref}/internal-updates", json=body, headers=auth_header(alice_token)
        )
        assert response.status_code == 422
        assert message in response.json()["error"]["message"]
    events = client.get(f"/api/v1/incidents/{ref}/timeline", headers=auth_header(alice_token))
    assert not [e for e in events.json()["events"] if e["kind"] == "internal_update"]


def test_the_reminder_job_sees_the_update(
    client: TestClient, alice_token: str, declare: Declare, clock: FrozenClock, engine: Engine
) -> None:
    """The engine's cadence reminder counts from the newest internal_update event posted here."""
    ref = declare(severity="P0")["ref"]
    clock.advance(timedelta(minutes=25))
    client.post(
        f"/api/v1/incidents/{ref}/internal-updates",
        json={"current_state": "Rolling back"},
        headers=auth_header(alice_token),
    )
    with make_sessionmaker(engine)() as session:
        incident = session.scalar(select(Incident))
        assert incident is not None
        assert reminders.last_update_at(session, incident) == clock.now()
