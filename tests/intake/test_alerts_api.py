"""GET /api/v1/alerts, manual reports, silences and the integrations admin API."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import auth_header
from warroom.clock import FrozenClock


def _report(client: TestClient, token: str, **body: object) -> dict[str, object]:
    answer = client.post("/api/v1/alerts", json=body, headers=auth_header(token))
    assert answer.status_code == 201, answer.text
    data: dict[str, object] = answer.json()
    return data


def test_manual_report_is_triaged_and_listed(
    client: TestClient, alice_token: str, viewer_token: str
) -> None:
    alert = _report(client, alice_token, summary="Users report login failures", service="auth")
    assert (alert["severity"], alert["rule"], alert["source"]) == ("P1", "login-failures", "manual")
    assert alert["incident"] == "INC-1"
    again = _report(
        client, alice_token, summary="Checkout slow", service="payments", severity="warning"
    )
    assert again["incident"] == "INC-2"
    page = client.get("/api/v1/alerts", headers=auth_header(viewer_token)).json()
    assert [a["id"] for a in page["items"]] == [again["id"], alert["id"]]
    assert page["total"] == 2
    only = client.get(
        "/api/v1/alerts?service=auth&status=triggered", headers=auth_header(viewer_token)
    ).json()
    assert [a["id"] for a in only["items"]] == [alert["id"]]
    shown = client.get(f"/api/v1/alerts/{alert['id']}", headers=auth_header(viewer_token)).json()
    assert shown["raw"] == {"reported_by": "@alice"}
    timeline = client.get("/api/v1/incidents/INC-1/timeline", headers=auth_header(viewer_token))
    assert [e["kind"] for e in timeline.json()["events"]].count("alert") == 1


def test_alert_api_refusals(client: TestClient, alice_token: str, viewer_token: str) -> None:
    viewer = auth_header(viewer_token)
    assert client.get("/api/v1/alerts").status_code == 401
    assert client.get("/api/v1/alerts/999", headers=viewer).status_code == 404
    assert client.get("/api/v1/alerts?status=burning", headers=viewer).status_code == 422
    body = {"summary": "x", "service": "api"}
    assert client.post("/api/v1/alerts", json=body, headers=viewer).status_code == 403
    unknown = {**body, "service": "nope"}
    assert (
        client.post("/api/v1/alerts", json=unknown, headers=auth_header(alice_token)).status_code
        == 422
    )
    extra = {**body, "priority": "P0"}
    assert (
        client.post("/api/v1/alerts", json=extra, headers=auth_header(alice_token)).status_code
        == 422
    )
    assert client.get("/api/v1/alerts", headers=viewer).json()["total"] == 0


def test_a_silence_records_but_opens_nothing(
    client: TestClient, alice_token: str, viewer_token: str, clock: FrozenClock
) -> None:
    headers = auth_header(alice_token)
    ends = (clock.now() + timedelta(hours=1)).isoformat()
    answer = client.post(
        "/api/v1/silences",
        json={
            "service": "database",
            "matchers": [{"name": "env", "op": "=~", "value": "prod|staging"}],
            "ends_at": ends,
            "comment": "database upgrade",
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    silence = answer.json()
    assert silence["active"] is True
    quiet = _report(
        client, alice_token, summary="Site down", service="database", labels={"env": "prod"}
    )
    assert (quiet["incident"], quiet["silence_id"]) == (None, silence["id"])
    loud = _report(client, alice_token, summary="Site down", service="database")
    assert loud["incident"] == "INC-1"  # no env label: the matcher does not hold
    other = _report(client, alice_token, summary="Site down", service="api", labels={"env": "prod"})
    assert other["incident"] == "INC-2"
    listed = client.get("/api/v1/silences", headers=auth_header(viewer_token)).json()
    assert [s["id"] for s in listed] == [silence["id"]]
    assert client.delete(f"/api/v1/silences/{silence['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/silences", headers=headers).json() == []
    # Silence over, the same alert firing again opens an incident now.
    again = _report(
        client,
        alice_token,
        summary="Site down",
        service="database",
        labels={"env": "prod"},
        dedup_key="db-down",
    )
    assert again["incident"] is not None


def test_silence_refusals(client: TestClient, alice_token: str, clock: FrozenClock) -> None:
    headers = auth_header(alice_token)
    ends = (clock.now() + timedelta(hours=1)).isoformat()
    past = (clock.now() - timedelta(hours=1)).isoformat()
    cases = [
        {"ends_at": ends},  # would silence everything
        {"service": "api", "ends_at": past},
        {"service": "nope", "ends_at": ends},
        {"matchers": [{"name": "a", "op": "=~", "value": "("}], "ends_at": ends},
        {"service": "api", "ends_at": "2026-11-02T12:00:00"},  # no offset
    ]
    for body in cases:
        assert client.post("/api/v1/silences", json=body, headers=headers).status_code == 422, body
    assert client.delete("/api/v1/silences/42", headers=headers).status_code == 404


def test_integrations_admin_api(client: TestClient, admin_token: str, alice_token: str) -> None:
    admin = auth_header(admin_token)
    body = {"service": "api", "kind": "alertmanager"}
    assert (
        client.post("/api/v1/integrations", json=body, headers=auth_header(alice_token)).status_code
        == 403
    )
    created = client.post("/api/v1/integrations", json=body, headers=admin)
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert created.json()["name"] == "api-alertmanager"
    assert created.json()["intake_url"] == f"/api/v1/intake/alertmanager/{key}"
    listed = client.get("/api/v1/integrations", headers=admin).json()
    assert [i["name"] for i in listed] == ["api-alertmanager"]
    assert key not in str(listed)
    url = f"/api/v1/intake/alertmanager/{key}"
    assert client.post(url, json={"alerts": []}).status_code == 202
    assert client.delete("/api/v1/integrations/api-alertmanager", headers=admin).status_code == 204
    assert client.post(url, json={"alerts": []}).status_code == 401
    assert client.delete("/api/v1/integrations/nope", headers=admin).status_code == 404
    bad = {"service": "nope", "kind": "alertmanager"}
    assert client.post("/api/v1/integrations", json=bad, headers=admin).status_code == 422
    wrong = {"service": "api", "kind": "pagerduty", "signing_secret": "x"}
    assert client.post("/api/v1/integrations", json=wrong, headers=admin).status_code == 422
