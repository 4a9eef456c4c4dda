"""`warroom check ...` against real targets, and `warroom monitor ...` against a live server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.monitors.conftest import Target
from tests.support import auth_header, free_port
from warroom.cli.main import app

runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_check_http_timings(target: Target) -> None:
    code, out = _run("check", "http", f"{target.url}/health", "-e", "[STATUS] == 200", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["ok"] is True
    assert set(report["data"]["timings"]) == {"dns", "connect", "tls", "first_byte", "total"}
    assert report["data"]["timings"]["connect"] is not None
    assert report["data"]["timings"]["tls"] is None  # plain http
    code, out = _run("check", "http", f"{target.url}/health")
    assert code == 0
    assert "first byte" in out


def test_check_http_tls_timing(tls_target: Target) -> None:
    code, out = _run("check", "http", tls_target.url, "-k", "--json")
    assert code == 0, out
    assert json.loads(out)["data"]["timings"]["tls"] is not None


def test_check_http_failures(target: Target) -> None:
    target.mode = "error"
    code, out = _run("check", "http", target.url)
    assert code == 1
    assert "FAIL" in out
    code, out = _run("check", "http", f"http://127.0.0.1:{free_port()}/", "--json")
    assert code == 1
    assert json.loads(out)["summary"] == "connection refused"
    code, _out = _run("check", "http", target.url, "--expect", "[STATUS] == fast")
    assert code == 2


def test_check_metrics_grep(target: Target) -> None:
    code, out = _run(
        "check",
        "metrics",
        f"{target.url}/metrics",
        "--match",
        "error",
        "-e",
        "error_rate < 0.05",
        "--json",
    )
    assert code == 0, out
    report = json.loads(out)
    assert report["data"]["matches"] == ["error_rate 0.01"]


def test_check_ws(ws_echo: str) -> None:
    code, out = _run("check", "ws", ws_echo, "--send", "hi", "-e", '[REPLY] == "echo:hi"')
    assert code == 0, out
    assert "echo:hi" in out


def test_check_sql(tmp_path: Path) -> None:
    env = {"CHECK_DB": f"sqlite:///{tmp_path / 'c.db'}"}
    code, out = _run(
        "check", "sql", "--dsn-env", "CHECK_DB", "-q", "SELECT 41 + 1", "--json", env=env
    )
    assert code == 0, out
    assert json.loads(out)["data"]["rows"] == [[42]]
    code, out = _run(
        "check", "sql", "--dsn-env", "CHECK_DB", "-q", "SELECT nope FROM nothing", env=env
    )
    assert code == 1
    code, _out = _run("check", "sql", "--dsn-env", "NOT_SET_ANYWHERE")
    assert code == 2


def test_check_load(target: Target) -> None:
    code, out = _run("check", "load", f"{target.url}/health", "-n", "40", "-c", "5", "--json")
    assert code == 0, out
    data = json.loads(out)["data"]
    assert data["statuses"] == {"200": 40}
    assert data["failed"] == 0
    assert data["latency_ms"]["p99"] >= data["latency_ms"]["p50"] > 0
    target.mode = "error"
    code, out = _run("check", "load", target.url, "-n", "10", "-c", "2", "--json")
    assert code == 1
    assert json.loads(out)["data"]["errors"] == {"HTTP 500": 10}


def test_check_attached_to_incident(live_server: str, alice_token: str, target: Target) -> None:
    declared = httpx.post(
        f"{live_server}/api/v1/incidents",
        json={"title": "API down", "severity": "P1", "service": "api"},
        headers=auth_header(alice_token),
    ).json()
    ref = declared["ref"]
    env = {"WARROOM_URL": live_server, "WARROOM_TOKEN": alice_token}
    code, out = _run("check", "http", f"{target.url}/health", "--incident", ref, env=env)
    assert code == 0, out
    assert f"Attached to {ref}" in out
    timeline = httpx.get(
        f"{live_server}/api/v1/incidents/{ref}/timeline", headers=auth_header(alice_token)
    ).json()
    checks = [e for e in timeline["events"] if e["kind"] == "check"]
    assert len(checks) == 1
    assert checks[0]["data"]["check"] == "http"
    code, out = _run("check", "http", target.url, "--incident", "INC-999", env=env)
    assert code == 1
    assert "error:" in out


def test_monitor_commands(
    live_server: str, admin_token: str, alice_token: str, target: Target
) -> None:
    body = {"name": "web", "kind": "http", "url": f"{target.url}/health", "service": "api"}
    created = httpx.post(
        f"{live_server}/api/v1/monitors", json=body, headers=auth_header(admin_token)
    )
    assert created.status_code == 201, created.text
    env = {"WARROOM_URL": live_server, "WARROOM_TOKEN": alice_token}
    code, out = _run("monitor", "run", "web", env=env)
    assert code == 0, out
    assert "passed" in out
    code, out = _run("monitor", "list", env=env)
    assert code == 0
    assert "web" in out
    assert "up" in out
    code, out = _run("monitor", "show", "web", "--json", env=env)
    assert code == 0
    assert json.loads(out)["state"] == "up"
    target.mode = "error"
    code, out = _run("monitor", "run", "web", env=env)
    assert code == 1
    assert "actual: 500" in out
    code, _out = _run("monitor", "show", "nope", env=env)
    assert code == 1


@pytest.mark.parametrize("command", [["monitor", "list"], ["monitor", "show", "x"]])
def test_monitor_commands_need_a_token(command: list[str]) -> None:
    code, _out = _run(*command, env={"WARROOM_TOKEN": ""})
    assert code == 2
