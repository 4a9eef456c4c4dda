"""`warroom oncall ...` against the real API served by uvicorn on loopback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import icalendar
import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from tests.support import auth_header
from warroom.cli.main import app
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.escalation import service as escalation
from warroom.notify import service as notify
from warroom.playbook import Playbook

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """The CLI is a thin client of the API, whose tests run on both databases: SQLite here."""
    path = tmp_path / "warroom.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


ENV = {"COLUMNS": "200", "WARROOM_URL": None, "WARROOM_TOKEN": None}


def cli(url: str, token: str, *args: str) -> Result:
    return runner.invoke(app, ["oncall", *args, "--url", url, "--token", token], env=ENV)


def test_now_and_at(live_server: str, viewer_token: str) -> None:
    result = cli(live_server, viewer_token, "now")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "primary" in line)
    assert "@alice" in row
    assert "weekly" in row
    later = cli(
        live_server,
        viewer_token,
        "now",
        "--schedule",
        "primary",
        "--at",
        "2026-11-10T12:00Z",
        "--json",
    )
    assert later.exit_code == 0, later.output
    assert json.loads(later.stdout)[0]["person"] == "bob"


def test_show_span(live_server: str, viewer_token: str) -> None:
    result = cli(
        live_server,
        viewer_token,
        "show",
        "primary",
        "--from",
        "2026-11-02T09:00Z",
        "--to",
        "2026-11-23T09:00Z",
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "@" in line]
    assert [("@alice" in line, "@bob" in line) for line in lines] == [
        (True, False),
        (False, True),
        (True, False),
    ]
    assert "2026-11-09 09:00Z" in lines[1]


def test_usage_and_refusals(live_server: str, viewer_token: str) -> None:
    naive = cli(live_server, viewer_token, "now", "--at", "2026-11-10T12:00")
    assert naive.exit_code == 2
    assert "no time zone" in naive.output
    missing = cli(live_server, viewer_token, "show", "nightly")
    assert missing.exit_code == 1
    assert "error: no schedule 'nightly'" in missing.output
    down = runner.invoke(
        app, ["oncall", "now", "--url", "http://127.0.0.1:9", "--token", "x"], env=ENV
    )
    assert down.exit_code == 2
    assert "cannot reach warroom" in down.output


def test_ics(live_server: str, viewer_token: str) -> None:
    result = cli(live_server, viewer_token, "ics", "primary", "--person", "bob")
    assert result.exit_code == 0, result.output
    events = list(icalendar.Calendar.from_ical(result.stdout).walk("VEVENT"))
    assert events
    assert {str(e["SUMMARY"]) for e in events} == {"On call: @bob (primary)"}


def test_notifications_and_escalation(
    live_server: str,
    alice_token: str,
    viewer_token: str,
    engine: Engine,
    clock: FrozenClock,
    playbook: Playbook,
) -> None:
    import httpx

    created = httpx.post(
        f"{live_server}/api/v1/incidents",
        json={"title": "Site down", "severity": "P0", "service": "api"},
        headers=auth_header(alice_token),
    ).json()
    with make_sessionmaker(engine)() as session:
        escalation.start_due(session, playbook=playbook, now=clock.now())
        notify.enqueue(
            session,
            now=clock.now(),
            target="json://u:pw@hooks.example.com/x",
            title="Hello",
            body="b",
            reason="announcement",
            dedup_key="a/1",
            incident_id=created["id"],
        )
        session.commit()
    shown = cli(live_server, viewer_token, "escalation", created["ref"])
    assert shown.exit_code == 0, shown.output
    assert "immediate-all-hands (Immediate - All hands)" in shown.stdout
    assert "2 of 3" in shown.stdout
    listed = cli(live_server, viewer_token, "notifications", "--incident", created["ref"])
    assert listed.exit_code == 0, listed.output
    assert "json://u:***@hooks.example.com/x" in listed.stdout
    assert "pw@" not in listed.stdout
    assert "1 of 1" in listed.stdout
