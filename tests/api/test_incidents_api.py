"""The incidents API end to end: auth, lifecycle, roles, timeline, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support import auth_header
from warroom.clock import FrozenClock

P0 = {"title": "Site down", "severity": "P0", "service": "api", "impact": "All users see 502s"}


def declare(client: TestClient, token: str, **fields: object) -> dict:
    response = client.post("/api/v1/incidents", json={**P0, **fields}, headers=auth_header(token))
    assert response.status_code == 201, response.text
    return response.json()


def count(client: TestClient, token: str) -> int:
    return client.get("/api/v1/incidents", headers=auth_header(token)).json()["total"]


def test_declare_then_read_back(client: TestClient, alice_token: str, clock: FrozenClock) -> None:
    body = declare(client, alice_token)
    assert body["ref"] == "INC-1"
    assert body["kind"] == "incident"
    assert body["status"] == "declared"
    assert body["severity_name"] == "Critical"
    assert body["acknowledge_by"] == "2026-11-02T09:15:00Z"
    assert body["acknowledgement_overdue"] is False
    assert body["roles"]["incident_commander"]["person"] == "alice"
    assert body["war_room"]["channel"] == "#incident-20261102-site-down"
    assert "INCIDENT DECLARED - P0" in body["declaration_message"]
    assert "@alice" in body["declaration_message"]
    assert body["allowed_transitions"] == ["investigating"]

    clock.advance(timedelta(minutes=16))
    again = client.get("/api/v1/incidents/INC-1", headers=auth_header(alice_token)).json()
    assert again["acknowledgement_overdue"] is True
    assert again["created_by"] == "@alice"


def test_location_header_points_at_the_incident(client: TestClient, alice_token: str) -> None:
    response = client.post("/api/v1/incidents", json=P0, headers=auth_header(alice_token))
    assert response.headers["location"] == "/api/v1/incidents/INC-1"


def test_walk_the_lifecycle(client: TestClient, alice_token: str, clock: FrozenClock) -> None:
    declare(client, alice_token)
    for state in ["investigating", "identified", "fixing", "verifying", "monitoring", "resolved"]:
        clock.advance(timedelta(minutes=5))
        response = client.post(
            "/api/v1/incidents/INC-1/transitions",
            json={"to": state, "note": f"now {state}"},
            headers=auth_header(alice_token),
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == state
    body = response.json()
    assert body["acknowledged_at"] == "2026-11-02T09:05:00Z"
    assert body["mitigated_at"] == "2026-11-02T09:25:00Z"
    assert body["resolved_at"] == "2026-11-02T09:30:00Z"


def test_illegal_transition_is_409_with_the_allowed_states(
    client: TestClient, alice_token: str
) -> None:
    declare(client, alice_token)
    response = client.post(
        "/api/v1/incidents/INC-1/transitions",
        json={"to": "closed"},
        headers=auth_header(alice_token),
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert error["details"] == {
        "current": "declared",
        "requested": "closed",
        "allowed": ["investigating"],
    }
    assert "INC-1 cannot go from 'declared' to 'closed'" in error["message"]


def test_ic_is_required_when_the_declarer_has_no_person(
    client: TestClient, admin_token: str, alice_token: str
) -> None:
    body = declare(client, admin_token)
    assert body["roles"] == {}
    assert "(unassigned)" in body["declaration_message"] or "IC" in body["declaration_message"]
    response = client.post(
        "/api/v1/incidents/INC-1/transitions",
        json={"to": "investigating"},
        headers=auth_header(admin_token),
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"]["missing_role"] == "incident_commander"
    assigned = client.put(
        "/api/v1/incidents/INC-1/roles/ic", json={"person": "bob"}, headers=auth_header(alice_token)
    )
    assert assigned.status_code == 200
    assert assigned.json() == {
        "role": "incident_commander",
        "role_name": "Incident Commander",
        "person": "bob",
        "name": assigned.json()["name"],
        "since": "2026-11-02T09:00:00Z",
    }
    ok = client.post(
        "/api/v1/incidents/INC-1/transitions",
        json={"to": "investigating"},
        headers=auth_header(admin_token),
    )
    assert ok.status_code == 200


def test_roles_history_and_handover(client: TestClient, alice_token: str, bob_token: str) -> None:
    declare(client, alice_token)
    client.put(
        "/api/v1/incidents/INC-1/roles/incident_commander",
        json={"person": "bob"},
        headers=auth_header(bob_token),
    )
    roles = client.get("/api/v1/incidents/INC-1/roles", headers=auth_header(bob_token)).json()
    assert roles["current"]["incident_commander"]["person"] == "bob"
    assert [(h["person"], h["relieved_by"]) for h in roles["history"]] == [
        ("alice", "@bob"),
        ("bob", None),
    ]
    timeline = client.get("/api/v1/incidents/INC-1/timeline", headers=auth_header(bob_token))
    bodies = [e["body"] for e in timeline.json()["events"]]
    assert "Incident Commander handed over from @alice to @bob" in bodies


def test_acknowledge(
    client: TestClient, alice_token: str, bob_token: str, clock: FrozenClock
) -> None:
    declare(client, alice_token, severity="P2", service="cache", title="Cache hit rate low")
    clock.advance(timedelta(minutes=3))
    response = client.post("/api/v1/incidents/INC-1/acknowledge", headers=auth_header(bob_token))
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == "@bob"
    assert response.json()["acknowledged_at"] == "2026-11-02T09:03:00Z"
    assert response.json()["kind"] == "ticket"
    assert response.json()["war_room"] is None


def test_list_filters_and_paginates(client: TestClient, alice_token: str) -> None:
    declare(client, alice_token)
    declare(client, alice_token, severity="P3", service="web", title="Typo on pricing page")
    declare(client, alice_token, severity="P1", service="payments", title="Payments failing")
    headers = auth_header(alice_token)
    everything = client.get("/api/v1/incidents", headers=headers).json()
    assert [i["ref"] for i in everything["items"]] == ["INC-3", "INC-2", "INC-1"]
    tickets = client.get("/api/v1/incidents?kind=ticket", headers=headers).json()
    assert [i["ref"] for i in tickets["items"]] == ["INC-2"]
    by_severity = client.get("/api/v1/incidents?severity=P0&severity=P1", headers=headers).json()
    assert by_severity["total"] == 2
    by_service = client.get("/api/v1/incidents?service=web", headers=headers).json()
    assert by_service["total"] == 1
    page = client.get("/api/v1/incidents?limit=1&offset=1", headers=headers).json()
    assert [i["ref"] for i in page["items"]] == ["INC-2"]
    assert page["total"] == 3
    by_status = client.get("/api/v1/incidents?status=triaged", headers=headers).json()
    assert by_status["total"] == 1
    bad = client.get("/api/v1/incidents?status=fine", headers=headers)
    assert bad.status_code == 422
    assert "unknown status 'fine'" in bad.json()["error"]["message"]
    assert client.get("/api/v1/incidents?limit=0", headers=headers).status_code == 422


def test_edit_records_changes(client: TestClient, alice_token: str) -> None:
    declare(client, alice_token)
    response = client.patch(
        "/api/v1/incidents/INC-1",
        json={"impact": "Half of users see 502s", "impact_started_at": "2026-11-02T08:50:00Z"},
        headers=auth_header(alice_token),
    )
    assert response.status_code == 200, response.text
    assert response.json()["impact_started_at"] == "2026-11-02T08:50:00Z"
    events = client.get(
        "/api/v1/incidents/INC-1/timeline", headers=auth_header(alice_token)
    ).json()["events"]
    assert events[-1]["kind"] == "edited"
    assert events[-1]["data"]["impact"] == {
        "from": "All users see 502s",
        "to": "Half of users see 502s",
    }


def test_timeline_notes_json_and_markdown(
    client: TestClient, alice_token: str, clock: FrozenClock
) -> None:
    declare(client, alice_token)
    headers = auth_header(alice_token)
    clock.advance(timedelta(minutes=4))
    note = client.post(
        "/api/v1/incidents/INC-1/timeline",
        json={"kind": "decision", "body": "Roll back release 42 | fastest path"},
        headers=headers,
    )
    assert note.status_code == 201
    assert note.json()["actor"] == "@alice"
    backdated = client.post(
        "/api/v1/incidents/INC-1/timeline",
        json={"body": "First 502 seen on the dashboard", "at": "2026-11-02T08:58:00Z"},
        headers=headers,
    )
    assert backdated.status_code == 201
    events = client.get("/api/v1/incidents/INC-1/timeline", headers=headers).json()["events"]
    assert [e["kind"] for e in events] == ["note", "created", "role_assigned", "decision"]
    markdown = client.get(
        "/api/v1/incidents/INC-1/timeline", headers={**headers, "Accept": "text/markdown"}
    )
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert (
        "| 2026-11-02 09:04:00 | @alice | decision | Roll back release 42 \\| fastest path |"
        in (markdown.text)
    )
    same = client.get("/api/v1/incidents/INC-1/timeline?format=markdown", headers=headers)
    assert same.text == markdown.text


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"kind": "status_changed", "body": "forged"}, 422, "kind"),
        ({"body": ""}, 422, "body"),
        ({"body": "later", "at": "2030-01-01T00:00:00Z"}, 422, "future"),
        ({"body": "x", "extra": 1}, 422, "unknown field"),
    ],
)
def test_timeline_refuses_bad_entries(
    client: TestClient, alice_token: str, body: dict, status: int, fragment: str
) -> None:
    declare(client, alice_token)
    response = client.post(
        "/api/v1/incidents/INC-1/timeline", json=body, headers=auth_header(alice_token)
    )
    assert response.status_code == status
    assert fragment in response.json()["error"]["message"]


def test_auth_is_required_and_roles_are_enforced(
    client: TestClient, viewer_token: str, alice_token: str, admin_token: str
) -> None:
    missing = client.get("/api/v1/incidents")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/v1/incidents", headers=auth_header("wr_nope")).status_code == 401
    assert (
        client.get("/api/v1/incidents", headers={"Authorization": "Basic abc"}).status_code == 401
    )
    assert client.get("/api/v1/incidents", headers=auth_header(viewer_token)).status_code == 200
    refused = client.post("/api/v1/incidents", json=P0, headers=auth_header(viewer_token))
    assert refused.status_code == 403
    assert "responder" in refused.json()["error"]["message"]
    assert client.get("/api/v1/tokens", headers=auth_header(alice_token)).status_code == 403
    assert count(client, admin_token) == 0


def test_revoked_tokens_stop_working(client: TestClient, admin_token: str) -> None:
    created = client.post(
        "/api/v1/tokens",
        json={"name": "ci-bot", "role": "responder"},
        headers=auth_header(admin_token),
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("wr_")
    assert client.get("/api/v1/whoami", headers=auth_header(secret)).json() == {
        "name": "ci-bot",
        "role": "responder",
        "person": None,
    }
    listed = client.get("/api/v1/tokens", headers=auth_header(admin_token)).json()
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert (
        client.delete("/api/v1/tokens/ci-bot", headers=auth_header(admin_token)).status_code == 204
    )
    refused = client.get("/api/v1/whoami", headers=auth_header(secret))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["error"]["message"]


def test_token_creation_refuses_bad_input(client: TestClient, admin_token: str) -> None:
    headers = auth_header(admin_token)
    assert (
        client.post(
            "/api/v1/tokens", json={"name": "x", "role": "root"}, headers=headers
        ).status_code
        == 422
    )
    unknown = client.post(
        "/api/v1/tokens", json={"name": "x", "role": "viewer", "person": "mallory"}, headers=headers
    )
    assert unknown.status_code == 422
    assert "unknown person 'mallory'" in unknown.json()["error"]["message"]
    dup = client.post("/api/v1/tokens", json={"name": "admin", "role": "viewer"}, headers=headers)
    assert dup.status_code == 409


@pytest.mark.parametrize(
    ("payload", "status", "fragment"),
    [
        ({**P0, "severity": "P7"}, 422, "unknown severity 'P7'"),
        ({**P0, "service": "mainframe"}, 422, "unknown service 'mainframe'"),
        ({**P0, "title": ""}, 422, "title"),
        ({**P0, "title": "x" * 201}, 422, "title"),
        ({**P0, "title": 42}, 422, "title"),
        ({**P0, "colour": "red"}, 422, "colour: unknown field"),
        ({**P0, "impact_started_at": "yesterday"}, 422, "impact_started_at"),
        ({**P0, "detected_at": "2026-11-02T08:00:00"}, 422, "detected_at"),
        ({"title": "no severity", "service": "api"}, 422, "severity"),
    ],
)
def test_declare_refuses_bad_input_and_stores_nothing(
    client: TestClient, alice_token: str, payload: dict, status: int, fragment: str
) -> None:
    response = client.post("/api/v1/incidents", json=payload, headers=auth_header(alice_token))
    assert response.status_code == status, response.text
    assert fragment in response.json()["error"]["message"]
    assert count(client, alice_token) == 0


def test_malformed_json_is_400(client: TestClient, alice_token: str) -> None:
    response = client.post(
        "/api/v1/incidents",
        content=b'{"title": "Site down", ',
        headers={**auth_header(alice_token), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert count(client, alice_token) == 0


def test_oversized_body_is_413(client: TestClient, alice_token: str) -> None:
    big = {**P0, "impact": "x" * 2_000_000}
    response = client.post("/api/v1/incidents", json=big, headers=auth_header(alice_token))
    assert response.status_code == 413
    assert count(client, alice_token) == 0


def test_unknown_incident_is_404(client: TestClient, alice_token: str) -> None:
    response = client.get("/api/v1/incidents/INC-404", headers=auth_header(alice_token))
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "no incident INC-404"


def test_closed_incident_cannot_move(client: TestClient, alice_token: str) -> None:
    declare(client, alice_token, severity="P3", title="Footer typo", service="web")
    for state in ["investigating", "resolved", "closed"]:
        client.post(
            "/api/v1/incidents/INC-1/transitions",
            json={"to": state},
            headers=auth_header(alice_token),
        )
    response = client.post(
        "/api/v1/incidents/INC-1/transitions",
        json={"to": "investigating"},
        headers=auth_header(alice_token),
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"]["allowed"] == []


def test_health_needs_no_token(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/incidents/{ref}/transitions" in spec["paths"]
