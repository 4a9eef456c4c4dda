"""`warroom update`, `warroom maintenance` and `warroom component` against a real server."""

from __future__ import annotations

import json

import httpx
from typer.testing import CliRunner, Result

from warroom.cli.main import app

runner = CliRunner()
ENV = {"COLUMNS": "200", "WARROOM_URL": None, "WARROOM_TOKEN": None}


def cli(url: str, token: str, *args: str) -> Result:
    return runner.invoke(app, [*args, "--url", url, "--token", token], env=ENV)


def _declare(url: str, token: str) -> str:
    result = cli(
        url, token, "incident", "declare", "API down", "-s", "P1", "--service", "api", "--json"
    )
    assert result.exit_code == 0, result.output
    ref: str = json.loads(result.stdout)["ref"]
    return ref


def test_public_update_dry_run_then_post(live_server: str, alice_token: str) -> None:
    ref = _declare(live_server, alice_token)
    dry = cli(
        live_server,
        alice_token,
        "update",
        "post",
        ref,
        "--public",
        "--template",
        "identified",
        "--dry-run",
    )
    assert dry.exit_code == 0, dry.output
    assert "Preview (not posted) - identified:" in dry.stdout
    assert "We have identified the issue affecting api: API down." in dry.stdout
    assert httpx.get(f"{live_server}/api/v2/incidents.json").json()["incidents"] == []

    posted = cli(
        live_server,
        alice_token,
        "update",
        "post",
        ref,
        "--public",
        "--template",
        "identified",
        "--body",
        "Edited: a bad deploy.",
        "--component",
        "api=partial_outage",
        "--json",
    )
    assert posted.exit_code == 0, posted.output
    assert json.loads(posted.stdout)["body"] == "Edited: a bad deploy."
    summary = httpx.get(f"{live_server}/api/v2/summary.json").json()
    assert summary["incidents"][0]["incident_updates"][0]["body"] == "Edited: a bad deploy."
    assert {c["name"]: c["status"] for c in summary["components"]}["API"] == "partial_outage"


def test_internal_update(live_server: str, alice_token: str) -> None:
    ref = _declare(live_server, alice_token)
    result = cli(
        live_server,
        alice_token,
        "update",
        "post",
        ref,
        "--internal",
        "--status",
        "investigating",
        "--current-state",
        "Errors at 40%",
        "--next-steps",
        "Check deploy",
        "--eta",
        "TBD",
        "--need",
        "Nothing",
    )
    assert result.exit_code == 0, result.output
    assert f"Internal update posted ({ref})" in result.stdout
    assert "**Current State**: Errors at 40%" in result.stdout


def test_refusals_and_usage_errors(live_server: str, alice_token: str) -> None:
    ref = _declare(live_server, alice_token)
    unknown = cli(live_server, alice_token, "component", "set", "nope", "major_outage")
    assert unknown.exit_code == 1
    assert "unknown component 'nope'" in unknown.stderr
    invalid = cli(live_server, alice_token, "component", "set", "api", "sideways")
    assert invalid.exit_code == 1
    assert "invalid component status 'sideways'" in invalid.stderr
    empty = cli(
        live_server,
        alice_token,
        "update",
        "post",
        ref,
        "--public",
        "--status",
        "identified",
        "--body",
        " ",
    )
    assert empty.exit_code == 1
    assert "body must not be empty" in empty.stderr
    neither = cli(live_server, alice_token, "update", "post", ref)
    assert neither.exit_code == 2
    assert "--public or --internal" in neither.stderr
    bad_component = cli(
        live_server,
        alice_token,
        "update",
        "post",
        ref,
        "--public",
        "--template",
        "identified",
        "--component",
        "api",
    )
    assert bad_component.exit_code == 2


def test_component_and_maintenance_commands(live_server: str, alice_token: str) -> None:
    result = cli(live_server, alice_token, "component", "set", "web", "degraded_performance")
    assert result.exit_code == 0, result.output
    assert "Website (web) is now degraded_performance" in result.stdout
    listed = cli(live_server, alice_token, "component", "list")
    assert listed.exit_code == 0
    assert "degraded_performance" in listed.stdout
    created = cli(
        live_server,
        alice_token,
        "maintenance",
        "create",
        "DB upgrade",
        "--start",
        "2026-11-02T22:00Z",
        "--end",
        "2026-11-02T23:00Z",
        "--component",
        "data",
        "--json",
    )
    assert created.exit_code == 0, created.output
    mid = json.loads(created.stdout)["id"]
    started = cli(live_server, alice_token, "maintenance", "start", mid)
    assert started.exit_code == 0
    assert "is now in_progress" in started.stdout
    done = cli(live_server, alice_token, "maintenance", "complete", mid, "--body", "Done.")
    assert done.exit_code == 0
    assert "is now completed" in done.stdout
    again = cli(live_server, alice_token, "maintenance", "complete", mid)
    assert again.exit_code == 1
    assert "cannot go from 'completed'" in again.stderr


def test_component_list_says_who_set_it_and_auto_hands_it_back(
    live_server: str, alice_token: str
) -> None:
    ref = _declare(live_server, alice_token)  # a P1 on api: automation would say partial_outage
    held = cli(live_server, alice_token, "component", "set", "api", "major_outage")
    assert held.exit_code == 0, held.output
    listed = cli(live_server, alice_token, "component", "list")
    assert listed.exit_code == 0, listed.output
    line = next(row for row in listed.stdout.splitlines() if " api " in row)
    assert "major_outage" in line
    assert "manual" in line
    assert f"set by @alice during {ref}" in line
    assert "partial_outage" in line  # the suggestion
    back = cli(live_server, alice_token, "component", "auto", "api")
    assert back.exit_code == 0, back.output
    assert "API (api) is automatic: partial_outage" in back.stdout
    assert f"{ref} (P1) is open on api" in back.stdout
    as_json = cli(live_server, alice_token, "component", "list", "--json")
    api = next(c for c in json.loads(as_json.stdout) if c["key"] == "api")
    assert (api["status"], api["automatic"]) == ("partial_outage", True)
