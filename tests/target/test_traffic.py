"""Simulated users: their requests go through the whole app, so faults show in the gauges."""

from __future__ import annotations

import asyncio
import time

from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.target.conftest import TOKEN, gauges, switch
from warroom.clock import FrozenClock
from warroom.target.app import create_target_app
from warroom.target.traffic import Traffic


def test_a_tick_makes_requests_as_distinct_users(target_app: Starlette, tc: TestClient) -> None:
    traffic = Traffic(target_app, users=3, per_tick=(4, 4), seed=1)
    codes = asyncio.run(traffic.tick())
    assert codes == [200, 200, 200, 200]
    assert gauges(tc)["active_users"] == 3


def test_traffic_makes_the_error_rate_visible_with_no_other_client(
    target_app: Starlette, tc: TestClient
) -> None:
    switch(tc, "error-rate", rate=0.5)
    traffic = Traffic(target_app, per_tick=(10, 10), seed=1)
    codes = asyncio.run(traffic.tick())
    assert codes.count(500) == 5
    assert gauges(tc)["error_rate"] == 0.5


def test_the_served_app_runs_traffic_for_its_lifetime(clock: FrozenClock) -> None:
    app = create_target_app(token=TOKEN, clock=clock, traffic=True)
    with TestClient(app) as tc:
        deadline = time.monotonic() + 5
        while gauges(tc)["active_users"] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gauges(tc)["active_users"] > 0
