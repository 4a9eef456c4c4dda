"""The Statuspage v2 documents, compared field by field with Statuspage's published shapes,
and the privacy rules: only published, non-private incidents and their public updates."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.statuspage.conftest import Declare, Post
from tests.support import auth_header
from warroom.clock import FrozenClock

# From Atlassian Statuspage's public API v2 documents (see docs/statuspage.md).
PAGE_FIELDS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_FIELDS = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "position",
    "description",
    "showcase",
    "start_date",
    "group_id",
    "page_id",
    "group",
    "only_show_if_degraded",
}
INCIDENT_FIELDS = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "impact",
    "shortlink",
    "started_at",
    "page_id",
    "incident_updates",
    "components",
}
UPDATE_FIELDS = {
    "id",
    "status",
    "body",
    "incident_id",
    "created_at",
    "updated_at",
    "display_at",
    "affected_components",
    "deliver_notifications",
    "custom_tweet",
    "tweet_id",
}
AFFECTED_FIELDS = {"code", "name", "old_status", "new_status"}
COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}
INDICATORS = {"none", "minor", "major", "critical", "maintenance"}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
IMPACTS = {"none", "minor", "major", "critical"}


def _timestamp(value: str | None, *, optional: bool = False) -> None:
    if value is None:
        assert optional
        return
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() is not None, value
    # Milliseconds and an offset, as Statuspage writes them: 2026-11-02T09:00:00.000+00:00
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", value), value


def _check_component(c: dict[str, Any], page_id: str) -> None:
    keys = set(c) - {"components"}
    assert keys == COMPONENT_FIELDS
    assert c["status"] in COMPONENT_STATUSES
    assert isinstance(c["id"], str)
    assert len(c["id"]) == 12
    assert c["page_id"] == page_id
    assert isinstance(c["position"], int)
    assert isinstance(c["group"], bool)
    _timestamp(c["created_at"])
    _timestamp(c["updated_at"])
    if c["group"]:
        assert all(isinstance(i, str) for i in c["components"])


def _check_incident(i: dict[str, Any], page_id: str) -> None:
    assert set(i) == INCIDENT_FIELDS
    assert i["status"] in INCIDENT_STATUSES
    assert i["impact"] in IMPACTS
    assert i["page_id"] == page_id
    for field in ("created_at", "updated_at", "started_at"):
        _timestamp(i[field])
    for field in ("monitoring_at", "resolved_at"):
        _timestamp(i[field], optional=True)
    for u in i["incident_updates"]:
        assert set(u) == UPDATE_FIELDS
        assert u["incident_id"] == i["id"]
        assert u["status"] in INCIDENT_STATUSES
        for a in u["affected_components"] or []:
            assert set(a) == AFFECTED_FIELDS
    for c in i["components"]:
        _check_component(c, page_id)


def _publish(declare: Declare, post_public: Post, clock: FrozenClock) -> str:
    ref: str = declare(title="Login failures", severity="P1", service="auth")["ref"]
    post_public(ref, template="investigating", components={"login": "partial_outage"})
    clock.advance(timedelta(minutes=5))
    post_public(ref, template="identified")
    return ref


def test_every_document_has_statuspage_shapes(
    client: TestClient,
    clock: FrozenClock,
    declare: Declare,
    post_public: Post,
    alice_token: str,
) -> None:
    _publish(declare, post_public, clock)
    created = client.post(
        "/api/v1/maintenances",
        json={
            "name": "Database upgrade",
            "scheduled_for": "2026-11-03T22:00:00Z",
            "scheduled_until": "2026-11-03T23:00:00Z",
            "components": ["data"],
        },
        headers=auth_header(alice_token),
    )
    assert created.status_code == 201, created.text

    summary = client.get("/api/v2/summary.json")
    assert summary.status_code == 200
    assert summary.headers["content-type"] == "application/json"
    doc = summary.json()
    assert set(doc) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert set(doc["page"]) == PAGE_FIELDS
    page_id = doc["page"]["id"]
    _timestamp(doc["page"]["updated_at"])
    assert doc["page"]["name"] == "Pitchey Status"
    assert set(doc["status"]) == {"indicator", "description"}
    assert doc["status"] == {"indicator": "major", "description": "Partial System Outage"}
    for component in doc["components"]:
        _check_component(component, page_id)
    groups = [c for c in doc["components"] if c["group"]]
    assert [g["name"] for g in groups] == ["Platform"]
    members = [c for c in doc["components"] if c["group_id"] == groups[0]["id"]]
    assert sorted(groups[0]["components"]) == sorted(c["id"] for c in members)
    assert len(doc["incidents"]) == 1
    _check_incident(doc["incidents"][0], page_id)
    assert [c["name"] for c in doc["incidents"][0]["components"]] == ["Login"]
    maintenance = doc["scheduled_maintenances"][0]
    assert set(maintenance) == INCIDENT_FIELDS | {"scheduled_for", "scheduled_until"}
    assert maintenance["status"] == "scheduled"
    assert maintenance["impact"] == "maintenance"
    _timestamp(maintenance["scheduled_for"])

    status = client.get("/api/v2/status.json").json()
    assert set(status) == {"page", "status"}
    assert status["status"]["indicator"] in INDICATORS
    components = client.get("/api/v2/components.json").json()
    assert set(components) == {"page", "components"}
    assert components["components"] == doc["components"]
    incidents = client.get("/api/v2/incidents.json").json()
    assert set(incidents) == {"page", "incidents"}
    unresolved = client.get("/api/v2/incidents/unresolved.json").json()
    assert unresolved["incidents"] == incidents["incidents"]
    for path, count in [
        ("/api/v2/scheduled-maintenances.json", 1),
        ("/api/v2/scheduled-maintenances/upcoming.json", 1),
        ("/api/v2/scheduled-maintenances/active.json", 0),
    ]:
        body = client.get(path).json()
        assert set(body) == {"page", "scheduled_maintenances"}
        assert len(body["scheduled_maintenances"]) == count, path


def test_ids_are_stable_strings(client: TestClient) -> None:
    first = client.get("/api/v2/components.json").json()["components"]
    again = client.get("/api/v2/components.json").json()["components"]
    assert [c["id"] for c in first] == [c["id"] for c in again]
    assert len({c["id"] for c in first}) == len(first)


def test_unpublished_private_tickets_and_internal_notes_never_leak(
    client: TestClient, alice_token: str, clock: FrozenClock, declare: Declare, post_public: Post
) -> None:
    secret_incident = declare(title="Unpublished outage", severity="P0")["ref"]
    ticket = declare(title="Ticket about a typo", severity="P3", service="web")["ref"]
    client.post(
        f"/api/v1/incidents/{secret_incident}/timeline",
        json={"kind": "note", "body": "internal: db password rotated by @alice"},
        headers=auth_header(alice_token),
    )
    refused = post_public(ticket, template="investigating")
    assert refused.status_code == 409
    assert "publish it explicitly" in refused.json()["error"]["message"]
    hidden = _publish(declare, post_public, clock)
    assert client.get("/api/v2/incidents.json").json()["incidents"]
    made_private = client.put(
        f"/api/v1/statuspage/incidents/{hidden}/visibility",
        json={"private": True},
        headers=auth_header(alice_token),
    )
    assert made_private.status_code == 200, made_private.text
    internal = client.post(
        f"/api/v1/incidents/{hidden}/internal-updates",
        json={"current_state": "INTERNAL-ONLY rollback in progress", "need": "DBA on call"},
        headers=auth_header(alice_token),
    )
    assert internal.status_code == 201
    for path in (
        "/api/v2/summary.json",
        "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json",
        "/status",
        "/history.atom",
        "/history.rss",
    ):
        text = client.get(path).text
        for leak in (
            "Unpublished outage",
            "Ticket about a typo",
            "Login failures",
            "INTERNAL-ONLY",
            "password",
            "alice",
            "DBA",
            secret_incident,
            hidden,
        ):
            assert leak not in text, (path, leak)
    published_ticket = post_public(ticket, template="investigating", publish=True)
    assert published_ticket.status_code == 201
    names = [i["name"] for i in client.get("/api/v2/incidents.json").json()["incidents"]]
    assert names == ["Ticket about a typo"]
    assert client.get("/api/v2/incidents.json").json()["incidents"][0]["impact"] == "minor"


def test_component_status_set_and_suggested(
    client: TestClient, alice_token: str, viewer_token: str, declare: Declare
) -> None:
    declare(severity="P0", service="payments")
    listed = client.get("/api/v1/statuspage/components", headers=auth_header(viewer_token))
    by_key = {c["key"]: c for c in listed.json()}
    assert by_key["payments"]["suggested_status"] == "major_outage"
    assert by_key["payments"]["status"] == "operational"
    assert by_key["api"]["suggested_status"] == "operational"
    response = client.put(
        "/api/v1/statuspage/components/payments",
        json={"status": "major_outage"},
        headers=auth_header(alice_token),
    )
    assert response.status_code == 200
    assert response.json()["status"] == "major_outage"
    status = client.get("/api/v2/status.json").json()["status"]
    assert status == {"indicator": "critical", "description": "Major System Outage"}
    bad = client.put(
        "/api/v1/statuspage/components/payments",
        json={"status": "broken"},
        headers=auth_header(alice_token),
    )
    assert bad.status_code == 422
    assert "invalid component status 'broken'" in bad.json()["error"]["message"]
    unknown = client.put(
        "/api/v1/statuspage/components/nope",
        json={"status": "operational"},
        headers=auth_header(alice_token),
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["message"].startswith("unknown component 'nope'")
    assert (
        client.put("/api/v1/statuspage/components/api", json={"status": "operational"}).status_code
        == 401
    )
