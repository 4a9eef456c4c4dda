"""HTTP API: metrics, the monthly/quarterly review, and the Prometheus page checked by promtool."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.support import auth_header
from warroom.clock import FrozenClock

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def incident(client: TestClient, token: str, clock: FrozenClock, minutes: int) -> None:
    response = client.post(
        "/api/v1/incidents",
        json={
            "title": "Search slow",
            "severity": "P3",
            "service": "web",
            "impact_started_at": (clock.now() - timedelta(minutes=3)).isoformat(),
        },
        headers=auth_header(token),
    )
    ref = response.json()["ref"]
    for state in ("investigating", "resolved"):
        clock.advance(timedelta(minutes=minutes))
        client.post(
            f"/api/v1/incidents/{ref}/transitions", json={"to": state}, headers=auth_header(token)
        )


def test_metrics_endpoint(client: TestClient, alice_token: str, clock: FrozenClock) -> None:
    incident(client, alice_token, clock, 10)
    incident(client, alice_token, clock, 20)
    response = client.get(
        "/api/v1/metrics",
        params={"from": "2026-11-01", "to": "2026-12-01"},
        headers=auth_header(alice_token),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["incidents"] == 2
    assert body["figures"]["ttr"]["mean_seconds"] == pytest.approx(30 * 60, abs=0.01)
    assert body["figures"]["ttd"]["median_seconds"] == pytest.approx(180, abs=0.01)
    assert "resolved_at - detected_at" in body["definitions"]["ttr"]


BAD_QUERIES = [
    ({"from": "2026-12-01", "to": "2026-11-01"}, "must be before to"),
    ({"from": "yesterday"}, "from 'yesterday' is not a date or time"),
    ({"service": "mainframe"}, "unknown service 'mainframe'"),
]


def test_metrics_bad_input(client: TestClient, alice_token: str) -> None:
    for params, message in BAD_QUERIES:
        response = client.get("/api/v1/metrics", params=params, headers=auth_header(alice_token))
        assert response.status_code == 422
        assert message in response.json()["error"]["message"]


def test_monthly_review_markdown_and_html(
    client: TestClient, alice_token: str, clock: FrozenClock
) -> None:
    incident(client, alice_token, clock, 10)
    markdown = client.get(
        "/api/v1/reports/monthly",
        params={"month": "2026-11", "format": "markdown"},
        headers=auth_header(alice_token),
    )
    assert markdown.status_code == 200
    text = markdown.text
    assert text.startswith("# Monthly incident review — 2026-11")
    assert "| 2026-11 | 1 | +1 |" in text  # frequency trend, six months to November
    assert "| 2026-06 | 0 |  |" in text
    assert "## Mean Time To Resolution (MTTR) trend" in text
    assert "| web | Search slow | 1 |" in text
    page = client.get(
        "/api/v1/reports/monthly",
        params={"month": "2026-11", "format": "html"},
        headers=auth_header(alice_token),
    )
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.count("<svg") == 2
    assert "<script" not in page.text
    bad = client.get(
        "/api/v1/reports/monthly", params={"month": "2026-13"}, headers=auth_header(alice_token)
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["message"] == (
        "month '2026-13': 13 is not a month (expected 01 to 12)"
    )
    quarterly = client.get(
        "/api/v1/reports/quarterly",
        params={"quarter": "2026Q4", "format": "markdown"},
        headers=auth_header(alice_token),
    )
    assert "# Quarterly incident review — 2026Q4" in quarterly.text
    assert "| 2026Q1 | 0 |" in quarterly.text
    assert "## Quarterly updates" in quarterly.text


def test_prometheus_page_needs_no_token_and_passes_promtool(
    client: TestClient, alice_token: str, clock: FrozenClock
) -> None:
    incident(client, alice_token, clock, 10)
    client.post(
        "/api/v1/incidents",
        json={"title": "Down", "severity": "P1", "service": "api"},
        headers=auth_header(alice_token),
    )
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    open_now = {s.labels["severity"]: s.value for s in families["warroom_open_incidents"].samples}
    assert open_now["P1"] == 1
    assert open_now["P3"] == 0
    totals = {s.labels["severity"]: s.value for s in families["warroom_incidents"].samples}
    assert totals == {"P0": 0, "P1": 1, "P2": 0, "P3": 1}
    latency = families["warroom_http_request_duration_seconds"]
    routes = {s.labels.get("route") for s in latency.samples}
    assert "/api/v1/incidents" in routes
    assert "Down" not in response.text  # aggregate counts only
    if not shutil.which(PROMTOOL):
        pytest.skip("promtool (Debian package prometheus) is not installed")
    checked = subprocess.run(
        [PROMTOOL, "check", "metrics"], input=response.content, capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
