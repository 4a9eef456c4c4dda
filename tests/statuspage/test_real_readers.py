"""Real readers of the page: statuspage-prometheus-exporter reading summary.json, and headless
Chromium rendering /status (both against warroom served by uvicorn on loopback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import auth_header

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _sqlite_only(db_url: str) -> None:
    """These test what readers make of the documents, not the database: once is enough."""
    if not db_url.startswith("sqlite"):
        pytest.skip("readers are tested against the SQLite run only")


def _incident_with_update(url: str, token: str) -> str:
    headers = auth_header(token)
    declared = httpx.post(
        f"{url}/api/v1/incidents",
        json={"title": "Payments failing", "severity": "P1", "service": "payments"},
        headers=headers,
    )
    ref: str = declared.json()["ref"]
    posted = httpx.post(
        f"{url}/api/v1/incidents/{ref}/public-updates",
        json={"template": "identified", "components": {"payments": "partial_outage"}},
        headers=headers,
    )
    assert posted.status_code == 201, posted.text
    return ref


def test_statuspage_prometheus_exporter_reads_summary(
    live_server: str, alice_token: str, tmp_path: Path
) -> None:
    pytest.importorskip("statuspage_prometheus_exporter")
    _incident_with_update(live_server, alice_token)
    services = tmp_path / "services.json"
    services.write_text(
        json.dumps({"warroom": {"url": f"{live_server}/api/v2/summary.json", "name": "Warroom"}})
    )
    metrics = tmp_path / "out" / "statuspage.prom"
    env = {
        **os.environ,
        "RUN_MODE": "once",
        "SERVICES_JSON_PATH": str(services),
        "METRICS_TEXTFILE_PATH": str(metrics),
    }
    done = subprocess.run(
        [sys.executable, "-m", "statuspage_prometheus_exporter.status_monitoring"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s
        for family in text_string_to_metric_families(metrics.read_text())
        for s in family.samples
    }
    status = samples[("statuspage_service_status", (("service_name", "Warroom"),))]
    assert status.value == 0  # an active incident: not operational
    assert samples[("statuspage_probe_check", (("service_name", "Warroom"),))].value == 1
    components = {
        dict(labels)["component_name"]: s.value
        for (name, labels), s in samples.items()
        if name == "statuspage_component_status"
    }
    assert components["Payments"] == 0
    assert components["API"] == 1
    incidents = [
        s for (name, _), s in samples.items() if name == "statuspage_incident_info" and s.value == 1
    ]
    assert [s.labels["incident_name"] for s in incidents] == ["Payments failing"]
    assert incidents[0].labels["impact"] == "major"
    assert incidents[0].labels["affected_components"] == "Payments"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_headless_chromium_shows_components_and_the_active_incident(
    live_server: str, alice_token: str, tmp_path: Path
) -> None:
    _incident_with_update(live_server, alice_token)
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [*flags, "--dump-dom", f"{live_server}/status"],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'id="component-payments" data-status="partial_outage"' in html
    assert "Payments failing" in html
    assert "We have identified the issue" in html
    assert 'data-indicator="major"' in html
    shot = tmp_path / "phone.png"
    taken = subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=390,1400", f"{live_server}/status"],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 5_000
    # Width from the PNG header: rendered at the phone width we asked for.
    assert int.from_bytes(data[16:20], "big") == 390
