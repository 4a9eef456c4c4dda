"""`warroom oncall ...`: who is on call (now, at a time, over a span), feeds, the outbox and an
incident's escalation, each a thin client of the HTTP API (see incident.py for conventions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from warroom.cli import output
from warroom.cli.calls import call_api
from warroom.cli.client import DEFAULT_URL, ApiClient, ApiError, _ref
from warroom.cli.incident import AsJson, Token, Url, _time

app = typer.Typer(help="On-call schedules, notifications and escalations.", no_args_is_help=True)

T = TypeVar("T")
API = "/api/v1"

ScheduleOpt = Annotated[str | None, typer.Option("--schedule", "-s", help="Only this schedule.")]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="When, ISO 8601 with a zone (default: now).")
]


class OncallClient(ApiClient):
    """The on-call endpoints; they answer lists and calendars as well as objects."""

    def get_any(self, path: str, params: list[tuple[str, str]] | None = None) -> Any:
        response = self._send("GET", path, params=params)
        try:
            return response.json()
        except ValueError:
            raise ApiError(response.status_code, "bad_response", "not JSON") from None

    def get_text(self, path: str, params: list[tuple[str, str]] | None = None) -> str:
        return self._send("GET", path, params=params, accept="text/calendar").text


def _call(url: str, token: str | None, request: Callable[[OncallClient], T]) -> T:
    """Make one API call; a missing token or a refusal becomes a message and an exit code."""
    return call_api(OncallClient, url, token, request)


def _params(**values: str | None) -> list[tuple[str, str]]:
    return [(key, value) for key, value in values.items() if value is not None]


def _console() -> Console:
    return Console(highlight=False)


def _person(value: str | None) -> Text:
    return Text(f"@{value}" if value else "nobody", style="" if value else "yellow")


@app.command()
def now(
    schedule: ScheduleOpt = None,
    at: AtOpt = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Who is on call now (or --at a time), on every schedule or one."""
    params = _params(at=_time(at), schedule=schedule)
    data = _call(url, token, lambda c: c.get_any(f"{API}/oncall", params))
    if as_json:
        output.print_json(data)
        return
    table = Table("Schedule", "On call", "Layer", "At (UTC)")
    for row in data:
        table.add_row(
            row["schedule"],
            _person(row["person"]),
            row["layer"] or "override",
            output.when(row["at"], seconds=False),
        )
    _console().print(table)


@app.command()
def show(
    schedule: Annotated[str, typer.Argument(help="Schedule name, e.g. primary.")],
    start: Annotated[str | None, typer.Option("--from", help="Start (default: now).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="End (default: two weeks on).")] = None,
    person: Annotated[str | None, typer.Option("--person", help="Only this person.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Who is on call when: the schedule's shifts over a span."""
    params = _params(**{"from": _time(start), "to": _time(end), "person": person})
    path = f"{API}/schedules/{_ref(schedule)}/shifts"
    data = _call(url, token, lambda c: c.get_any(path, params))
    if as_json:
        output.print_json(data)
        return
    table = Table("From (UTC)", "To (UTC)", "On call", "Layer", title=f"{data['schedule']}")
    for shift in data["shifts"]:
        table.add_row(
            output.when(shift["start"], seconds=False),
            output.when(shift["end"], seconds=False),
            _person(shift["person"]),
            shift["layer"] or ("override" if shift["person"] else "-"),
        )
    _console().print(table)


@app.command()
def ics(
    schedule: Annotated[str, typer.Argument(help="Schedule name, e.g. primary.")],
    person: Annotated[str | None, typer.Option("--person", help="Only this person.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """Print the schedule's iCalendar feed (for a calendar that cannot send a token)."""
    path = f"{API}/schedules/{_ref(schedule)}.ics"
    typer.echo(_call(url, token, lambda c: c.get_text(path, _params(person=person))), nl=False)


@app.command()
def notifications(
    incident: Annotated[str | None, typer.Option("--incident", help="e.g. INC-4")] = None,
    status: Annotated[str | None, typer.Option("--status", help="queued, sent, failed ...")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 50,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """The notification outbox, newest first (targets redacted)."""
    params = _params(incident=incident, status=status, limit=str(limit))
    data = _call(url, token, lambda c: c.get_any(f"{API}/notifications", params))
    if as_json:
        output.print_json(data)
        return
    table = Table("ID", "Created (UTC)", "To", "Reason", "Status", "Tries", "Target", "Error")
    for row in data["items"]:
        who = f"@{row['person']}" if row["person"] else f"#{row['channel'] or '-'}"
        table.add_row(
            str(row["id"]),
            output.when(row["created_at"]),
            who,
            row["reason"],
            row["status"],
            str(row["attempts"]),
            Text(row["target"]),
            Text(row["last_error"] or ""),
        )
    _console().print(table)
    _console().print(f"{len(data['items'])} of {data['total']}")


@app.command()
def escalation(
    ref: Annotated[str, typer.Argument(help="Incident reference, e.g. INC-42.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Where an incident's escalation stands."""
    path = f"{API}/incidents/{_ref(ref)}/escalation"
    data = _call(url, token, lambda c: c.get_any(path))
    if as_json:
        output.print_json(data)
        return
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    level = f"{data['next_level']} of {data['levels']}" if data["next_level"] else "-"
    for label, value in (
        ("Incident", data["incident"]),
        ("Policy", f"{data['policy']} ({data['description']})"),
        ("State", data["state"] + (f": {data['stop_reason']}" if data["stop_reason"] else "")),
        ("Next level", level),
        ("Next step at", output.when(data["next_at"])),
        ("Repeat", f"{data['cycle']} of {data['repeat']}"),
        ("Ack timeout", data["ack_timeout"]),
    ):
        table.add_row(label, Text(str(value)))
    _console().print(table)
