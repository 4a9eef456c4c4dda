"""/api/v1/drills: the per-target lock, bad input, finishing, and the CLI's clear errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.support import auth_header
from warroom.cli.main import app as cli
from warroom.clock import FrozenClock

TARGET = "http://127.0.0.1:8090"


def _start(client: TestClient, token: str, **body: Any) -> Any:
    payload = {"scenario": "outage", "target_url": TARGET, "duration": "10m", **body}
    return client.post("/api/v1/drills", json=payload, headers=auth_header(token))


def test_a_second_drill_on_the_same_target_is_refused_until_the_first_ends(
    client: TestClient, bob_token: str
) -> None:
    first = _start(client, bob_token)
    assert first.status_code == 201, first.text
    drill = first.json()["drill"]
    assert first.json()["scenario"]["fault_bodies"] == [
        {"fault": "down", "on": True, "duration": "10m"}
    ]
    second = _start(client, bob_token, scenario="database", target_url=TARGET + "/")
    assert second.status_code == 409
    assert f"drill {drill['id']} (outage) is already running" in second.json()["error"]["message"]
    other = _start(client, bob_token, target_url="http://127.0.0.1:9999")
    assert other.status_code == 201  # another target is free

    done = client.post(
        f"/api/v1/drills/{drill['id']}/finish",
        json={"outcome": "aborted", "fault_removed": True},
        headers=auth_header(bob_token),
    )
    assert done.status_code == 200
    assert done.json()["report"]["drill"]["outcome"] == "aborted"
    assert done.json()["report"]["incident"] is None
    again = client.post(
        f"/api/v1/drills/{drill['id']}/finish",
        json={"outcome": "aborted", "fault_removed": True},
        headers=auth_header(bob_token),
    )
    assert again.status_code == 409
    assert _start(client, bob_token).status_code == 201  # the lock was released


def test_an_abandoned_drill_stops_holding_its_target(
    client: TestClient, bob_token: str, clock: FrozenClock
) -> None:
    first = _start(client, bob_token, duration="1m").json()["drill"]
    clock.advance(timedelta(minutes=4))  # past the deadline and the grace after it
    assert _start(client, bob_token).status_code == 201
    old = client.get(f"/api/v1/drills/{first['id']}", headers=auth_header(bob_token)).json()
    assert old["outcome"] == "abandoned"
    assert old["status"] == "finished"
    listed = client.get("/api/v1/drills", headers=auth_header(bob_token)).json()
    assert [d["id"] for d in listed] == [first["id"] + 1, first["id"]]


def test_bad_input_is_refused_and_stores_nothing(client: TestClient, bob_token: str) -> None:
    cases = [
        ({"scenario": "meteor"}, "scenario"),
        ({"duration": "soon"}, "duration"),
        ({"duration": "5s"}, "duration"),
        ({"severity": "P9"}, "severity"),
        ({"target_url": "ftp://x"}, "target_url"),
    ]
    for body, field in cases:
        answer = _start(client, bob_token, **body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["details"].get("field") == field, answer.text
    assert client.get("/api/v1/drills", headers=auth_header(bob_token)).json() == []
    viewer = client.get("/api/v1/drills/scenarios", headers=auth_header(bob_token)).json()
    assert [s["name"] for s in viewer] == [
        "outage",
        "database",
        "error-rate",
        "performance",
        "bad-deploy",
    ]


def test_drill_run_errors_are_clear(live_server: str, bob_token: str, target_url: str) -> None:
    runner = CliRunner()
    env = {"WARROOM_URL": live_server, "WARROOM_TOKEN": bob_token}
    unknown = runner.invoke(
        cli,
        ["drill", "run", "meteor", "--target", target_url, "--target-token", "wt_drill_test_token"],
        env=env,
    )
    assert unknown.exit_code == 1
    assert 'unknown drill scenario "meteor"' in unknown.output
    no_target = runner.invoke(
        cli,
        ["drill", "run", "outage", "--target", "http://127.0.0.1:9", "--target-token", "x"],
        env=env,
    )
    assert no_target.exit_code == 2
    assert "cannot reach the target at http://127.0.0.1:9" in no_target.output
    no_token = runner.invoke(cli, ["drill", "run", "outage"], env=env)
    assert no_token.exit_code == 2
    assert "no target token" in no_token.output
