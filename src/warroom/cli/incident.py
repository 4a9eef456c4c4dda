"""`warroom incident ...`: the responder's commands, each a thin client of the HTTP API.

Every command takes --url, --token and --json, parses its options, makes one API call and
prints the answer (see output.py). Exit codes: 0 done, 1 the server refused, 2 a usage error
or no server to talk to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer

from warroom.cli import output
from warroom.cli.calls import call_api
from warroom.cli.client import DEFAULT_URL, JSON, ApiClient

app = typer.Typer(help="Declare and work incidents through the API.", no_args_is_help=True)

T = TypeVar("T")


class StartState(StrEnum):
    detected = "detected"
    triaged = "triaged"
    declared = "declared"


class IncidentKind(StrEnum):
    incident = "incident"
    ticket = "ticket"


class EntryKind(StrEnum):
    note = "note"
    decision = "decision"
    action = "action"


def _time(value: str | None) -> str | None:
    """An option's time, which must say its zone, as ISO 8601 for the API."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a time; use ISO 8601 like 2026-11-02T08:50Z"
        ) from None
    if moment.tzinfo is None:
        raise typer.BadParameter(
            f"{value!r} has no time zone; add Z for UTC or an offset, "
            f"e.g. {value.strip()}Z or {value.strip()}+01:00"
        )
    return moment.isoformat()


def _many(values: list[str] | None) -> list[str]:
    """Repeated options, each of which may also be comma-separated."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


# -- the options every command takes --------------------------------------------------------

Url = Annotated[
    str,
    typer.Option("--url", envvar="WARROOM_URL", help="Base URL of the warroom server."),
]
Token = Annotated[
    str | None,
    typer.Option("--token", envvar="WARROOM_TOKEN", help="API token.", show_default=False),
]
AsJson = Annotated[
    bool, typer.Option("--json", help="Print the API's JSON response and nothing else.")
]
Ref = Annotated[str, typer.Argument(help="Incident reference, e.g. INC-42 or 42.")]


def _time_option(help: str) -> Any:
    return typer.Option(callback=_time, show_default=False, help=f"{help}, e.g. 2026-11-02T08:50Z.")


ImpactStarted = Annotated[str | None, _time_option("When users were first affected")]
Detected = Annotated[str | None, _time_option("When it was detected (default: now)")]
At = Annotated[str | None, _time_option("When it happened, if before now")]


def _call(url: str, token: str | None, request: Callable[[ApiClient], T]) -> T:
    """Make one API call; a missing token or a refusal becomes a message and an exit code."""
    return call_api(ApiClient, url, token, request)


def _print(as_json: bool, data: Any, render: Callable[[Any], None]) -> None:
    if as_json:
        output.print_json(data)
    else:
        render(data)


# -- commands -------------------------------------------------------------------------------


@app.command()
def declare(
    title: Annotated[str, typer.Argument(help="What is wrong, in a line.")],
    severity: Annotated[str, typer.Option("--severity", "-s", help="Severity, e.g. P1.")],
    service: Annotated[str, typer.Option(help="The affected service, e.g. api.")],
    impact: Annotated[str, typer.Option(help="User impact, in words.")] = "",
    impact_started: ImpactStarted = None,
    detected: Detected = None,
    status: Annotated[
        StartState | None, typer.Option(help="Initial state (default: by severity).")
    ] = None,
    commander: Annotated[
        str | None, typer.Option(help="Incident Commander (default: you).")
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Declare an incident (P0/P1) or open a ticket (P2/P3)."""
    body: JSON = {"title": title, "severity": severity, "service": service, "impact": impact}
    optional = {
        "impact_started_at": impact_started,
        "detected_at": detected,
        "status": status.value if status else None,
        "commander": commander,
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    incident = _call(url, token, lambda client: client.declare(body))
    _print(as_json, incident, output.declared)


@app.command("list")
def list_(
    status: Annotated[
        list[str] | None, typer.Option(help="Only in this state (repeatable).")
    ] = None,
    severity: Annotated[
        list[str] | None, typer.Option("--severity", "-s", help="Only this severity (repeatable).")
    ] = None,
    service: Annotated[
        list[str] | None, typer.Option(help="Only this service (repeatable).")
    ] = None,
    kind: Annotated[IncidentKind | None, typer.Option(help="Incidents or tickets.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only those not yet resolved.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """List incidents and tickets, newest first."""
    page = _call(
        url,
        token,
        lambda client: client.list_incidents(
            status=_many(status),
            severity=_many(severity),
            service=_many(service),
            kind=kind.value if kind else None,
            open_only=open_only,
            limit=limit,
            offset=offset,
        ),
    )
    _print(as_json, page, output.incident_table)


@app.command()
def show(ref: Ref, url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Show one incident: fields, roles, war room and declaration message."""
    incident = _call(url, token, lambda client: client.get(ref))
    _print(as_json, incident, output.incident_detail)


@app.command()
def ack(ref: Ref, url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Acknowledge: someone is on it."""
    incident = _call(url, token, lambda client: client.acknowledge(ref))
    _print(as_json, incident, output.acknowledged)


@app.command()
def transition(
    ref: Ref,
    state: Annotated[str, typer.Argument(help="The state to move to, e.g. investigating.")],
    note: Annotated[str | None, typer.Option(help="Why, for the timeline.")] = None,
    override_reason: Annotated[
        str | None,
        typer.Option(help="Close with closure-checklist items open, for this reason (IC/admin)."),
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Move an incident to its next state."""
    incident = _call(
        url, token, lambda client: client.transition(ref, state, note, override_reason)
    )
    _print(as_json, incident, output.moved)


@app.command()
def assign(
    ref: Ref,
    role: Annotated[str, typer.Argument(help="ic, tl, comms, scribe or a full role key.")],
    person: Annotated[str, typer.Argument(help="The person's handle, e.g. alice.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Give a role to a person, handing it over from whoever held it."""
    holder = _call(url, token, lambda client: client.assign(ref, role, person))
    _print(as_json, holder, lambda data: output.assigned(ref, data))


@app.command()
def unassign(
    ref: Ref,
    role: Annotated[str, typer.Argument(help="ic, tl, comms, scribe or a full role key.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Take a role from its holder, leaving it empty."""
    _call(url, token, lambda client: client.unassign(ref, role))
    # The API answers 204 with no body; --json still prints a JSON document.
    _print(as_json, {}, lambda _data: output.relieved(ref, role))


@app.command()
def roles(ref: Ref, url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Who holds each role, and every handover."""
    data = _call(url, token, lambda client: client.roles(ref))
    _print(as_json, data, lambda data: output.roles_view(ref, data))


@app.command()
def note(
    ref: Ref,
    text: Annotated[str, typer.Argument(help="What to write on the timeline.")],
    kind: Annotated[EntryKind, typer.Option(help="What sort of entry.")] = EntryKind.note,
    at: At = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Write a note, decision or action on the timeline (--at to backdate it)."""
    event = _call(
        url, token, lambda client: client.add_entry(ref, kind=kind.value, body=text, at=at)
    )
    _print(as_json, event, lambda data: output.entry_added(ref, data))


@app.command()
def edit(
    ref: Ref,
    title: Annotated[str | None, typer.Option(show_default=False)] = None,
    impact: Annotated[str | None, typer.Option(show_default=False)] = None,
    service: Annotated[str | None, typer.Option(show_default=False)] = None,
    severity: Annotated[str | None, typer.Option("--severity", "-s", show_default=False)] = None,
    impact_started: ImpactStarted = None,
    detected: Detected = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Change an incident's title, impact, service, severity or times."""
    candidates = {
        "title": title,
        "impact": impact,
        "service": service,
        "severity": severity,
        "impact_started_at": impact_started,
        "detected_at": detected,
    }
    changes: JSON = {key: value for key, value in candidates.items() if value is not None}
    if not changes:
        raise typer.BadParameter(
            "nothing to change; pass at least one of --title, --impact, --service, "
            "--severity, --impact-started, --detected"
        )
    incident = _call(url, token, lambda client: client.edit(ref, changes))
    _print(as_json, incident, output.incident_detail)


@app.command()
def timeline(
    ref: Ref,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the server's Markdown table verbatim.")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """The incident's timeline, oldest first."""
    if markdown and as_json:
        raise typer.BadParameter("choose one of --markdown and --json")
    if markdown:
        output.print_text(_call(url, token, lambda client: client.timeline_markdown(ref)))
        return
    events = _call(url, token, lambda client: client.timeline(ref))
    _print(as_json, events, output.timeline_table)
