"""Each fault switched on through POST /__faults, what it breaks, and how it ends."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.target.conftest import ADMIN, switch
from warroom.clock import FrozenClock


def _trending_codes(tc: TestClient, count: int) -> list[int]:
    return [tc.get("/api/pitches/trending").status_code for _ in range(count)]


def test_down_answers_503_everywhere_but_the_switch(tc: TestClient) -> None:
    switch(tc, "down")
    for method, path in [
        ("GET", "/health"),
        ("GET", "/metrics"),
        ("GET", "/api/pitches/trending"),
        ("GET", "/api/admin/db/status"),
        ("POST", "/api/admin/cache/warm"),
        ("GET", "/nowhere"),
    ]:
        response = tc.request(method, path, headers=ADMIN)
        assert response.status_code == 503, path
        assert response.json()["error"]["code"] == "unavailable"
    with pytest.raises(WebSocketDisconnect), tc.websocket_connect("/ws"):
        pass
    assert tc.get("/__faults", headers=ADMIN).status_code == 200
    switch(tc, "down", on=False)
    assert tc.get("/health").status_code == 200


def test_down_clears_itself_after_its_duration(tc: TestClient, clock: FrozenClock) -> None:
    state = switch(tc, "down", duration="10m")
    assert state["until"] == "2026-11-02T09:10:00+00:00"
    clock.advance(timedelta(minutes=9))
    assert tc.get("/health").status_code == 503
    clock.advance(timedelta(minutes=1))
    assert tc.get("/health").status_code == 200
    assert not any(f["on"] for f in tc.get("/__faults", headers=ADMIN).json()["faults"])


def test_db_errors_fail_the_status_exhaust_the_pool_and_break_data(tc: TestClient) -> None:
    switch(tc, "db-errors")
    status = tc.get("/api/admin/db/status", headers=ADMIN)
    assert status.status_code == 503
    assert status.json()["connected"] is False
    assert "too many clients" in status.json()["error"]
    trending = tc.get("/api/pitches/trending")
    assert trending.status_code == 500
    assert trending.json()["error"]["code"] == "database_unavailable"
    pool = tc.get("/api/admin/db/pool", headers=ADMIN).json()
    assert pool["exhausted"] is True
    assert (pool["in_use"], pool["idle"], pool["waiting"]) == (20, 0, 1)
    health = tc.get("/health").json()
    assert (health["status"], health["database"]) == ("degraded", "error")
    switch(tc, "db-errors", on=False)
    assert tc.get("/api/admin/db/status", headers=ADMIN).status_code == 200
    assert tc.get("/api/pitches/trending").status_code == 200


def test_error_rate_fails_exactly_its_share_of_data_requests(tc: TestClient) -> None:
    switch(tc, "error-rate", rate=0.3)
    codes = _trending_codes(tc, 10)
    assert codes.count(500) == 3
    assert tc.get("/health").status_code == 200  # only data routes fail
    switch(tc, "error-rate", rate=1)
    assert set(_trending_codes(tc, 5)) == {500}
    switch(tc, "error-rate", on=False)
    assert set(_trending_codes(tc, 5)) == {200}


def test_error_rate_defaults_to_thirty_percent(tc: TestClient) -> None:
    assert switch(tc, "error-rate")["rate"] == 0.3
    assert _trending_codes(tc, 20).count(500) == 6


def test_slow_delays_every_request_until_off(tc: TestClient) -> None:
    state = switch(tc, "slow", latency="60ms")
    assert state["latency_ms"] == 60
    started = time.perf_counter()
    assert tc.get("/health").status_code == 200
    assert time.perf_counter() - started >= 0.06
    switch(tc, "slow", on=False)
    started = time.perf_counter()
    tc.get("/health")
    assert time.perf_counter() - started < 0.06


def test_slow_defaults_to_800ms(tc: TestClient, clock: FrozenClock) -> None:
    state = switch(tc, "slow", duration="1m")
    assert state["latency_ms"] == 800
    clock.advance(timedelta(minutes=1))
    started = time.perf_counter()
    tc.get("/health")
    assert time.perf_counter() - started < 0.8  # expired, so no delay


def test_cache_stale_shows_a_low_hit_rate_until_warmed(tc: TestClient) -> None:
    switch(tc, "cache-stale")
    _trending_codes(tc, 8)
    stats = tc.get("/api/admin/cache/stats", headers=ADMIN).json()
    assert (stats["status"], stats["hit_rate"], stats["misses"]) == ("stale", 0.0, 8)
    assert tc.get("/health").json()["cache"] == "stale"
    warmed = tc.post("/api/admin/cache/warm", headers=ADMIN).json()
    assert warmed["was_stale"] is True
    _trending_codes(tc, 4)
    stats = tc.get("/api/admin/cache/stats", headers=ADMIN).json()
    assert (stats["status"], stats["hit_rate"]) == ("ok", 1.0)
    assert tc.get("/health").json()["status"] == "ok"
    faults = {f["name"]: f["on"] for f in tc.get("/__faults", headers=ADMIN).json()["faults"]}
    assert faults["cache-stale"] is False


def test_cache_stale_with_no_lookups_yet_reads_as_zero(tc: TestClient) -> None:
    tc.delete("/api/admin/cache", headers=ADMIN)
    switch(tc, "cache-stale")
    assert tc.get("/api/admin/cache/stats", headers=ADMIN).json()["hit_rate"] == 0.0


def test_clearing_the_cache_also_ends_cache_stale(tc: TestClient) -> None:
    switch(tc, "cache-stale")
    assert tc.delete("/api/admin/cache", headers=ADMIN).json()["was_stale"] is True
    _trending_codes(tc, 5)
    stats = tc.get("/api/admin/cache/stats", headers=ADMIN).json()
    assert (stats["status"], stats["hit_rate"]) == ("ok", 0.8)  # one refill miss, then hits


def test_ws_down_refuses_websockets_but_nothing_else(tc: TestClient) -> None:
    switch(tc, "ws-down")
    with pytest.raises(WebSocketDisconnect), tc.websocket_connect("/ws"):
        pass
    assert tc.get("/health").json()["websocket"] == "down"
    assert tc.get("/api/pitches/trending").status_code == 200
    switch(tc, "ws-down", on=False)
    with tc.websocket_connect("/ws") as ws:
        ws.send_text("ping")
        assert ws.receive_text() == "pong"


def test_bad_release_fails_data_requests_until_rolled_back(tc: TestClient) -> None:
    switch(tc, "bad-release", rate=0.5)
    assert tc.get("/health").json()["version"] == "v1.5.0-rc1"
    codes = _trending_codes(tc, 10)
    assert codes.count(500) == 5
    rolled = tc.post("/api/admin/rollback", headers=ADMIN)
    assert rolled.status_code == 200
    assert rolled.json() == {"rolled_back": True, "from": "v1.5.0-rc1", "to": "v1.4.2"}
    assert set(_trending_codes(tc, 10)) == {200}
    assert tc.get("/health").json()["version"] == "v1.4.2"
    assert tc.post("/api/admin/rollback", headers=ADMIN).status_code == 409


def test_faults_combine_and_each_clears_on_its_own(tc: TestClient, clock: FrozenClock) -> None:
    switch(tc, "db-errors", duration="5m")
    switch(tc, "ws-down", duration="10m")
    health = tc.get("/health").json()
    assert (health["database"], health["websocket"]) == ("error", "down")
    clock.advance(timedelta(minutes=5))
    health = tc.get("/health").json()
    assert (health["database"], health["websocket"]) == ("ok", "down")
    clock.advance(timedelta(minutes=5))
    assert tc.get("/health").json()["status"] == "ok"


def test_switching_off_a_fault_that_is_off_is_harmless(tc: TestClient) -> None:
    assert switch(tc, "slow", on=False) == {"fault": "slow", "on": False, "was_on": False}
