"""`warroom incident ...` against the real API served by uvicorn on loopback."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from typer.testing import CliRunner, Result

from warroom.cli.main import app
from warroom.clock import FrozenClock

runner = CliRunner()
# A wide terminal, so Rich does not wrap the values the tests look for.
ENV = {"COLUMNS": "200", "WARROOM_URL": None, "WARROOM_TOKEN": None}


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli(url: str, token: str, *args: str) -> Result:
    return runner.invoke(app, ["incident", *args, "--url", url, "--token", token], env=ENV)


def declare(url: str, token: str, *args: str) -> dict[str, object]:
    """Declare through the CLI and return the incident the API answered with."""
    result = cli(url, token, "declare", *args, "--json")
    assert result.exit_code == 0, result.output
    incident: dict[str, object] = json.loads(result.stdout)
    return incident


P0 = ("Checkout is down", "-s", "P0", "--service", "api", "--impact", "Nobody can pay")


# -- declaring and reading ------------------------------------------------------------------


def test_declare_a_p0_then_list_and_show_it(live_server: str, alice_token: str) -> None:
    result = cli(live_server, alice_token, "declare", *P0, "--impact-started", "2026-11-02T08:50Z")
    assert result.exit_code == 0, result.output
    assert "Declared incident INC-1 (declared)" in result.stdout
    assert "INCIDENT DECLARED - P0" in result.stdout

    listed = cli(live_server, alice_token, "list")
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.stdout.splitlines() if "INC-1" in line)
    for value in ("P0", "declared", "incident", "api", "Checkout is down", "@alice"):
        assert value in row
    assert "due 2026-11-02" in row
    assert "1-1 of 1" in listed.stdout

    shown = cli(live_server, alice_token, "show", "INC-1")
    assert shown.exit_code == 0, shown.output
    out = shown.stdout
    assert "#incident-20261102-checkout-is-down" in out
    assert "INCIDENT DECLARED - P0" in out
    assert "Nobody can pay" in out
    assert "2026-11-02 08:50:00Z" in out  # impact started
    assert "Incident Commander" in out
    assert "@alice" in out
    assert "Next states" in out
    assert "investigating" in out


def test_a_p3_becomes_a_ticket_without_war_room(live_server: str, alice_token: str) -> None:
    result = cli(
        live_server, alice_token, "declare", "Typo on pricing page", "-s", "P3", "--service", "web"
    )
    assert result.exit_code == 0, result.output
    assert "Opened ticket INC-1 (triaged)" in result.stdout
    shown = cli(live_server, alice_token, "show", "1")
    assert shown.exit_code == 0
    assert "ticket" in shown.stdout
    assert "War room" not in shown.stdout
    assert "INCIDENT DECLARED" not in shown.stdout

    tickets = cli(live_server, alice_token, "list", "--kind", "ticket")
    assert "Typo on pricing page" in tickets.stdout
    incidents = cli(live_server, alice_token, "list", "--kind", "incident")
    assert incidents.exit_code == 0
    assert "No incidents match." in incidents.stdout


def test_list_filters_and_pages(live_server: str, alice_token: str) -> None:
    declare(live_server, alice_token, *P0)
    declare(live_server, alice_token, "Slow search", "-s", "P2", "--service", "web")
    declare(live_server, alice_token, "Cache misses", "-s", "P3", "--service", "cache")
    cli(live_server, alice_token, "transition", "INC-3", "investigating")
    cli(live_server, alice_token, "transition", "INC-3", "resolved")

    def refs(*args: str) -> list[object]:
        result = cli(live_server, alice_token, "list", *args, "--json")
        assert result.exit_code == 0, result.output
        return [item["ref"] for item in json.loads(result.stdout)["items"]]

    assert refs() == ["INC-3", "INC-2", "INC-1"]
    assert refs("--open") == ["INC-2", "INC-1"]
    assert refs("--severity", "P0", "--severity", "P2") == ["INC-2", "INC-1"]
    assert refs("--service", "web,cache") == ["INC-3", "INC-2"]
    assert refs("--status", "resolved") == ["INC-3"]
    assert refs("--limit", "1", "--offset", "1") == ["INC-2"]
    paged = cli(live_server, alice_token, "list", "--limit", "1", "--offset", "1")
    assert "2-2 of 3" in paged.stdout


def test_show_an_unknown_incident(live_server: str, alice_token: str) -> None:
    result = cli(live_server, alice_token, "show", "INC-999")
    assert result.exit_code == 1
    assert "error: no incident INC-999" in result.stderr


# -- the lifecycle --------------------------------------------------------------------------


def test_full_lifecycle_walk(live_server: str, alice_token: str, clock: FrozenClock) -> None:
    declare(live_server, alice_token, *P0)
    acked = cli(live_server, alice_token, "ack", "INC-1")
    assert acked.exit_code == 0, acked.output
    assert "INC-1 acknowledged by @alice at 2026-11-02 09:00:00Z" in acked.stdout

    walk = ["investigating", "identified", "fixing", "verifying", "monitoring", "resolved"]
    for state in [*walk, "closed"]:
        clock.advance(timedelta(minutes=5))
        # Closing with the closure checklist open needs the IC's override (issue 7).
        extra = ["--override-reason", "checklist reviewed"] if state == "closed" else []
        result = cli(
            live_server, alice_token, "transition", "INC-1", state, "--note", f"to {state}", *extra
        )
        assert result.exit_code == 0, result.output
        assert f"INC-1 is now {state}" in result.stdout
    assert "next: none (final state)" in result.stdout

    final = json.loads(cli(live_server, alice_token, "show", "INC-1", "--json").stdout)
    assert final["status"] == "closed"
    assert final["allowed_transitions"] == []
    assert final["acknowledged_at"].startswith("2026-11-02T09:00:00")
    assert final["mitigated_at"].startswith("2026-11-02T09:25:00")
    assert final["resolved_at"].startswith("2026-11-02T09:30:00")
    assert final["closed_at"].startswith("2026-11-02T09:35:00")


def test_an_illegal_transition_lists_the_allowed_states(live_server: str, alice_token: str) -> None:
    declare(live_server, alice_token, *P0)
    result = cli(live_server, alice_token, "transition", "INC-1", "closed")
    assert result.exit_code == 1
    err = result.stderr
    assert err.startswith("error: INC-1 cannot go from 'declared' to 'closed'")
    assert "current:   declared" in err
    assert "requested: closed" in err
    assert "allowed:   investigating" in err
    assert result.stdout == ""


def test_a_declared_incident_needs_a_commander_to_move(live_server: str, admin_token: str) -> None:
    declare(live_server, admin_token, *P0)  # an admin token has no person: no IC yet
    refused = cli(live_server, admin_token, "transition", "INC-1", "investigating")
    assert refused.exit_code == 1
    assert "needs an Incident Commander" in refused.stderr
    assert cli(live_server, admin_token, "assign", "INC-1", "ic", "bob").exit_code == 0
    moved = cli(live_server, admin_token, "transition", "INC-1", "investigating")
    assert moved.exit_code == 0, moved.output


# -- roles ----------------------------------------------------------------------------------


def test_assign_hand_over_and_roles_history(
    live_server: str, alice_token: str, bob_token: str, clock: FrozenClock
) -> None:
    declare(live_server, alice_token, *P0)
    clock.advance(timedelta(minutes=3))
    handed = cli(live_server, alice_token, "assign", "INC-1", "ic", "bob")
    assert handed.exit_code == 0, handed.output
    assert "@bob (" in handed.stdout
    assert "is Incident Commander of INC-1" in handed.stdout
    lead = cli(live_server, bob_token, "assign", "INC-1", "tl", "alice")
    assert lead.exit_code == 0, lead.output

    roles = cli(live_server, alice_token, "roles", "INC-1")
    assert roles.exit_code == 0, roles.output
    out = roles.stdout
    assert "Incident Commander" in out
    assert "Technical Lead" in out
    history = out[out.index("History") :]
    assert "incident_commander" in history
    assert "technical_lead" in history
    alice_ic = next(
        line for line in history.splitlines() if "@alice" in line and "commander" in line
    )
    assert "2026-11-02 09:03:00Z" in alice_ic  # relieved at the handover
    assert alice_ic.rstrip().endswith("@alice")  # relieved by

    data = json.loads(cli(live_server, alice_token, "roles", "INC-1", "--json").stdout)
    assert data["current"]["incident_commander"]["person"] == "bob"
    assert data["current"]["technical_lead"]["person"] == "alice"
    assert [row["person"] for row in data["history"]] == ["alice", "bob", "alice"]

    dropped = cli(live_server, alice_token, "unassign", "INC-1", "tl")
    assert dropped.exit_code == 0, dropped.output
    assert "tl of INC-1 is no longer held" in dropped.stdout
    cli(live_server, bob_token, "transition", "INC-1", "investigating")
    kept = cli(live_server, alice_token, "unassign", "INC-1", "ic")
    assert kept.exit_code == 1
    assert "must keep an Incident Commander" in kept.stderr


def test_assign_an_unknown_person_or_role(live_server: str, alice_token: str) -> None:
    declare(live_server, alice_token, *P0)
    person = cli(live_server, alice_token, "assign", "INC-1", "ic", "mallory")
    assert person.exit_code == 1
    assert "unknown person 'mallory'" in person.stderr
    role = cli(live_server, alice_token, "assign", "INC-1", "janitor", "bob")
    assert role.exit_code == 1
    assert "unknown role 'janitor'" in role.stderr


# -- timeline -------------------------------------------------------------------------------


def test_note_then_timeline(live_server: str, alice_token: str, clock: FrozenClock) -> None:
    declare(live_server, alice_token, *P0)
    clock.advance(timedelta(minutes=10))
    added = cli(
        live_server, alice_token, "note", "INC-1", "Roll back deploy 42", "--kind", "decision"
    )
    assert added.exit_code == 0, added.output
    assert "Added decision to INC-1 at 2026-11-02 09:10:00Z" in added.stdout
    backdated = cli(
        live_server,
        alice_token,
        "note",
        "INC-1",
        "Error rate spiked",
        "--at",
        "2026-11-02T10:55+02:00",
    )
    assert backdated.exit_code == 0, backdated.output

    markdown = cli(live_server, alice_token, "timeline", "INC-1", "--markdown")
    assert markdown.exit_code == 0, markdown.output
    text = markdown.stdout
    assert text.startswith("## Timeline — INC-1: Checkout is down\n")
    assert "| Time (UTC) | Who | What | Details |" in text
    assert "| 2026-11-02 09:10:00 | @alice | decision | Roll back deploy 42 |" in text
    assert "| 2026-11-02 08:55:00 | @alice | note | Error rate spiked |" in text
    assert text.index("Error rate spiked") < text.index("Roll back deploy 42")

    table = cli(live_server, alice_token, "timeline", "INC-1")
    assert table.exit_code == 0, table.output
    assert "Roll back deploy 42" in table.stdout
    assert "(written 2026-11-02 09:10:00Z)" in table.stdout  # the backdated one


def test_timeline_markdown_and_json_together_is_a_usage_error(
    live_server: str, alice_token: str
) -> None:
    result = cli(live_server, alice_token, "timeline", "INC-1", "--markdown", "--json")
    assert result.exit_code == 2


# -- editing --------------------------------------------------------------------------------


def test_edit_fields(live_server: str, alice_token: str) -> None:
    declare(live_server, alice_token, *P0)
    result = cli(
        live_server,
        alice_token,
        "edit",
        "INC-1",
        "--title",
        "Checkout is slow",
        "--severity",
        "P1",
        "--detected",
        "2026-11-02T08:58Z",
        "--json",
    )
    assert result.exit_code == 0, result.output
    incident = json.loads(result.stdout)
    assert incident["title"] == "Checkout is slow"
    assert incident["severity"] == "P1"
    assert incident["detected_at"].startswith("2026-11-02T08:58:00")
    nothing = cli(live_server, alice_token, "edit", "INC-1")
    assert nothing.exit_code == 2
    assert "nothing to change" in nothing.output


# -- JSON -----------------------------------------------------------------------------------


def test_json_output_is_the_api_json(live_server: str, alice_token: str) -> None:
    incident = declare(live_server, alice_token, *P0)
    assert incident["ref"] == "INC-1"
    assert incident["kind"] == "incident"
    assert isinstance(incident["war_room"], dict)
    assert incident["war_room"]["channel"] == "#incident-20261102-checkout-is-down"
    for args in (
        ["list"],
        ["show", "INC-1"],
        ["ack", "INC-1"],
        ["transition", "INC-1", "investigating"],
        ["assign", "INC-1", "scribe", "bob"],
        ["roles", "INC-1"],
        ["note", "INC-1", "Looking at the load balancer"],
        ["timeline", "INC-1"],
        ["unassign", "INC-1", "scribe"],
    ):
        result = cli(live_server, alice_token, *args, "--json")
        assert result.exit_code == 0, (args, result.output)
        assert isinstance(json.loads(result.stdout), dict), args
    page = json.loads(cli(live_server, alice_token, "list", "--json").stdout)
    assert page["total"] == 1
    assert page["items"][0]["status"] == "investigating"


# -- refusals and usage errors --------------------------------------------------------------


def test_a_viewer_cannot_declare(live_server: str, viewer_token: str) -> None:
    result = cli(live_server, viewer_token, "declare", *P0)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "needs the responder role" in result.stderr
    assert "viewer" in result.stderr
    listed = cli(live_server, viewer_token, "list")  # but may read
    assert listed.exit_code == 0, listed.output


def test_an_unknown_token_is_refused(live_server: str) -> None:
    result = cli(live_server, "wr_not-a-real-token", "list")
    assert result.exit_code == 1
    assert "error: invalid token (check --token or WARROOM_TOKEN)" in result.stderr


def test_a_missing_token_is_a_usage_error() -> None:
    result = runner.invoke(app, ["incident", "list"], env=ENV)
    assert result.exit_code == 2
    assert "error: no API token" in result.stderr
    assert "WARROOM_TOKEN" in result.stderr


def test_url_and_token_from_the_environment(live_server: str, alice_token: str) -> None:
    env = {**ENV, "WARROOM_URL": live_server, "WARROOM_TOKEN": alice_token}
    result = runner.invoke(app, ["incident", "declare", *P0], env=env)
    assert result.exit_code == 0, result.output
    assert "INC-1" in result.stdout


def test_an_unreachable_server() -> None:
    url = f"http://127.0.0.1:{unused_port()}"  # nothing listens there
    result = runner.invoke(app, ["incident", "list", "--url", url, "--token", "wr_x"], env=ENV)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: cannot reach warroom at {url}: connection refused — is `warroom serve` running?\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-s", "P9", "--service", "api"), "unknown severity 'P9'; expected one of P0, P1, P2, P3"),
        (("-s", "P1", "--service", "mainframe"), "unknown service 'mainframe'"),
        (
            (
                "-s",
                "P1",
                "--service",
                "api",
                "--status",
                "triaged",
                "--detected",
                "2027-01-01T00:00Z",
            ),
            "detected_at cannot be in the future",
        ),
    ],
)
def test_the_server_refuses_bad_values(
    live_server: str, alice_token: str, args: tuple[str, ...], message: str
) -> None:
    result = cli(live_server, alice_token, "declare", "Something broke", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr


@pytest.mark.parametrize("option", ["--impact-started", "--detected"])
def test_a_naive_time_is_a_usage_error(option: str) -> None:
    result = runner.invoke(
        app,
        ["incident", "declare", "x", "-s", "P1", "--service", "api", option, "2026-11-02T08:50"],
        env=ENV,
    )
    assert result.exit_code == 2
    assert "has no time zone; add Z for UTC or an offset" in " ".join(result.output.split())


def test_a_time_that_is_not_a_time_is_a_usage_error() -> None:
    result = runner.invoke(
        app, ["incident", "note", "INC-1", "text", "--at", "yesterday", "--token", "t"], env=ENV
    )
    assert result.exit_code == 2
    assert "is not a time" in " ".join(result.output.split())
