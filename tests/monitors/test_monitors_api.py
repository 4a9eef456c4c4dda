"""The monitors API: list/show, manage, run now, heartbeat push URL, incident checks."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.monitors.conftest import Target
from tests.support import auth_header


def _http_monitor(target: Target, name: str = "web") -> dict[str, object]:
    return {
        "name": name,
        "kind": "http",
        "url": f"{target.url}/health",
        "service": "api",
        "conditions": ["[STATUS] == 200", '[BODY].status == "ok"'],
    }


def test_create_list_run_delete(
    client: TestClient, admin_token: str, alice_token: str, viewer_token: str, target: Target
) -> None:
    created = client.post(
        "/api/v1/monitors", json=_http_monitor(target), headers=auth_header(admin_token)
    )
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "unknown"
    assert created.json()["origin"] == "api"

    ran = client.post("/api/v1/monitors/web/run", headers=auth_header(alice_token))
    assert ran.status_code == 200, ran.text
    assert ran.json()["ok"] is True
    assert ran.json()["monitor"]["state"] == "up"

    listed = client.get("/api/v1/monitors", headers=auth_header(viewer_token)).json()
    [item] = listed["items"]
    assert item["name"] == "web"
    assert item["results"][0]["ok"] is True
    assert item["results"][0]["status_code"] == 200

    shown = client.get("/api/v1/monitors/web", headers=auth_header(viewer_token)).json()
    assert shown["uptime"]["24h"] == 1.0

    changed = client.put(
        "/api/v1/monitors/web",
        json={**_http_monitor(target), "enabled": False},
        headers=auth_header(admin_token),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["enabled"] is False
    renamed = client.put(
        "/api/v1/monitors/web",
        json=_http_monitor(target, name="other"),
        headers=auth_header(admin_token),
    )
    assert renamed.status_code == 422

    assert (
        client.delete("/api/v1/monitors/web", headers=auth_header(alice_token)).status_code == 403
    )
    assert (
        client.delete("/api/v1/monitors/web", headers=auth_header(admin_token)).status_code == 204
    )
    assert client.get("/api/v1/monitors/web", headers=auth_header(viewer_token)).status_code == 404


def test_create_refuses_bad_monitors_with_every_problem(
    client: TestClient, admin_token: str, target: Target
) -> None:
    body = {
        "name": "x",
        "kind": "http",
        "conditions": ["[STATUS] == fast"],
        "service": "nope",
        "colour": 1,
    }
    response = client.post("/api/v1/monitors", json=body, headers=auth_header(admin_token))
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["error"]["details"]["problems"]}
    assert {"conditions.0", "url", "service", "colour"} <= fields
    dup = client.post(
        "/api/v1/monitors", json=_http_monitor(target), headers=auth_header(admin_token)
    )
    assert dup.status_code == 201
    again = client.post(
        "/api/v1/monitors", json=_http_monitor(target), headers=auth_header(admin_token)
    )
    assert again.status_code == 409


def test_requires_tokens(client: TestClient, target: Target, alice_token: str) -> None:
    assert client.get("/api/v1/monitors").status_code == 401
    denied = client.post(
        "/api/v1/monitors", json=_http_monitor(target), headers=auth_header(alice_token)
    )
    assert denied.status_code == 403


def test_heartbeat_push_url(
    client: TestClient, admin_token: str, alice_token: str, viewer_token: str
) -> None:
    body = {"name": "nightly", "kind": "heartbeat", "interval": "1d"}
    assert (
        client.post("/api/v1/monitors", json=body, headers=auth_header(admin_token)).status_code
        == 201
    )
    seen_by_viewer = client.get(
        "/api/v1/monitors/nightly", headers=auth_header(viewer_token)
    ).json()
    assert seen_by_viewer["heartbeat_url"] is None
    url = client.get("/api/v1/monitors/nightly", headers=auth_header(alice_token)).json()[
        "heartbeat_url"
    ]
    assert url.startswith("http://testserver/api/v1/heartbeat/")
    path = url.removeprefix("http://testserver")
    assert client.post(path).json() == {"status": "ok", "monitor": "nightly"}
    assert client.get(path).status_code == 200
    assert client.post("/api/v1/heartbeat/guessed-token").status_code == 404
    shown = client.get("/api/v1/monitors/nightly", headers=auth_header(alice_token)).json()
    assert shown["state"] == "up"
    assert len(shown["results"]) == 2


def test_attach_check_to_incident(client: TestClient, alice_token: str) -> None:
    declared = client.post(
        "/api/v1/incidents",
        json={"title": "API down", "severity": "P1", "service": "api"},
        headers=auth_header(alice_token),
    )
    assert declared.status_code == 201, declared.text
    ref = declared.json()["ref"]
    check = {
        "kind": "http",
        "target": "https://x/health",
        "ok": False,
        "summary": "HTTP 500 in 12 ms",
        "data": {"status": 500},
    }
    attached = client.post(
        f"/api/v1/incidents/{ref}/checks", json=check, headers=auth_header(alice_token)
    )
    assert attached.status_code == 201, attached.text
    assert attached.json()["kind"] == "check"
    timeline = client.get(
        f"/api/v1/incidents/{ref}/timeline", headers=auth_header(alice_token)
    ).json()
    event = next(e for e in timeline["events"] if e["kind"] == "check")
    assert "FAILED" in event["body"]
    bad = client.post(
        f"/api/v1/incidents/{ref}/checks",
        json={**check, "kind": "ping"},
        headers=auth_header(alice_token),
    )
    assert bad.status_code == 422
    extra = client.post(
        f"/api/v1/incidents/{ref}/checks", json={**check, "x": 1}, headers=auth_header(alice_token)
    )
    assert extra.status_code == 422
    missing = client.post(
        "/api/v1/incidents/INC-999/checks", json=check, headers=auth_header(alice_token)
    )
    assert missing.status_code == 404
