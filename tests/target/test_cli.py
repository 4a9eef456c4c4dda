"""`warroom target fault` and `status` against a target on loopback, and their refusals."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.support import free_port
from tests.target.conftest import TOKEN
from warroom.cli.main import app
from warroom.target.state import Target

runner = CliRunner()


def _run(*args: str, token: str | None = TOKEN) -> tuple[int, str, str]:
    env = {"WARROOM_TARGET_TOKEN": token} if token else {}
    result = runner.invoke(app, ["target", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_fault_on_and_off(target_url: str, target: Target) -> None:
    code, out, _ = _run(
        "fault", "error-rate", "--on", "--rate", "0.4", "--duration", "10m", "--url", target_url
    )
    assert code == 0, out
    assert "error-rate is on until 09:10:00Z" in out
    fault = target.faults.get("error-rate")
    assert fault is not None
    assert fault.rate == 0.4
    code, out, _ = _run("fault", "error-rate", "--off", "--url", target_url)
    assert (code, out.strip()) == (0, "error-rate is off")
    assert not target.faults.is_on("error-rate")


def test_fault_json_is_the_targets_answer(target_url: str) -> None:
    code, out, _ = _run("fault", "slow", "--on", "--latency", "5ms", "--json", "--url", target_url)
    assert code == 0
    assert json.loads(out)["latency_ms"] == 5


def test_status_shows_health_and_faults(target_url: str, target: Target) -> None:
    target.faults.switch_on("db-errors")
    code, out, _ = _run("status", "--url", target_url)
    assert code == 0
    assert "health: degraded (HTTP 200)" in out
    assert "database: error" in out
    assert "db-errors     on" in out
    target.faults.switch_on("down")
    code, out, _ = _run("status", "--json", "--url", target_url)
    data = json.loads(out)
    assert data["health_status"] == 503
    assert [f["name"] for f in data["faults"]["faults"] if f["on"]] == ["down", "db-errors"]


def test_status_without_a_token_shows_health_only(target_url: str) -> None:
    code, out, _ = _run("status", "--url", target_url, token=None)
    assert code == 0
    assert "health: ok" in out
    assert "to see the faults" in out


def test_a_wrong_token_is_refused_with_exit_1(target_url: str, target: Target) -> None:
    code, _, err = _run("fault", "down", "--on", "--url", target_url, token="wrong")
    assert code == 1
    assert "error: that token is not the target's admin token" in err
    assert not target.faults.is_on("down")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["fault", "meteor", "--on"], "unknown fault 'meteor'; known faults: down"),
        (["fault", "down"], "say --on or --off"),
        (["fault", "down", "--on", "--duration", "soon"], 'duration like "15m"'),
        (["fault", "error-rate", "--on", "--rate", "2"], "at most 1"),
        (["fault", "slow", "--on", "--latency", "slowly"], "latency like"),
        (["fault", "down", "--on", "--rate", "0.5"], "down takes no --rate"),
        (["fault", "down", "--off", "--duration", "1m"], "--duration only applies with --on"),
    ],
)
def test_usage_errors_exit_2_before_calling_the_target(args: list[str], words: str) -> None:
    code, _, err = _run(*args, "--url", f"http://127.0.0.1:{free_port()}")
    assert code == 2
    assert words in " ".join(err.replace("│", " ").split())


def test_no_token_exits_2() -> None:
    code, _, err = _run("fault", "down", "--on", token=None)
    assert code == 2
    assert "no target token; pass --token or set WARROOM_TARGET_TOKEN" in err


def test_an_unreachable_target_exits_2() -> None:
    code, _, err = _run("fault", "down", "--on", "--url", f"http://127.0.0.1:{free_port()}")
    assert code == 2
    assert "cannot reach the target at" in err
    assert "connection refused — is `warroom target serve` running?" in err
