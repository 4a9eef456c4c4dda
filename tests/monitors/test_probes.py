"""Probes against real loopback targets; bad targets give a failed result with the reason."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.monitors.conftest import Target
from tests.support import free_port
from warroom.monitors.evaluation import Evaluation, evaluate
from warroom.monitors.observation import Observation
from warroom.monitors.scheduler import probe_all
from warroom.monitors.service import conditions_of
from warroom.playbook.monitors import MonitorSpec


def _check(**spec: Any) -> tuple[Observation, Evaluation]:
    model = MonitorSpec.model_validate({"name": "t", **spec})
    obs = asyncio.run(probe_all([model], concurrency=1))[0]
    return obs, evaluate(conditions_of(model), obs)


def test_http_ok_with_body_conditions(target: Target) -> None:
    obs, result = _check(
        kind="http",
        url=f"{target.url}/health",
        conditions=[
            "[STATUS] == 200",
            '[BODY].status == "ok"',
            "[BODY].data.items[0].id == 3",
            "len([BODY].data.items) < 5",
            "[RESPONSE_TIME] < 2000",
        ],
    )
    assert result.ok, result.reason()
    assert obs.response_time_ms is not None


def test_http_500_fails(target: Target) -> None:
    target.mode = "error"
    _obs, result = _check(kind="http", url=f"{target.url}/health")
    assert not result.ok
    assert result.reason() == "[STATUS] < 400 (actual: 500)"


def test_http_bad_json(target: Target) -> None:
    target.mode = "badjson"
    _obs, result = _check(kind="http", url=target.url, conditions=['[BODY].status == "ok"'])
    assert not result.ok
    assert "not JSON" in (result.reason() or "")


def test_http_slow_times_out(target: Target) -> None:
    target.delay = 1.5
    _obs, result = _check(kind="http", url=target.url, timeout="1s", interval="10s")
    assert not result.ok
    assert result.reason() == "timed out after 1s"


@pytest.mark.parametrize("mode", ["huge", "binary"])
def test_huge_and_binary_bodies(target: Target, mode: str) -> None:
    target.mode = mode
    obs, result = _check(kind="http", url=target.url, conditions=['[BODY].status == "ok"'])
    assert not result.ok
    assert obs.body is not None
    assert len(obs.body) <= 1_048_576
    assert result.reason()


def test_unreachable_and_dns_failures() -> None:
    _obs, refused = _check(kind="http", url=f"http://127.0.0.1:{free_port()}/")
    assert refused.reason() == "connection refused"
    _obs, dns = _check(kind="http", url="http://no-such-host.invalid/", timeout="5s")
    assert (dns.reason() or "").startswith("DNS lookup failed")


def test_expired_certificate_is_a_tls_error(expired_tls_target: Target) -> None:
    _obs, result = _check(kind="http", url=expired_tls_target.url)
    assert not result.ok
    reason = result.reason() or ""
    assert reason.startswith("TLS error")
    assert "expired" in reason or "self-signed" in reason or "self signed" in reason


def test_cert_expiry_condition(tls_target: Target, expired_tls_target: Target) -> None:
    spec = {"kind": "http", "verify_tls": False, "conditions": ["[CERT_EXPIRY] > 7d"]}
    obs, soon = _check(url=tls_target.url, **spec)
    assert not soon.ok
    assert obs.cert_expiry_s is not None
    assert 2 * 86400 < obs.cert_expiry_s < 3 * 86400
    _obs, fine = _check(url=tls_target.url, **{**spec, "conditions": ["[CERT_EXPIRY] > 1d"]})
    assert fine.ok
    _obs, expired = _check(url=expired_tls_target.url, **spec)
    assert not expired.ok


def test_metrics_scrape(target: Target) -> None:
    _obs, healthy = _check(
        kind="metrics", url=f"{target.url}/metrics", conditions=["error_rate < 0.05"]
    )
    assert healthy.ok, healthy.reason()
    target.mode = "error"
    _obs, failing = _check(
        kind="metrics", url=f"{target.url}/metrics", conditions=["error_rate < 0.05"]
    )
    assert failing.reason() == "error_rate < 0.05 (actual: 0.2)"


def test_malformed_exposition(target: Target) -> None:
    target.metrics_text = "error_rate{ oops\n\x00garbage 1 2 3 4\n"
    _obs, result = _check(
        kind="metrics", url=f"{target.url}/metrics", conditions=["error_rate < 1"]
    )
    assert not result.ok
    assert (result.reason() or "").startswith("malformed exposition:")


def test_websocket_echo(ws_echo: str) -> None:
    obs, result = _check(
        kind="websocket", url=ws_echo, send="ping", conditions=['[REPLY] == "echo:ping"']
    )
    assert result.ok, result.reason()
    assert obs.reply == "echo:ping"


def test_websocket_unreachable() -> None:
    _obs, result = _check(kind="websocket", url=f"ws://127.0.0.1:{free_port()}/ws")
    assert result.reason() == "connection refused"


def test_tcp(target: Target) -> None:
    port = int(target.url.rsplit(":", 1)[1])
    _obs, up = _check(kind="tcp", host="127.0.0.1", port=port)
    assert up.ok
    _obs, down = _check(kind="tcp", host="127.0.0.1", port=free_port())
    assert down.reason() == "connection refused"


def test_sql_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBE_DB", f"sqlite:///{tmp_path / 'x.db'}")
    _obs, result = _check(
        kind="sql", dsn_env="PROBE_DB", query="SELECT 1", conditions=["[BODY][0][0] == 1"]
    )
    assert result.ok, result.reason()
    monkeypatch.delenv("PROBE_DB")
    _obs, missing = _check(kind="sql", dsn_env="PROBE_DB")
    assert missing.reason() == "environment variable PROBE_DB is not set"


def test_sql_bad_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBE_DB", f"sqlite:///{tmp_path / 'x.db'}")
    _obs, result = _check(kind="sql", dsn_env="PROBE_DB", query="SELECT * FROM nowhere")
    assert not result.ok
    assert "nowhere" in (result.reason() or "")


def test_sql_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    url = os.environ.get("WARROOM_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("WARROOM_TEST_POSTGRES_URL is not set")
    monkeypatch.setenv("PROBE_PG", url)
    _obs, result = _check(kind="sql", dsn_env="PROBE_PG", conditions=["[BODY][0][0] == 1"])
    assert result.ok, result.reason()
    _obs, slow = _check(
        kind="sql", dsn_env="PROBE_PG", query="SELECT pg_sleep(3)", timeout="1s", interval="10s"
    )
    assert not slow.ok
    assert slow.reason()
