"""Each route of the practice target when nothing is broken, and who may call it."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.target.conftest import ADMIN, TOKEN

ADMIN_ROUTES = [
    ("GET", "/api/admin/db/status"),
    ("GET", "/api/admin/db/pool"),
    ("GET", "/api/admin/cache/stats"),
    ("DELETE", "/api/admin/cache"),
    ("POST", "/api/admin/cache/warm"),
    ("POST", "/api/admin/rollback"),
    ("GET", "/__faults"),
    ("POST", "/__faults"),
]


def test_health_reports_each_dependency(tc: TestClient) -> None:
    response = tc.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert (body["database"], body["cache"], body["websocket"]) == ("ok", "ok", "ok")
    assert body["version"] == "v1.4.2"
    assert body["time"] == "2026-11-02T09:00:00+00:00"


def test_trending_returns_pitches_best_first(tc: TestClient) -> None:
    body = tc.get("/api/pitches/trending").json()
    assert body["count"] == 10
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert tc.get("/api/pitches/trending?limit=3").json()["count"] == 3


@pytest.mark.parametrize("limit", ["0", "11", "many", "-1"])
def test_trending_refuses_a_bad_limit(tc: TestClient, limit: str) -> None:
    response = tc.get(f"/api/pitches/trending?limit={limit}")
    assert response.status_code == 422
    assert "limit must be 1 to 10" in response.json()["error"]["message"]


def test_database_status_and_pool(tc: TestClient) -> None:
    status = tc.get("/api/admin/db/status", headers=ADMIN)
    assert status.status_code == 200
    assert status.json()["connected"] is True
    pool = tc.get("/api/admin/db/pool", headers=ADMIN).json()
    assert pool == {"size": 20, "in_use": 0, "idle": 20, "waiting": 0, "exhausted": False}


def test_cache_stats_count_lookups(tc: TestClient) -> None:
    for _ in range(3):
        tc.get("/api/pitches/trending")
    stats = tc.get("/api/admin/cache/stats", headers=ADMIN).json()
    assert stats["status"] == "ok"
    assert (stats["hits"], stats["misses"], stats["hit_rate"]) == (3, 0, 1.0)
    assert stats["keys"] == 4


def test_clearing_the_cache_drops_keys_which_refill_on_use(tc: TestClient) -> None:
    cleared = tc.delete("/api/admin/cache", headers=ADMIN).json()
    assert cleared == {"cleared": True, "dropped_keys": 4, "was_stale": False}
    tc.get("/api/pitches/trending")
    tc.get("/api/pitches/trending")
    stats = tc.get("/api/admin/cache/stats", headers=ADMIN).json()
    assert (stats["keys"], stats["hits"], stats["misses"], stats["hit_rate"]) == (1, 1, 1, 0.5)
    assert stats["last_cleared_at"] == "2026-11-02T09:00:00+00:00"


def test_warming_loads_every_key(tc: TestClient) -> None:
    tc.delete("/api/admin/cache", headers=ADMIN)
    warmed = tc.post("/api/admin/cache/warm", headers=ADMIN).json()
    assert warmed == {"warmed": True, "keys": 4, "was_stale": False}
    assert tc.get("/api/admin/cache/stats", headers=ADMIN).json()["keys"] == 4


def test_rollback_without_a_bad_release_is_a_conflict(tc: TestClient) -> None:
    response = tc.post("/api/admin/rollback", headers=ADMIN)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nothing_to_roll_back"


def test_the_websocket_answers_ping_hello_and_echoes(tc: TestClient) -> None:
    with tc.websocket_connect("/ws") as ws:
        ws.send_text("ping")
        assert ws.receive_text() == "pong"
        ws.send_text("hello")
        assert ws.receive_json() == {"type": "hello", "version": "v1.4.2"}
        ws.send_text("anything at all")
        assert ws.receive_text() == "anything at all"


def test_the_fault_list_shows_every_fault_off(tc: TestClient) -> None:
    faults = tc.get("/__faults", headers=ADMIN).json()["faults"]
    assert [f["name"] for f in faults][:2] == ["down", "db-errors"]
    assert not any(f["on"] for f in faults)


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_need_a_token(tc: TestClient, method: str, path: str) -> None:
    response = tc.request(method, path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_refuse_a_wrong_token(tc: TestClient, method: str, path: str) -> None:
    for header in (f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer"):
        response = tc.request(method, path, headers={"Authorization": header})
        assert response.status_code in (401, 403)
    response = tc.request(method, path, headers={"Authorization": "Bearer not-the-token"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_refused_mutations_change_nothing(tc: TestClient) -> None:
    tc.post("/__faults", json={"fault": "down", "on": True}, headers={"Authorization": "Bearer x"})
    tc.delete("/api/admin/cache")
    assert tc.get("/health").status_code == 200
    assert tc.get("/api/admin/cache/stats", headers=ADMIN).json()["keys"] == 4
