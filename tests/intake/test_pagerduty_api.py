"""POST /v2/enqueue and /v2/change/enqueue, in PagerDuty's wire format."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from tests.intake.conftest import make_integration
from warroom.alerts.models import Alert
from warroom.changes.models import Change
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.incidents.models import Incident
from warroom.integrations import service as integrations
from warroom.playbook import Playbook


def _trigger(key: str, **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "routing_key": key,
        "event_action": "trigger",
        "dedup_key": "srv01/mysql",
        "payload": {
            "summary": "DISK at 99% on prod-datapipe03",
            "source": "prod-datapipe03.example.com",
            "severity": "critical",
            "timestamp": "2015-07-17T08:42:58.315+0000",
            "component": "mysql",
            "group": "prod-datapipe",
            "class": "disk",
            "custom_details": {"free space": "1%", "load avg": 0.75},
        },
        "client": "Sample Monitoring Service",
        "client_url": "https://monitoring.example.com",
        "links": [{"href": "https://example.com/", "text": "Link text"}],
        "images": [
            {"src": "https://example.com/g.png", "href": "https://example.com/", "alt": "x"}
        ],
    }
    event.update(overrides)
    return event


def _count(engine: Engine, model: type) -> int:
    with make_sessionmaker(engine)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_trigger_ack_resolve(client: TestClient, pd_key: str, engine: Engine) -> None:
    answer = client.post("/v2/enqueue", json=_trigger(pd_key))
    assert answer.status_code == 202
    assert answer.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "srv01/mysql",
    }
    assert client.post("/v2/enqueue", json=_trigger(pd_key)).status_code == 202
    with make_sessionmaker(engine)() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.count, alert.severity, alert.service, alert.source) == (
            2,
            "P1",
            "api",
            "pagerduty",
        )
        assert alert.labels["component"] == "mysql"
        assert "routing_key" not in alert.raw
        assert {"href": "https://monitoring.example.com", "text": "Sample Monitoring Service"} in (
            alert.links
        )
        incident = session.get(Incident, alert.incident_id)
        assert incident is not None
        assert incident.created_by.startswith("integration:api-pagerduty")
    ack = {"routing_key": pd_key, "dedup_key": "srv01/mysql", "event_action": "acknowledge"}
    assert client.post("/v2/enqueue", json=ack).status_code == 202
    resolve = {**ack, "event_action": "resolve"}
    assert client.post("/v2/enqueue", json=resolve).status_code == 202
    with make_sessionmaker(engine)() as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.status == "resolved"


def test_a_trigger_without_dedup_key_gets_one(client: TestClient, pd_key: str) -> None:
    event = _trigger(pd_key)
    del event["dedup_key"]
    first = client.post("/v2/enqueue", json=event).json()["dedup_key"]
    second = client.post("/v2/enqueue", json=event).json()["dedup_key"]
    assert first
    assert second
    assert first != second


def test_resolve_of_an_unknown_key_creates_nothing(
    client: TestClient, pd_key: str, engine: Engine
) -> None:
    event = {"routing_key": pd_key, "dedup_key": "nope", "event_action": "resolve"}
    assert client.post("/v2/enqueue", json=event).status_code == 202
    assert _count(engine, Alert) == 0


def test_ack_with_another_routing_key_does_not_apply(
    client: TestClient, pd_key: str, engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    _id, other = make_integration(engine, playbook, clock, "pagerduty", service="web")
    client.post("/v2/enqueue", json=_trigger(pd_key))
    ack = {"routing_key": other, "dedup_key": "srv01/mysql", "event_action": "resolve"}
    assert client.post("/v2/enqueue", json=ack).status_code == 202
    with make_sessionmaker(engine)() as session:
        assert session.scalars(select(Alert)).one().status == "triggered"


def test_invalid_events_get_pagerduty_errors(
    client: TestClient, pd_key: str, engine: Engine
) -> None:
    bad = _trigger(pd_key, event_action="explode", dedup_key="x" * 256)
    bad["payload"] = {"summary": "s" * 1025, "severity": "fatal"}
    answer = client.post("/v2/enqueue", json=bad)
    assert answer.status_code == 400
    body = answer.json()
    assert (body["status"], body["message"]) == ("invalid event", "Event object is invalid")
    assert any("event_action" in e for e in body["errors"])
    assert any("dedup_key" in e for e in body["errors"])
    missing = _trigger(pd_key)
    missing["payload"] = {"summary": "x", "severity": "error"}
    errors = client.post("/v2/enqueue", json=missing).json()["errors"]
    assert errors == ["'payload.source' is missing or blank"]
    answer = client.post(
        "/v2/enqueue", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["status"] == "invalid event"
    no_key = client.post("/v2/enqueue", json={"event_action": "trigger"})
    assert no_key.status_code == 400
    assert no_key.json()["errors"] == ["'routing_key' is missing or blank"]
    ack_without_key = {"routing_key": pd_key, "event_action": "acknowledge"}
    assert client.post("/v2/enqueue", json=ack_without_key).status_code == 400
    nul = _trigger(pd_key)
    nul["payload"]["summary"] = "disk\u0000full"
    answer = client.post("/v2/enqueue", json=nul)  # PostgreSQL text cannot hold it
    assert answer.status_code == 400
    assert answer.json()["errors"] == ["summary contains a NUL character"]
    assert _count(engine, Alert) == 0


def test_unknown_and_revoked_keys(
    client: TestClient, pd_key: str, engine: Engine, clock: FrozenClock
) -> None:
    answer = client.post("/v2/enqueue", json=_trigger("0" * 32))
    assert answer.status_code == 404
    assert answer.json()["status"] == "invalid event"
    with make_sessionmaker(engine)() as session:
        integrations.revoke(session, name="api-pagerduty", now=clock.now())
        session.commit()
    client.app.state.intake.forget_keys()  # type: ignore[attr-defined]
    assert client.post("/v2/enqueue", json=_trigger(pd_key)).status_code == 401
    assert _count(engine, Alert) == 0


def test_a_key_of_another_kind_is_unknown_here(
    client: TestClient, am_key: str, engine: Engine
) -> None:
    assert client.post("/v2/enqueue", json=_trigger(am_key)).status_code == 404


def test_oversized_bodies_are_refused(client: TestClient, pd_key: str, engine: Engine) -> None:
    event = _trigger(pd_key)
    event["payload"]["custom_details"] = {"blob": "x" * (513 * 1024)}
    answer = client.post("/v2/enqueue", json=event)
    assert answer.status_code == 413
    assert answer.json()["status"] == "invalid event"
    assert _count(engine, Alert) == 0


def test_a_flood_is_rate_limited(
    client: TestClient, engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    _id, key = make_integration(engine, playbook, clock, "pagerduty", rate_limit=2)
    codes = [client.post("/v2/enqueue", json=_trigger(key)).status_code for _ in range(5)]
    assert codes[:2] == [202, 202]
    assert 429 in codes
    limited = client.post("/v2/enqueue", json=_trigger(key))
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["status"] == "throttle event"


def test_change_events_are_recorded_as_changes(
    client: TestClient, pd_key: str, engine: Engine
) -> None:
    event = {
        "routing_key": pd_key,
        "payload": {
            "summary": "Build Success: Increase snapshot create timeout to 30 seconds",
            "timestamp": "2026-11-02T08:30:00Z",
            "source": "acme-build-pipeline-tool-default-i-9999",
            "custom_details": {"build_state": "passed", "build_number": "2"},
        },
        "links": [{"href": "https://acme.pagerduty.dev/build/2", "text": "View more details"}],
    }
    answer = client.post("/v2/change/enqueue", json=event)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "success"
    with make_sessionmaker(engine)() as session:
        change = session.scalars(select(Change)).one()
        assert change.service == "api"
        assert change.summary.startswith("Build Success")
    del event["payload"]["summary"]
    assert client.post("/v2/change/enqueue", json=event).status_code == 400
    assert _count(engine, Alert) == 0


def test_a_flood_of_made_up_keys_keeps_the_key_cache_small(
    client: TestClient, pd_key: str, monkeypatch: Any
) -> None:
    from warroom.api.routes import intake_support

    monkeypatch.setattr(intake_support, "KEY_CACHE_SIZE", 5)
    for n in range(12):
        answer = client.post("/v2/enqueue", json=_trigger(f"{n:032x}"))
        assert answer.status_code == 404
    intake = client.app.state.intake  # type: ignore[attr-defined]
    assert len(intake._keys) <= 5
    assert client.post("/v2/enqueue", json=_trigger(pd_key)).status_code == 202
