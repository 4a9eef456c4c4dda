"""`warroom serve --workers N`: a supervisor and N API processes on one port (SO_REUSEPORT)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import free_port

WARROOM = [sys.executable, "-m", "warroom.cli.main"]


def _children(pid: int) -> set[int]:
    """The supervisor's API workers (not multiprocessing's resource tracker)."""
    found: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found |= {int(child) for child in handle.read().split()}
    return {child for child in found if b"spawn_main" in _cmdline(child) and _alive(child)}


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return b""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_for(condition: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {
        **os.environ,
        "WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'warroom.db'}",
        "WARROOM_LOG_LEVEL": "warning",
    }
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [*WARROOM, "serve", "--port", str(port), "--workers", "2", "--api-only"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait_for(healthy, f"warroom serve --workers 2: {log}")
        _wait_for(lambda: len(_children(process.pid)) == 2, "two workers")
        yield process, url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(
    supervisor: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, url = supervisor
    first, second = sorted(_children(process.pid))
    os.kill(first, signal.SIGKILL)
    _wait_for(lambda: first not in _children(process.pid), "the dead worker to be reaped")
    _wait_for(lambda: len(_children(process.pid)) == 2, "a replacement worker")
    assert second in _children(process.pid)
    # Every connection is answered: none lands on a socket nobody accepts from.
    for _ in range(20):
        with httpx.Client(timeout=10) as client:
            assert client.get(f"{url}/health").status_code == 200


def test_sigterm_stops_the_supervisor_and_every_worker(
    supervisor: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, _url = supervisor
    workers = _children(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the workers to stop", 30)


def test_workers_die_with_a_supervisor_killed_by_sigkill(
    supervisor: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, _url = supervisor
    workers = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "orphaned workers to stop", 30)
