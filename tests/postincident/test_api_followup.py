"""HTTP API: checklist, close override, post-mortem, action items and changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.support import auth_header
from warroom.clock import FrozenClock

WALK = ["investigating", "identified", "fixing", "verifying", "monitoring", "resolved"]


def post(client: TestClient, token: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers=auth_header(token))


def resolved_p1(client: TestClient, token: str, clock: FrozenClock) -> str:
    response = post(
        client,
        token,
        "/api/v1/incidents",
        {"title": "Checkout is down", "severity": "P1", "service": "api", "impact": "No pay"},
    )
    assert response.status_code == 201, response.text
    ref: str = response.json()["ref"]
    for state in WALK:
        clock.advance(timedelta(minutes=5))
        moved = post(client, token, f"/api/v1/incidents/{ref}/transitions", {"to": state})
        assert moved.status_code == 200, moved.text
    return ref


def test_checklist_tick_and_close_override(
    client: TestClient, alice_token: str, bob_token: str, viewer_token: str, clock: FrozenClock
) -> None:
    ref = resolved_p1(client, alice_token, clock)
    checklist = client.get(f"/api/v1/incidents/{ref}/checklist", headers=auth_header(viewer_token))
    assert checklist.status_code == 200
    assert checklist.json()["complete"] is False
    assert "service_restored" in checklist.json()["open_items"]

    ticked = client.put(
        f"/api/v1/incidents/{ref}/checklist/service_restored",
        json={"note": "dashboards green"},
        headers=auth_header(bob_token),
    )
    assert ticked.status_code == 200
    assert ticked.json()["done"] is True
    assert ticked.json()["by"] == "@bob"
    refused = client.put(
        f"/api/v1/incidents/{ref}/checklist/service_restored",
        json={},
        headers=auth_header(viewer_token),
    )
    assert refused.status_code == 403
    unknown = client.put(
        f"/api/v1/incidents/{ref}/checklist/coffee", json={}, headers=auth_header(bob_token)
    )
    assert unknown.status_code == 404

    closing = post(client, bob_token, f"/api/v1/incidents/{ref}/transitions", {"to": "closed"})
    assert closing.status_code == 409
    assert closing.json()["error"]["details"]["open_items"] == [
        "status_page_updated",
        "stakeholders_notified",
        "timeline_documented",
        "postmortem_scheduled",
    ]
    not_ic = post(
        client,
        bob_token,
        f"/api/v1/incidents/{ref}/transitions",
        {"to": "closed", "override": "trust me"},
    )
    assert not_ic.status_code == 403
    closed = post(
        client,
        alice_token,
        f"/api/v1/incidents/{ref}/transitions",
        {"to": "closed", "override": "status page is down; comms done by phone"},
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    shown = client.get(f"/api/v1/incidents/{ref}/checklist", headers=auth_header(alice_token))
    (override,) = shown.json()["overrides"]
    assert override["by"] == "@alice"
    assert override["reason"] == "status page is down; comms done by phone"


def test_admin_may_override(
    client: TestClient, alice_token: str, admin_token: str, clock: FrozenClock
) -> None:
    ref = resolved_p1(client, alice_token, clock)
    closed = post(
        client,
        admin_token,
        f"/api/v1/incidents/{ref}/transitions",
        {"to": "closed", "override": "bulk clean-up"},
    )
    assert closed.status_code == 200


def test_postmortem_edit_and_markdown_export(
    client: TestClient, alice_token: str, clock: FrozenClock
) -> None:
    ref = resolved_p1(client, alice_token, clock)
    path = f"/api/v1/incidents/{ref}/postmortem"
    assert client.get(path, headers=auth_header(alice_token)).status_code == 404
    created = client.post(path, headers=auth_header(alice_token))
    assert created.status_code == 201
    assert created.json()["due_at"] == "2026-11-04T09:30:00Z"
    edited = client.patch(
        path,
        json={"root_cause": "Expired certificate", "meeting_at": "2026-11-03T14:00:00Z"},
        headers=auth_header(alice_token),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["meeting_at"] == "2026-11-03T14:00:00Z"
    bad = client.patch(
        path, json={"due_at": "2026-11-09T00:00:00Z"}, headers=auth_header(alice_token)
    )
    assert bad.status_code == 422
    exported = client.get(path, params={"format": "markdown"}, headers=auth_header(alice_token))
    assert exported.headers["content-type"].startswith("text/markdown")
    assert "## Root cause\n\nExpired certificate\n" in exported.text
    listing = client.get("/api/v1/postmortems", headers=auth_header(alice_token))
    assert [p["ref"] for p in listing.json()["items"]] == [ref]


def test_action_items_api(client: TestClient, alice_token: str, clock: FrozenClock) -> None:
    ref = resolved_p1(client, alice_token, clock)
    body = {
        "incident": ref,
        "title": "Alert on certificate expiry",
        "owner": "bob",
        "due_on": "2026-11-09",
        "kind": "monitoring",
    }
    created = post(client, alice_token, "/api/v1/action-items", body)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["status"] == "todo"
    assert item["incident"] == ref
    assert item["overdue"] is False
    no_owner = post(client, alice_token, "/api/v1/action-items", {**body, "owner": None})
    assert no_owner.status_code == 422
    assert "needs an owner" in no_owner.json()["error"]["message"]
    past = post(client, alice_token, "/api/v1/action-items", {**body, "due_on": "2026-10-01"})
    assert past.status_code == 422
    assert "2026-10-01 is in the past" in past.json()["error"]["message"]

    clock.advance(timedelta(days=10))
    overdue = client.get(
        "/api/v1/action-items",
        params={"overdue": "true", "owner": "bob"},
        headers=auth_header(alice_token),
    )
    assert overdue.json()["total"] == 1
    assert overdue.json()["items"][0]["overdue"] is True
    table = client.get(
        "/api/v1/action-items", params={"format": "markdown"}, headers=auth_header(alice_token)
    )
    assert "| Alert on certificate expiry | @bob | 2026-11-09 | Todo |" in table.text
    done = client.patch(
        f"/api/v1/action-items/{item['id']}",
        json={"status": "done"},
        headers=auth_header(alice_token),
    )
    assert done.json()["status"] == "done"
    assert done.json()["completed_at"] is not None


def test_changes_api(client: TestClient, alice_token: str, viewer_token: str) -> None:
    created = post(
        client,
        alice_token,
        "/api/v1/changes",
        {"service": "api", "summary": "Deploy", "version": "1.4.2"},
    )
    assert created.status_code == 201
    assert created.json()["source"] == "api"
    assert created.json()["version"] == "1.4.2"
    future = post(
        client, alice_token, "/api/v1/changes", {"summary": "Deploy", "at": "2027-01-01T00:00:00Z"}
    )
    assert future.status_code == 422
    assert post(client, viewer_token, "/api/v1/changes", {"summary": "x"}).status_code == 403
    listing = client.get("/api/v1/changes", headers=auth_header(viewer_token))
    assert listing.json()["total"] == 1
