"""Scheduled maintenance: create, start, complete; on the page and in the JSON."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import auth_header

WINDOW = {
    "name": "Database upgrade",
    "scheduled_for": "2026-11-02T22:00:00Z",
    "scheduled_until": "2026-11-02T23:00:00Z",
    "components": ["data", "api"],
}


def test_maintenance_lifecycle(client: TestClient, alice_token: str) -> None:
    headers = auth_header(alice_token)
    created = client.post("/api/v1/maintenances", json=WINDOW, headers=headers)
    assert created.status_code == 201, created.text
    mid = created.json()["id"]
    upcoming = client.get("/api/v2/scheduled-maintenances/upcoming.json").json()
    assert [m["id"] for m in upcoming["scheduled_maintenances"]] == [mid]

    started = client.post(f"/api/v1/maintenances/{mid}/start", json={}, headers=headers)
    assert started.status_code == 200
    assert started.json()["status"] == "in_progress"
    active = client.get("/api/v2/scheduled-maintenances/active.json").json()
    assert [m["status"] for m in active["scheduled_maintenances"]] == ["in_progress"]
    summary = client.get("/api/v2/summary.json").json()
    statuses = {c["name"]: c["status"] for c in summary["components"]}
    assert statuses["Data storage"] == "under_maintenance"
    assert statuses["API"] == "under_maintenance"
    assert summary["status"] == {
        "indicator": "maintenance",
        "description": "Service Under Maintenance",
    }
    assert "Maintenance in progress" in client.get("/status").text

    done = client.post(
        f"/api/v1/maintenances/{mid}/complete", json={"body": "All done."}, headers=headers
    )
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    doc = client.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"][0]
    assert [u["status"] for u in doc["incident_updates"]] == [
        "completed",
        "in_progress",
        "scheduled",
    ]
    assert doc["incident_updates"][0]["body"] == "All done."
    assert client.get("/api/v2/status.json").json()["status"]["indicator"] == "none"
    again = client.post(f"/api/v1/maintenances/{mid}/start", json={}, headers=headers)
    assert again.status_code == 409
    assert "cannot go from 'completed' to 'in_progress'" in again.json()["error"]["message"]


def test_maintenance_bad_input(client: TestClient, alice_token: str) -> None:
    headers = auth_header(alice_token)
    cases = [
        ({**WINDOW, "components": ["nope"]}, "unknown component 'nope'"),
        ({**WINDOW, "scheduled_until": "2026-11-02T21:00:00Z"}, "scheduled_until must be after"),
        ({**WINDOW, "name": "  "}, "name must not be empty"),
        ({**WINDOW, "body": " "}, "body must not be empty"),
    ]
    for body, message in cases:
        response = client.post("/api/v1/maintenances", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert message in response.json()["error"]["message"]
    assert client.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"] == []
    missing = client.post("/api/v1/maintenances/zzzz/start", json={}, headers=headers)
    assert missing.status_code == 404
