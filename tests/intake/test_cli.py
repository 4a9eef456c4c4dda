"""`warroom integration ...` on the database and `warroom alert ...` against a live server."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from warroom.cli.main import app

runner = CliRunner()
ENV = {"COLUMNS": "200", "WARROOM_URL": None, "WARROOM_TOKEN": None, "WARROOM_DATABASE_URL": None}


def alert_cli(url: str, token: str, *args: str) -> Result:
    return runner.invoke(app, ["alert", *args, "--url", url, "--token", token], env=ENV)


def test_integration_create_list_revoke(db_url: str) -> None:
    db = ["--database-url", db_url]
    created = runner.invoke(
        app, ["integration", "create", "--service", "api", "--kind", "alertmanager", *db], env=ENV
    )
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert len(key) == 32
    assert f"/api/v1/intake/alertmanager/{key}" in created.stdout
    listed = runner.invoke(app, ["integration", "list", *db], env=ENV)
    assert "api-alertmanager" in listed.stdout
    assert key not in listed.stdout
    assert (
        runner.invoke(app, ["integration", "revoke", "api-alertmanager", *db], env=ENV).exit_code
        == 0
    )
    missing = runner.invoke(app, ["integration", "revoke", "nope", *db], env=ENV)
    assert missing.exit_code == 1
    assert "no integration named 'nope'" in missing.output
    bad = runner.invoke(
        app, ["integration", "create", "--service", "nope", "--kind", "sentry", *db], env=ENV
    )
    assert bad.exit_code == 1
    assert "unknown service" in bad.output


def test_report_list_show(live_server: str, alice_token: str) -> None:
    reported = alert_cli(
        live_server,
        alice_token,
        "report",
        "Payment processing down",
        "--service",
        "payments",
        "--severity",
        "critical",
        "--label",
        "region=eu",
    )
    assert reported.exit_code == 0, reported.output
    assert "triaged P1; opened/joined INC-1" in reported.stdout
    listed = alert_cli(live_server, alice_token, "list", "--service", "payments")
    assert "Payment processing down" in listed.stdout
    assert "INC-1" in listed.stdout
    as_json = json.loads(alert_cli(live_server, alice_token, "list", "--json").stdout)
    alert_id = as_json["items"][0]["id"]
    shown = alert_cli(live_server, alice_token, "show", str(alert_id))
    assert "payment-processing-down" in shown.stdout
    assert "region=eu" in shown.stdout
    missing = alert_cli(live_server, alice_token, "show", "999")
    assert missing.exit_code == 1
    assert "no alert 999" in missing.output
    bad_label = alert_cli(
        live_server, alice_token, "report", "x", "--service", "api", "--label", "x"
    )
    assert bad_label.exit_code == 2


def test_silence_commands(live_server: str, alice_token: str) -> None:
    created = alert_cli(
        live_server,
        alice_token,
        "silence",
        "create",
        "--service",
        "database",
        "--match",
        "env=~prod.*",
        "--ends",
        "2026-11-02T12:00Z",
        "--comment",
        "upgrade",
    )
    assert created.exit_code == 0, created.output
    assert "silence 1 until 2026-11-02 12:00:00Z" in created.stdout
    listed = alert_cli(live_server, alice_token, "silence", "list")
    assert "env=~prod.*" in listed.stdout
    assert "upgrade" in listed.stdout
    assert alert_cli(live_server, alice_token, "silence", "expire", "1").exit_code == 0
    assert "upgrade" not in alert_cli(live_server, alice_token, "silence", "list").stdout
    bad = alert_cli(
        live_server,
        alice_token,
        "silence",
        "create",
        "--match",
        "??",
        "--ends",
        "2026-11-02T12:00Z",
    )
    assert bad.exit_code == 2
