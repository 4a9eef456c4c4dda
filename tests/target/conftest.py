"""The practice target in-process: a fresh app per test, driven through Starlette's TestClient."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support import free_port
from warroom.clock import FrozenClock
from warroom.target.app import create_target_app
from warroom.target.state import Target

TOKEN = "wt_test-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def target_app(clock: FrozenClock) -> Starlette:
    return create_target_app(token=TOKEN, clock=clock)


@pytest.fixture
def target(target_app: Starlette) -> Target:
    state: Target = target_app.state.target
    return state


@pytest.fixture
def tc(target_app: Starlette) -> Iterator[TestClient]:
    with TestClient(target_app) as client:
        yield client


@pytest.fixture
def target_url(target_app: Starlette) -> Iterator[str]:
    """The target served by a real uvicorn on loopback (in a thread); yields its base URL."""
    port = free_port()
    config = uvicorn.Config(target_app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def switch(tc: TestClient, fault: str, on: bool = True, **settings: Any) -> dict[str, Any]:
    """Flip a fault through POST /__faults, insisting that it worked."""
    response = tc.post("/__faults", json={"fault": fault, "on": on, **settings}, headers=ADMIN)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def gauges(tc: TestClient) -> dict[str, float]:
    """Scrape /metrics and return every unlabelled sample by name."""
    response = tc.get("/metrics")
    assert response.status_code == 200
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if not sample.labels
    }
