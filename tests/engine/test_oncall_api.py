"""The on-call, notifications and escalation endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.support import auth_header
from warroom.api.app import create_app
from warroom.clock import FrozenClock
from warroom.config import Settings
from warroom.db import make_sessionmaker
from warroom.escalation import service as escalation
from warroom.notify import service as notify
from warroom.playbook import Playbook, default_playbook


def test_on_call_at_a_time(client: TestClient, viewer_token: str) -> None:
    headers = auth_header(viewer_token)
    got = client.get("/api/v1/schedules/primary/oncall?at=2026-11-09T09:00:00Z", headers=headers)
    assert got.status_code == 200
    assert got.json() == {
        "schedule": "primary",
        "person": "bob",
        "layer": "weekly",
        "at": "2026-11-09T09:00:00Z",
    }
    now = client.get("/api/v1/oncall", headers=headers).json()
    assert [(o["schedule"], o["person"]) for o in now] == [("primary", "alice")]


def test_errors_are_precise(client: TestClient, viewer_token: str) -> None:
    headers = auth_header(viewer_token)
    missing = client.get("/api/v1/schedules/nightly/oncall", headers=headers)
    assert missing.status_code == 404
    assert "no schedule 'nightly'; schedules: primary" in missing.json()["error"]["message"]
    naive = client.get("/api/v1/schedules/primary/oncall?at=2026-11-09T09:00:00", headers=headers)
    assert naive.status_code == 422
    backwards = client.get(
        "/api/v1/schedules/primary/shifts?from=2026-11-09T09:00:00Z&to=2026-11-01T09:00:00Z",
        headers=headers,
    )
    assert backwards.status_code == 422
    assert client.get("/api/v1/schedules/primary/oncall").status_code == 401


def test_schedule_and_shifts(client: TestClient, viewer_token: str) -> None:
    headers = auth_header(viewer_token)
    listed = client.get("/api/v1/schedules", headers=headers).json()
    assert [s["name"] for s in listed] == ["primary"]
    assert listed[0]["on_call_now"]["person"] == "alice"
    shifts = client.get(
        "/api/v1/schedules/primary/shifts?from=2026-11-02T09:00:00Z&to=2026-11-23T09:00:00Z"
        "&person=bob",
        headers=headers,
    ).json()
    assert [(s["person"], s["start"], s["end"]) for s in shifts["shifts"]] == [
        ("bob", "2026-11-09T09:00:00Z", "2026-11-16T09:00:00Z")
    ]


def test_ics_feed(client: TestClient, viewer_token: str) -> None:
    got = client.get(
        "/api/v1/schedules/primary.ics?from=2026-10-19T08:00:00Z&to=2026-11-16T09:00:00Z",
        headers=auth_header(viewer_token),
    )
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/calendar")
    events = list(icalendar.Calendar.from_ical(got.text).walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == [
        "On call: @alice (primary)",
        "On call: @bob (primary)",
        "On call: @alice (primary)",
        "On call: @bob (primary)",
    ]
    mine = client.get(
        "/api/v1/schedules/primary.ics?person=alice", headers=auth_header(viewer_token)
    )
    people = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(mine.text).walk("VEVENT")}
    assert people == {"On call: @alice (primary)"}


def test_notifications_are_listed_with_redacted_targets(
    client: TestClient, viewer_token: str, engine: Engine, clock: FrozenClock
) -> None:
    with make_sessionmaker(engine)() as session:
        notify.enqueue(
            session,
            now=clock.now(),
            target="json://user:s3cret@hooks.example.com/in/abcdefghijklmnopqrstuvwxyz123456",
            title="Hello",
            body="b",
            reason="announcement",
            dedup_key="a/1",
        )
        session.commit()
    got = client.get("/api/v1/notifications?status=queued", headers=auth_header(viewer_token))
    assert got.status_code == 200
    [item] = got.json()["items"]
    assert item["target"] == "json://user:***@hooks.example.com/in/***"
    assert "s3cret" not in got.text
    bad = client.get("/api/v1/notifications?status=lost", headers=auth_header(viewer_token))
    assert bad.status_code == 422


def test_incident_escalation_state(
    client: TestClient,
    alice_token: str,
    viewer_token: str,
    engine: Engine,
    clock: FrozenClock,
    playbook: Playbook,
) -> None:
    created = client.post(
        "/api/v1/incidents",
        json={"title": "Site down", "severity": "P0", "service": "api"},
        headers=auth_header(alice_token),
    )
    ref = created.json()["ref"]
    assert (
        client.get(
            f"/api/v1/incidents/{ref}/escalation", headers=auth_header(viewer_token)
        ).status_code
        == 404
    )
    with make_sessionmaker(engine)() as session:
        escalation.start_due(session, playbook=playbook, now=clock.now())
        session.commit()
    got = client.get(f"/api/v1/incidents/{ref}/escalation", headers=auth_header(viewer_token))
    assert got.status_code == 200
    body = got.json()
    assert body["policy"] == "immediate-all-hands"
    assert body["state"] == "active"
    assert body["next_level"] == 2
    assert body["ack_timeout"] == "15m"
    assert datetime.fromisoformat(body["next_at"]) == datetime(2026, 11, 2, 9, 5, tzinfo=UTC)


def test_acknowledging_unknown_or_resolved_incidents_is_refused(
    client: TestClient, alice_token: str
) -> None:
    headers = auth_header(alice_token)
    unknown = client.post("/api/v1/incidents/INC-999/acknowledge", headers=headers)
    assert unknown.status_code == 404
    ref = client.post(
        "/api/v1/incidents",
        json={"title": "Slow", "severity": "P2", "service": "web"},
        headers=headers,
    ).json()["ref"]
    for state in ("investigating", "resolved"):
        moved = client.post(
            f"/api/v1/incidents/{ref}/transitions", json={"to": state}, headers=headers
        )
        assert moved.status_code == 200, moved.text
    resolved = client.post(f"/api/v1/incidents/{ref}/acknowledge", headers=headers)
    assert resolved.status_code == 409
    assert "nothing to acknowledge" in resolved.json()["error"]["message"]


def test_a_persons_feed_covers_every_schedule(
    settings: Settings, engine: Engine, clock: FrozenClock, viewer_token: str
) -> None:
    data = default_playbook().model_dump(mode="json")
    data["schedules"].append(
        {
            "name": "database",
            "timezone": "America/New_York",
            "layers": [
                {"name": "daily", "members": ["bob"], "turn": "1d", "handoff": "2026-11-01T10:00"}
            ],
        }
    )
    app = create_app(settings, playbook=Playbook.model_validate(data), clock=clock, engine=engine)
    with TestClient(app) as client:
        got = client.get(
            "/api/v1/people/bob/oncall.ics?from=2026-11-02T09:00:00Z&to=2026-11-16T09:00:00Z",
            headers=auth_header(viewer_token),
        )
        missing = client.get("/api/v1/people/mallory/oncall.ics", headers=auth_header(viewer_token))
    assert got.status_code == 200
    events = list(icalendar.Calendar.from_ical(got.text).walk("VEVENT"))
    assert {str(e["SUMMARY"]) for e in events} == {
        "On call: @bob (primary)",
        "On call: @bob (database)",
    }
    starts = [e.decoded("DTSTART") for e in events]
    assert starts == sorted(starts)
    assert missing.status_code == 404
