"""Real senders on loopback: the official ``pagerduty`` client and Debian's Alertmanager."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pagerduty
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.support import free_port
from warroom.alerts.models import Alert
from warroom.changes.models import Change
from warroom.db import make_sessionmaker
from warroom.incidents.models import Incident
from warroom.timeline.models import TimelineEvent

ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
T = TypeVar("T")


class LoopbackEventsClient(pagerduty.EventsApiV2Client):  # type: ignore[misc]
    """The official client, allowed to talk plain HTTP to a test server."""

    @property
    def url(self) -> str:
        return str(self._url)

    @url.setter
    def url(self, value: str) -> None:
        self._url = value


def test_the_official_pagerduty_client(live_server: str, pd_key: str, engine: Engine) -> None:
    client = LoopbackEventsClient(pd_key, base_url=live_server)
    dedup = client.trigger("Payment processing down", "checkout-1", severity="critical")
    assert isinstance(dedup, str)
    assert len(dedup) == 32
    assert client.trigger("Payment processing down", "checkout-1", dedup_key=dedup) == dedup
    assert client.acknowledge(dedup) == dedup
    assert client.resolve(dedup) == dedup
    client.submit("Deployed release 42", source="ci", timestamp="2026-11-02T08:58:00Z")
    with make_sessionmaker(engine)() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.dedup_key, alert.count, alert.status, alert.severity) == (
            dedup,
            2,
            "resolved",
            "P1",
        )
        assert session.scalars(select(Change)).one().summary == "Deployed release 42"
    bad = LoopbackEventsClient("0" * 32, base_url=live_server)
    with pytest.raises(pagerduty.Error):
        bad.trigger("x", "y")


def _wait(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def alertmanager(tmp_path: Path, live_server: str, am_key: str) -> Iterator[str]:
    """Debian's Alertmanager on loopback, sending webhooks to the live warroom."""
    if not Path(ALERTMANAGER).exists():
        pytest.skip(
            "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)"
        )
    port = free_port()
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        f"""
route:
  receiver: warroom
  group_by: [alertname]
  group_wait: 200ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: warroom
    webhook_configs:
      - url: {live_server}/api/v1/intake/alertmanager/{am_key}
        send_resolved: true
"""
    )
    process = subprocess.Popen(
        [
            ALERTMANAGER,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool | None:
            try:
                return httpx.get(f"{url}/-/ready", timeout=1).status_code == 200 or None
            except httpx.HTTPError:
                return None

        _wait("alertmanager to start", ready, timeout=15)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _post_alert(url: str, ends_at: datetime | None = None) -> None:
    alert: dict[str, Any] = {
        "labels": {
            "alertname": "InstanceDown",
            "instance": "10.0.0.1:9090",
            "severity": "critical",
            "service": "database",
        },
        "annotations": {"summary": "Instance 10.0.0.1:9090 down"},
        "startsAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
    }
    if ends_at is not None:
        alert["endsAt"] = ends_at.isoformat()
    answer = httpx.post(f"{url}/api/v2/alerts", json=[alert], timeout=5)
    assert answer.status_code == 200, answer.text


def test_the_real_alertmanager(alertmanager: str, engine: Engine) -> None:
    sessions = make_sessionmaker(engine)

    def alert_in(status: str) -> Alert | None:
        with sessions() as session:
            return session.scalars(select(Alert).where(Alert.status == status)).first()

    _post_alert(alertmanager)
    alert = _wait("the alert to open an incident", lambda: alert_in("triggered"))
    assert alert.source == "alertmanager"
    assert alert.service == "database"
    assert alert.group_key is not None
    assert "InstanceDown" in alert.group_key
    with sessions() as session:
        incident = session.get(Incident, alert.incident_id)
        assert incident is not None
        assert (incident.severity, incident.status, incident.title) == (
            "P1",
            "declared",
            "Instance 10.0.0.1:9090 down",
        )
    _post_alert(alertmanager, ends_at=datetime.now(UTC) - timedelta(seconds=1))
    resolved = _wait("the alert to resolve", lambda: alert_in("resolved"))
    assert resolved.id == alert.id
    with sessions() as session:
        events = session.scalars(
            select(TimelineEvent).where(
                TimelineEvent.incident_id == alert.incident_id, TimelineEvent.kind == "alert"
            )
        )
        assert [e.data["event"] for e in events] == ["opened", "resolved"]
