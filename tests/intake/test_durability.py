"""Nothing acknowledged is lost: SIGKILL `warroom serve` (one process, or a supervisor and two
workers writing the same SQLite file) under load, restart, count."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.support import free_port
from warroom import migrate
from warroom.alerts.models import Alert
from warroom.clock import SystemClock
from warroom.db import make_engine, make_sessionmaker
from warroom.integrations import service as integrations
from warroom.playbook import default_playbook

WARROOM = [sys.executable, "-m", "warroom.cli.main"]


def _serve(url: str, port: int, log: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WARROOM_DATABASE_URL": url, "WARROOM_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [*WARROOM, "serve", "--port", str(port), "--api-only", "--workers", str(workers)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL reaches every worker
    )
    deadline = time.monotonic() + 60  # a loaded CI machine imports slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError(f"warroom serve did not start: {log.read_text()}")


@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_under_load_loses_no_acknowledged_alert(tmp_path: Path, workers: int) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with make_sessionmaker(engine)() as session:
        _row, key = integrations.create(
            session,
            playbook=default_playbook(),
            now=SystemClock().now(),
            service="api",
            kind="pagerduty",
            rate_limit=1_000_000,
        )
        session.commit()
    port = free_port()
    server = _serve(url, port, tmp_path / "serve.log", workers)
    acknowledged: list[str] = []
    stop = threading.Event()

    def load(worker: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            n = 0
            while not stop.is_set():
                n += 1
                dedup = f"w{worker}-{n}"
                event = {
                    "routing_key": key,
                    "event_action": "trigger",
                    "dedup_key": dedup,
                    "payload": {"summary": f"load {dedup}", "source": "t", "severity": "warning"},
                }
                try:
                    answer = client.post("/v2/enqueue", json=event)
                except httpx.HTTPError:
                    return  # the server is gone
                if answer.status_code == 202:
                    acknowledged.append(dedup)

    workers = [threading.Thread(target=load, args=(i,)) for i in range(16)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 10
    while len(acknowledged) < 300 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(server.pid, signal.SIGKILL)  # in the middle of the load, every process at once
    server.wait(timeout=10)
    stop.set()
    for worker in workers:
        worker.join(timeout=10)
    assert len(acknowledged) >= 300, (tmp_path / "serve.log").read_text()

    restarted = _serve(url, free_port(), tmp_path / "restart.log")
    try:
        with make_sessionmaker(engine)() as session:
            stored = set(session.scalars(select(Alert.dedup_key)))
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
        engine.dispose()
    lost = [dedup for dedup in acknowledged if dedup not in stored]
    assert lost == [], f"{len(lost)} of {len(acknowledged)} acknowledged alerts were lost"
