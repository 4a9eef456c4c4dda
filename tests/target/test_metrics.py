"""The Prometheus exposition: it parses, it has the seed's gauges, and faults move them."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from tests.target.conftest import ADMIN, gauges, switch
from warroom.clock import FrozenClock
from warroom.target.app import create_target_app


def _families(tc: TestClient) -> dict[str, Metric]:
    response = tc.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {f.name: f for f in text_string_to_metric_families(response.text)}


def test_the_exposition_has_the_seeds_metrics(tc: TestClient) -> None:
    tc.get("/health")
    families = _families(tc)
    for name in ("error_rate", "response_time", "active_users", "worker_cpu"):
        assert families[name].type == "gauge", name
    assert families["http_requests"].type == "counter"
    assert families["http_request_duration_seconds"].type == "histogram"


def test_requests_are_counted_by_method_route_and_code(tc: TestClient) -> None:
    tc.get("/api/pitches/trending")
    tc.get("/api/pitches/trending?limit=0")
    tc.get("/no/such/route")
    text = tc.get("/metrics").text
    samples = {
        (s.labels["method"], s.labels["route"], s.labels["code"]): s.value
        for family in text_string_to_metric_families(text)
        if family.name == "http_requests"
        for s in family.samples
        if s.name == "http_requests_total"
    }
    assert samples[("GET", "/api/pitches/trending", "200")] == 1
    assert samples[("GET", "/api/pitches/trending", "422")] == 1
    assert samples[("GET", "other", "404")] == 1  # unknown paths share one label value


def test_the_duration_histogram_counts_each_request(tc: TestClient) -> None:
    for _ in range(3):
        tc.get("/health")
    counts = {
        s.labels.get("route"): s.value
        for family in text_string_to_metric_families(tc.get("/metrics").text)
        for s in family.samples
        if s.name == "http_request_duration_seconds_count"
    }
    assert counts["/health"] == 3


def test_error_rate_rises_under_the_error_rate_fault(tc: TestClient) -> None:
    for _ in range(10):
        tc.get("/api/pitches/trending")
    assert gauges(tc)["error_rate"] == 0.0
    switch(tc, "error-rate", rate=1)
    for _ in range(10):
        tc.get("/api/pitches/trending")
    assert gauges(tc)["error_rate"] == 0.5  # scrapes and switches are not counted


def test_error_rate_forgets_requests_older_than_a_minute(
    tc: TestClient, clock: FrozenClock
) -> None:
    switch(tc, "db-errors")
    tc.get("/api/pitches/trending")
    assert gauges(tc)["error_rate"] == 1.0
    clock.advance(timedelta(seconds=61))
    assert gauges(tc)["error_rate"] == 0.0


def test_response_time_and_worker_cpu_rise_when_slow(tc: TestClient) -> None:
    tc.get("/health")
    before = gauges(tc)
    assert before["response_time"] < 0.05
    switch(tc, "slow", latency="50ms")
    tc.get("/health")
    after = gauges(tc)
    assert after["response_time"] >= 0.025  # the mean of a fast and a 50 ms request
    assert after["worker_cpu"] > before["worker_cpu"]


def test_active_users_counts_users_served_and_open_websockets(
    tc: TestClient, clock: FrozenClock
) -> None:
    for user in ("ada", "bob", "ada"):
        tc.get("/api/pitches/trending", headers={"X-User-Id": user})
    switch(tc, "db-errors")
    tc.get("/api/pitches/trending", headers={"X-User-Id": "cy"})  # failed: not an active user
    assert gauges(tc)["active_users"] == 2
    with tc.websocket_connect("/ws") as ws:
        ws.send_text("ping")
        ws.receive_text()
        assert gauges(tc)["active_users"] == 3
    clock.advance(timedelta(minutes=5))
    assert gauges(tc)["active_users"] == 0


def test_the_fault_and_cache_gauges_follow_the_state(tc: TestClient) -> None:
    switch(tc, "cache-stale")
    tc.get("/api/pitches/trending")
    text = tc.get("/metrics").text
    assert 'target_fault_active{fault="cache-stale"} 1.0' in text
    assert 'target_fault_active{fault="down"} 0.0' in text
    assert gauges(tc)["cache_hit_rate"] == 0.0
    tc.post("/api/admin/cache/warm", headers=ADMIN)
    assert gauges(tc)["cache_hit_rate"] == 1.0
    assert 'target_fault_active{fault="cache-stale"} 0.0' in tc.get("/metrics").text


def test_each_app_has_its_own_registry(clock: FrozenClock) -> None:
    first = TestClient(create_target_app(token="a", clock=clock))
    second = TestClient(create_target_app(token="b", clock=clock))
    first.get("/health")
    assert 'route="/health"' in first.get("/metrics").text
    assert 'route="/health"' not in second.get("/metrics").text
