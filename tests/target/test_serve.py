"""`warroom target serve` as a user runs it, broken and mended with `warroom target fault`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from tests.support import free_port
from warroom.cli.main import app

CLI = [sys.executable, "-m", "warroom.cli.main", "target"]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_TARGET_")}
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    url = f"http://127.0.0.1:{port}"
    output = ""
    assert process.stdout is not None
    try:
        deadline = time.monotonic() + 20
        while "WARROOM_TARGET_TOKEN=" not in output and time.monotonic() < deadline:
            output += process.stdout.readline()
        token = output.split("WARROOM_TARGET_TOKEN=")[1].split()[0]
        assert f"admin token (generated): {token}" in output
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url, token
    finally:
        process.terminate()
        process.wait(timeout=10)


def _cli(*args: str, url: str, token: str) -> Result:
    # In-process: a second interpreter would spend seconds importing what this one has loaded.
    env = {"WARROOM_TARGET_URL": url, "WARROOM_TARGET_TOKEN": token}
    return CliRunner().invoke(app, ["target", *args], env=env)


def test_the_cli_takes_a_served_target_down_and_back(served: tuple[str, str]) -> None:
    url, token = served
    assert httpx.get(f"{url}/health").json()["status"] == "ok"
    switched = _cli("fault", "down", "--on", url=url, token=token)
    assert switched.exit_code == 0, switched.output
    assert "down is on" in switched.stdout
    assert httpx.get(f"{url}/health").status_code == 503
    assert httpx.get(f"{url}/api/pitches/trending").status_code == 503
    switched = _cli("fault", "down", "--off", url=url, token=token)
    assert switched.exit_code == 0, switched.output
    assert httpx.get(f"{url}/health").status_code == 200
    # The simulated users keep it busy, so the gauges have something to show.
    metrics = httpx.get(f"{url}/metrics").text
    assert "active_users" in metrics
    assert 'route="/api/pitches/trending"' in metrics
