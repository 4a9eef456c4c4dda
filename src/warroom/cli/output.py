"""How the responder commands print: Rich tables and panels for people, raw JSON for scripts,
and errors as one ``error: ...`` line on stderr. Everything here takes the API's JSON as is."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import typer
from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from warroom.cli.client import JSON, ApiError, ClientError, Unreachable

SEVERITY_STYLES = {"P0": "bold red", "P1": "red", "P2": "yellow"}
DONE_STATES = {"resolved", "closed"}


def _console() -> Console:
    # Made per call so it writes to whatever stdout is current (CliRunner swaps it).
    return Console(highlight=False)


# -- plain values ---------------------------------------------------------------------------


def when(value: str | None, *, seconds: bool = True) -> str:
    """An API timestamp as ``2026-11-02 09:00:00Z`` (UTC); '-' when absent."""
    if not value:
        return "-"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:  # the API speaks UTC; a bare time is UTC too
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ" if seconds else "%Y-%m-%d %H:%MZ")


def _text(value: Any, style: str = "") -> Text:
    """User-written values go through Text so '[red]' in a title stays literal."""
    return Text("-" if value is None or value == "" else str(value), style=style)


def _severity(incident: JSON) -> Text:
    key = str(incident.get("severity", ""))
    return Text(key, style=SEVERITY_STYLES.get(key, ""))


def _status(incident: JSON) -> Text:
    status = str(incident.get("status", ""))
    return Text(status, style="green" if status in DONE_STATES else "")


def _commander(incident: JSON) -> str | None:
    holder = (incident.get("roles") or {}).get("incident_commander")
    return f"@{holder['person']}" if holder else None


def _ack(incident: JSON) -> Text:
    if incident.get("acknowledged_at"):
        by = incident.get("acknowledged_by") or "?"
        return Text(f"acked {when(incident['acknowledged_at'], seconds=False)} by {by}")
    if incident.get("status") in DONE_STATES:
        return Text("-")
    due = when(incident.get("acknowledge_by"), seconds=False)
    if incident.get("acknowledgement_overdue"):
        return Text(f"OVERDUE since {due}", style="bold red")
    return Text(f"due {due}", style="yellow")


def _grid(rows: Iterable[tuple[str, RenderableType]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        grid.add_row(label, value)
    return grid


# -- machine output -------------------------------------------------------------------------


def print_json(data: Any) -> None:
    """The API's JSON, pretty, on stdout, and nothing else."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def print_text(text: str) -> None:
    """Text the API rendered (Markdown), verbatim."""
    typer.echo(text, nl=not text.endswith("\n"))


# -- incidents ------------------------------------------------------------------------------


def incident_table(page: JSON) -> None:
    """A page of incidents as a table, with where it sits in the whole list."""
    items: list[JSON] = page.get("items", [])
    console = _console()
    if not items:
        console.print("No incidents match.")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Ref", no_wrap=True)
    table.add_column("Sev", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Service", no_wrap=True)
    table.add_column("Title", overflow="fold", ratio=1)
    table.add_column("Ack", no_wrap=True)
    table.add_column("IC", no_wrap=True)
    for incident in items:
        table.add_row(
            _text(incident.get("ref")),
            _severity(incident),
            _status(incident),
            _text(incident.get("kind")),
            _text(incident.get("service")),
            _text(incident.get("title")),
            _ack(incident),
            _text(_commander(incident)),
        )
    console.print(table)
    offset = int(page.get("offset", 0))
    total = int(page.get("total", len(items)))
    console.print(f"{offset + 1}-{offset + len(items)} of {total}", style="dim")


def incident_detail(incident: JSON) -> None:
    """Everything about one incident: fields, roles, war room, declaration message."""
    severity = Text.assemble(_severity(incident), f" ({incident.get('severity_name', '')})")
    created = f"{when(incident.get('created_at'))} by {incident.get('created_by', '?')}"
    acknowledged = "-"
    if incident.get("acknowledged_at"):
        acknowledged = (
            f"{when(incident['acknowledged_at'])} by {incident.get('acknowledged_by') or '?'}"
        )
    allowed = incident.get("allowed_transitions") or []
    fields = _grid(
        [
            ("Title", _text(incident.get("title"))),
            ("Severity", severity),
            ("Kind", _text(incident.get("kind")) + (" (drill)" if incident.get("drill") else "")),
            ("Status", _status(incident)),
            ("Service", _text(incident.get("service"))),
            ("Impact", _text(incident.get("impact"))),
            ("Created", _text(created)),
            ("Impact started", _text(when(incident.get("impact_started_at")))),
            ("Detected", _text(when(incident.get("detected_at")))),
            ("Declared", _text(when(incident.get("declared_at")))),
            ("Ack due", _ack_due(incident)),
            ("Acknowledged", _text(acknowledged)),
            ("Mitigated", _text(when(incident.get("mitigated_at")))),
            ("Resolved", _text(when(incident.get("resolved_at")))),
            ("Closed", _text(when(incident.get("closed_at")))),
            ("Updated", _text(when(incident.get("updated_at")))),
            ("Next states", _text(", ".join(allowed) or "none (final state)")),
        ]
    )
    parts: list[RenderableType] = [fields, Text("")]
    parts.append(_roles_block(incident.get("roles") or {}))
    war_room = incident.get("war_room")
    if war_room:
        parts += [Text(""), _war_room_block(war_room)]
    console = _console()
    console.print(Panel(Group(*parts), title=Text(str(incident.get("ref", ""))), expand=False))
    message = incident.get("declaration_message")
    if message:
        console.print(Panel(Text(message), title="Declaration message", expand=False))


def _ack_due(incident: JSON) -> Text:
    due = when(incident.get("acknowledge_by"))
    if incident.get("acknowledgement_overdue"):
        return Text(f"{due} (OVERDUE)", style="bold red")
    return Text(due)


def _roles_block(current: dict[str, JSON]) -> RenderableType:
    if not current:
        return Text("Roles: nobody assigned", style="dim")
    return Group(
        Text("Roles", style="bold"),
        _grid(
            (f"  {holder.get('role_name', role)}", _holder(holder))
            for role, holder in current.items()
        ),
    )


def _holder(holder: JSON) -> Text:
    return Text(f"@{holder.get('person')} ({holder.get('name')}) since {when(holder.get('since'))}")


def _war_room_block(war_room: JSON) -> RenderableType:
    return Group(
        Text("War room", style="bold"),
        _grid(
            [
                ("  Channel", _text(war_room.get("channel"))),
                ("  Video call", _text(war_room.get("video_call"))),
                ("  Shared doc", _text(war_room.get("shared_doc"))),
            ]
        ),
    )


def declared(incident: JSON) -> None:
    """What `declare` prints: a line saying what was opened, then the detail view."""
    what = "Declared incident" if incident.get("kind") == "incident" else "Opened ticket"
    _console().print(
        Text.assemble(
            f"{what} ", (str(incident.get("ref")), "bold"), f" ({incident.get('status')})"
        )
    )
    incident_detail(incident)


def moved(incident: JSON) -> None:
    """What `transition` prints: the new state and where it can go next."""
    allowed = ", ".join(incident.get("allowed_transitions") or []) or "none (final state)"
    _console().print(
        Text.assemble(
            (str(incident.get("ref")), "bold"),
            " is now ",
            _status(incident),
            f"; next: {allowed}",
        )
    )


def acknowledged(incident: JSON) -> None:
    """What `ack` prints."""
    _console().print(
        Text(
            f"{incident.get('ref')} acknowledged by {incident.get('acknowledged_by') or '?'} "
            f"at {when(incident.get('acknowledged_at'))}"
        )
    )


# -- roles ----------------------------------------------------------------------------------


def assigned(ref: str, holder: JSON) -> None:
    """What `assign` prints."""
    _console().print(
        Text(
            f"@{holder.get('person')} ({holder.get('name')}) is {holder.get('role_name')} of {ref}"
        )
    )


def relieved(ref: str, role: str) -> None:
    _console().print(Text(f"{role} of {ref} is no longer held"))


def roles_view(ref: str, roles: JSON) -> None:
    """Who holds each role now, then every assignment ever made."""
    console = _console()
    current: dict[str, JSON] = roles.get("current") or {}
    console.print(_roles_block(current) if current else Text(f"Nobody holds a role on {ref}"))
    history: list[JSON] = roles.get("history") or []
    if not history:
        return
    table = Table(title="History", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Role", "Person", "Assigned", "By", "Relieved", "By "):
        table.add_column(column, no_wrap=column not in ("By", "By "))
    for row in history:
        table.add_row(
            _text(row.get("role")),
            _text(f"@{row.get('person')}"),
            _text(when(row.get("assigned_at"))),
            _text(row.get("assigned_by")),
            _text(when(row.get("relieved_at"))),
            _text(row.get("relieved_by")),
        )
    console.print(table)


# -- timeline -------------------------------------------------------------------------------


def timeline_table(timeline: JSON) -> None:
    """The incident's events, oldest first; backdated entries show when they were written."""
    events: list[JSON] = timeline.get("events") or []
    table = Table(
        title=f"Timeline — {timeline.get('ref', '')}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("At (UTC)", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Who", no_wrap=True)
    table.add_column("What", overflow="fold", ratio=1)
    for event in events:
        at = when(event.get("at"))
        if event.get("recorded_at") and event.get("recorded_at") != event.get("at"):
            at += f"\n(written {when(event['recorded_at'])})"
        table.add_row(
            _text(at),
            _text(str(event.get("kind", "")).replace("_", " ")),
            _text(event.get("actor")),
            _text(event.get("body")),
        )
    if not events:
        table.add_row("", "", "", Text("(no events)", style="dim"))
    _console().print(table)


def entry_added(ref: str, event: JSON) -> None:
    """What `note` prints."""
    _console().print(Text(f"Added {event.get('kind')} to {ref} at {when(event.get('at'))}"))


# -- errors ---------------------------------------------------------------------------------


def error(message: str) -> None:
    """One ``error: ...`` line on stderr."""
    typer.echo(f"error: {message}", err=True)


def client_error(err: ClientError) -> None:
    """Print what went wrong; an illegal move also lists where the incident can go."""
    message = err.message
    if isinstance(err, ApiError) and err.status == 401:
        message += " (check --token or WARROOM_TOKEN)"
    error(message)
    if isinstance(err, ApiError) and "allowed" in err.details:
        details = err.details
        allowed = ", ".join(details.get("allowed") or []) or "none (final state)"
        if "current" in details:
            typer.echo(f"  current:   {details['current']}", err=True)
        if "requested" in details:
            typer.echo(f"  requested: {details['requested']}", err=True)
        typer.echo(f"  allowed:   {allowed}", err=True)


def exit_code(err: ClientError) -> int:
    """2 when the server could not be reached (like a usage error), 1 when it said no."""
    return 2 if isinstance(err, Unreachable) else 1
