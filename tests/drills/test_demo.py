"""`warroom demo`: the target, warroom and the inbox start together on loopback and stop cleanly."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.support import auth_header, free_port
from warroom.cli.main import app as cli
from warroom.demo import launcher


def test_the_demo_starts_monitors_the_target_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(launcher.TARGET_TOKEN_ENV, "restored-after-the-test")
    port, target_port = free_port(), free_port()
    demo = launcher.start(
        port=port,
        target_port=target_port,
        database_url=f"sqlite:///{tmp_path / 'demo.db'}",
        traffic=False,
    )
    try:
        assert httpx.get(f"{demo.target_url}/health").status_code == 200
        assert httpx.get(f"{demo.warroom_url}/status").status_code == 200
        admin = auth_header(demo.admin_token)
        monitors = httpx.get(f"{demo.warroom_url}/api/v1/monitors", headers=admin).json()
        names = sorted(m["name"] for m in monitors["items"])
        assert names == [
            "target-db",
            "target-error-rate",
            "target-health",
            "target-response-time",
            "target-websocket",
        ]
        scenarios = httpx.get(f"{demo.warroom_url}/api/v1/drills/scenarios", headers=admin).json()
        assert "bad-deploy" in [s["name"] for s in scenarios]
        assert set(demo.responder_tokens) == {"alice", "bob"}
    finally:
        demo.stop()
    for used in (port, target_port):  # both ports are free again
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", used))


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["demo", "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.output
