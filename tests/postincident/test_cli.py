"""The post-incident commands against the real API served by uvicorn on loopback."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
from typer.testing import CliRunner, Result

from tests.support import auth_header
from warroom.cli.main import app
from warroom.clock import FrozenClock

runner = CliRunner()
ENV = {"COLUMNS": "200", "WARROOM_URL": None, "WARROOM_TOKEN": None}
WALK = ["investigating", "identified", "fixing", "verifying", "monitoring", "resolved"]


def cli(url: str, token: str, *args: str) -> Result:
    return runner.invoke(app, [*args, "--url", url, "--token", token], env=ENV)


def resolved_p1(url: str, token: str, clock: FrozenClock) -> str:
    with httpx.Client(base_url=url, headers=auth_header(token)) as http:
        created = http.post(
            "/api/v1/incidents",
            json={"title": "Checkout is down", "severity": "P1", "service": "api"},
        )
        ref: str = created.json()["ref"]
        for state in WALK:
            clock.advance(timedelta(minutes=5))
            http.post(f"/api/v1/incidents/{ref}/transitions", json={"to": state})
    return ref


def test_deploy_record_and_list(live_server: str, alice_token: str) -> None:
    recorded = cli(
        live_server, alice_token, "deploy", "record", "--service", "api", "--version", "1.4.2"
    )
    assert recorded.exit_code == 0, recorded.output
    assert "Recorded change #1 at 2026-11-02 09:00:00Z: Deploy api 1.4.2" in recorded.stdout
    listed = cli(live_server, alice_token, "deploy", "list", "--json")
    assert json.loads(listed.stdout)["items"][0]["version"] == "1.4.2"
    usage = cli(live_server, alice_token, "deploy", "record")
    assert usage.exit_code == 2


def test_checklist_postmortem_and_export(
    live_server: str, alice_token: str, clock: FrozenClock, tmp_path: Path
) -> None:
    ref = resolved_p1(live_server, alice_token, clock)
    ticked = cli(
        live_server, alice_token, "checklist", "tick", ref, "service_restored", "--note", "green"
    )
    assert ticked.exit_code == 0
    assert f"{ref}: service_restored checked" in ticked.stdout
    shown = cli(live_server, alice_token, "checklist", "show", ref)
    assert "[x]" in shown.stdout
    assert "service_restored: Service fully restored" in shown.stdout

    assert cli(live_server, alice_token, "postmortem", "create", ref).exit_code == 0
    cause = tmp_path / "cause.md"
    cause.write_text("A certificate expired.\n\nNobody was alerted.", encoding="utf-8")
    edited = cli(
        live_server,
        alice_token,
        "postmortem",
        "edit",
        ref,
        "--root-cause",
        f"@{cause}",
        "--meeting",
        "2026-11-03T14:00Z",
    )
    assert edited.exit_code == 0, edited.output
    assert "meeting 2026-11-03 14:00Z" in edited.stdout
    exported = cli(live_server, alice_token, "postmortem", "export", ref)
    assert exported.exit_code == 0
    assert exported.stdout.startswith(f"# Post-mortem: {ref} — Checkout is down")
    assert "## Root cause\n\nA certificate expired.\n\nNobody was alerted.\n" in exported.stdout
    # The meeting is scheduled, so that item is now checked automatically.
    data = json.loads(cli(live_server, alice_token, "checklist", "show", ref, "--json").stdout)
    assert next(i for i in data["items"] if i["id"] == "postmortem_scheduled")["done"] is True


def test_action_items(live_server: str, alice_token: str, clock: FrozenClock) -> None:
    ref = resolved_p1(live_server, alice_token, clock)
    added = cli(
        live_server,
        alice_token,
        "action",
        "add",
        ref,
        "Alert on cert expiry",
        "--owner",
        "@bob",
        "--due",
        "2026-11-05",
        "--kind",
        "monitoring",
    )
    assert added.exit_code == 0, added.output
    assert "Added #1 Alert on cert expiry (@bob, due 2026-11-05, todo" in added.stdout
    past = cli(
        live_server,
        alice_token,
        "action",
        "add",
        ref,
        "Too late",
        "--owner",
        "bob",
        "--due",
        "2026-10-01",
        "--kind",
        "process",
    )
    assert past.exit_code == 1
    assert "error: due date 2026-10-01 is in the past (today is 2026-11-02)" in past.stderr
    bad = cli(
        live_server,
        alice_token,
        "action",
        "add",
        ref,
        "x",
        "--owner",
        "bob",
        "--due",
        "soon",
        "--kind",
        "process",
    )
    assert bad.exit_code == 2

    clock.advance(timedelta(days=5))
    overdue = cli(live_server, alice_token, "action", "list", "--overdue", "--owner", "bob")
    assert "Alert on cert expiry" in overdue.stdout
    assert "OVERDUE" in overdue.stdout
    none = cli(
        live_server, alice_token, "action", "list", "--overdue", "--owner", "alice", "--json"
    )
    assert json.loads(none.stdout)["total"] == 0
    table = cli(live_server, alice_token, "action", "list", "--markdown")
    assert "| Alert on cert expiry | @bob | 2026-11-05 | Todo | Monitoring |" in table.stdout
    done = cli(live_server, alice_token, "action", "update", "1", "--status", "done")
    assert done.exit_code == 0
    assert "done" in done.stdout


def test_metrics_and_reports(
    live_server: str, alice_token: str, clock: FrozenClock, tmp_path: Path
) -> None:
    resolved_p1(live_server, alice_token, clock)
    table = cli(live_server, alice_token, "metrics", "--from", "2026-11-01")
    assert table.exit_code == 0, table.output
    assert "Time to resolve (MTTR)" in table.stdout
    assert "30 min 00 s" in table.stdout
    assert "ttd: detected_at - impact_started_at" in table.stdout
    assert "lack a timestamp" in table.stdout  # no impact start was given
    as_json = json.loads(cli(live_server, alice_token, "metrics", "--json").stdout)
    assert as_json["incidents"] == 1

    bad_month = cli(live_server, alice_token, "report", "monthly", "--month", "2026-13")
    assert bad_month.exit_code == 2
    assert "13 is not a month" in bad_month.output
    reversed_period = cli(
        live_server, alice_token, "metrics", "--from", "2026-12-01", "--to", "2026-11-01"
    )
    assert reversed_period.exit_code == 1
    assert "must be before to" in reversed_period.stderr

    printed = cli(live_server, alice_token, "report", "monthly", "--month", "2026-11")
    assert printed.stdout.startswith("# Monthly incident review — 2026-11")
    written = cli(
        live_server,
        alice_token,
        "report",
        "quarterly",
        "--quarter",
        "2026Q4",
        "--out",
        str(tmp_path),
    )
    assert written.exit_code == 0, written.output
    assert (tmp_path / "review-2026Q4.md").read_text().startswith("# Quarterly incident review")
    assert "<svg" in (tmp_path / "review-2026Q4.html").read_text()
