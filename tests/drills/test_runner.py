"""The drill runner never leaves a fault on: not on an error, not on Ctrl-C, not on time-out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.drills.conftest import TARGET_TOKEN
from warroom.cli.client import ApiError, Unreachable
from warroom.cli.target import TargetClient
from warroom.drills.runner import DrillClient, DrillRunner
from warroom.drills.scenarios import BUILT_IN


class FakeWarroom:
    """warroom's drill API as a MockTransport; ``observe`` does what the test says."""

    def __init__(self, observe: Callable[[], httpx.Response]) -> None:
        self.observe = observe
        self.finished: list[dict[str, Any]] = []
        self.started: list[dict[str, Any]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/v1/drills":
            body = json.loads(request.content)
            self.started.append(body)
            scenario = BUILT_IN[body["scenario"]]
            return httpx.Response(
                201,
                json={
                    "drill": {"id": 1, "scenario": scenario.name, "status": "running"},
                    "scenario": {"fault_bodies": scenario.fault_bodies(body["duration"])},
                },
            )
        if path.endswith("/observe"):
            return self.observe()
        if path.endswith("/finish"):
            self.finished.append(json.loads(request.content))
            return httpx.Response(200, json={"id": 1, **self.finished[-1], "report": {}})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": path}})


def _runner(fake: FakeWarroom, target_url: str, scenario: str = "performance") -> DrillRunner:
    api = DrillClient("http://warroom.test", "wr_x", transport=httpx.MockTransport(fake.handle))
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    return DrillRunner(
        api,
        TargetClient(target_url, TARGET_TOKEN),
        scenario=scenario,
        duration="30s",
        duration_seconds=30,
        sleep=sleep,
        monotonic=lambda: now[0],
    )


def _faults_on(target_url: str) -> list[str]:
    client = TargetClient(target_url, TARGET_TOKEN)
    try:
        return [f["name"] for f in client.faults()["faults"] if f["on"]]
    finally:
        client.close()


def test_an_error_while_following_still_removes_every_fault(target_url: str) -> None:
    def fail() -> httpx.Response:
        assert _faults_on(target_url) == ["slow", "cache-stale"]  # both really went on
        return httpx.Response(500, json={"error": {"code": "boom", "message": "db gone"}})

    fake = FakeWarroom(fail)
    with pytest.raises(ApiError, match="db gone"):
        _runner(fake, target_url).run()
    assert _faults_on(target_url) == []
    assert fake.finished == [{"outcome": "error", "fault_removed": True}]


def test_ctrl_c_removes_the_fault_and_records_an_aborted_drill(target_url: str) -> None:
    def interrupt() -> httpx.Response:
        raise KeyboardInterrupt

    fake = FakeWarroom(interrupt)
    with pytest.raises(KeyboardInterrupt):
        _runner(fake, target_url, "outage").run()
    assert _faults_on(target_url) == []
    assert fake.finished == [{"outcome": "aborted", "fault_removed": True}]


def test_the_time_limit_ends_the_drill_with_the_fault_removed(target_url: str) -> None:
    fake = FakeWarroom(lambda: httpx.Response(200, json={"id": 1, "report": {"incident": None}}))
    final = _runner(fake, target_url, "outage").run()
    assert final["outcome"] == "timed-out"
    assert fake.started[0]["duration"] == "30s"
    assert _faults_on(target_url) == []


def test_an_unreachable_target_stops_before_anything_is_recorded() -> None:
    fake = FakeWarroom(lambda: httpx.Response(500))
    with pytest.raises(Unreachable, match="cannot reach the target"):
        _runner(fake, "http://127.0.0.1:9", "outage").run()
    assert fake.started == []
    assert fake.finished == []
