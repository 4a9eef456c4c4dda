"""The intake POSTs are answered before FastAPI's stack: same answers, same metrics, and
anything that is not an intake path still goes through the framework."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response

from tests.intake.conftest import make_integration
from warroom.api import intake_fastpath
from warroom.clock import FrozenClock
from warroom.playbook import Playbook


def _generic(key: str) -> str:
    return f"/api/v1/intake/generic/{key}"


ALERT: dict[str, Any] = {
    "summary": "Disk full",
    "source": "db-1",
    "severity": "warning",
    "dedup_key": "disk-db-1",
}


def test_match_only_takes_intake_paths() -> None:
    assert intake_fastpath.match("/v2/enqueue") is not None
    found = intake_fastpath.match("/api/v1/intake/alertmanager/abc")
    assert found is not None
    assert found[1:] == ("/api/v1/intake/alertmanager/{key}", {"key": "abc"})
    for path in (
        "/v2/enqueue/",
        "/api/v1/intake/nagios/abc",
        "/api/v1/intake/generic/",
        "/api/v1/intake/generic/a/b",
        "/api/v1/alerts",
    ):
        assert intake_fastpath.match(path) is None, path


def test_other_paths_still_get_the_framework_s_answers(client: TestClient) -> None:
    unknown = client.post("/api/v1/intake/nagios/some-key", json=ALERT)
    assert unknown.status_code == 404
    assert client.post("/api/v1/intake/generic/a/b", json=ALERT).status_code == 404


def test_intake_requests_are_timed_by_route_template(
    client: TestClient, engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    _id, key = make_integration(engine, playbook, clock, "generic")
    assert client.post(_generic(key), json=ALERT).status_code == 202
    assert client.post(_generic("not-a-key"), json=ALERT).status_code == 404
    metrics = client.get("/metrics").text
    route = 'route="/api/v1/intake/generic/{key}"'
    assert f'method="POST",{route},status="2xx"' in metrics
    assert f'method="POST",{route},status="4xx"' in metrics
    assert key not in metrics  # the key is a secret: never a label


def test_an_unexpected_error_is_a_json_500(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_request: Request) -> Response:
        raise RuntimeError("boom")

    monkeypatch.setitem(intake_fastpath._BY_KIND, "generic", broken)
    answer = client.post(_generic("anything"), json=ALERT)
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal"
    assert "boom" not in answer.text
