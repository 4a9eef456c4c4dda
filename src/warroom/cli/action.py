"""`warroom action`: action items from post-mortems."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli import output
from warroom.cli.client import DEFAULT_URL, JSON
from warroom.cli.incident import AsJson, Ref, Token, Url
from warroom.cli.postincident import call, params

app = typer.Typer(help="Action items: add, list (overdue, by owner), update.", no_args_is_help=True)


class ItemKind(StrEnum):
    preventive = "preventive"
    process = "process"
    monitoring = "monitoring"


class ItemStatus(StrEnum):
    todo = "todo"
    in_progress = "in_progress"
    done = "done"
    wont_do = "wont_do"


def _date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


Due = Annotated[str | None, typer.Option("--due", callback=_date, help="Due date, YYYY-MM-DD.")]


def _line(item: JSON) -> str:
    return (
        f"#{item['id']} {item['title']} (@{item['owner']}, due {item['due_on']}, "
        f"{item['status']}, {item['kind']}, {item['incident']})"
    )


@app.command()
def add(
    ref: Ref,
    title: Annotated[str, typer.Argument(help="What to do.")],
    owner: Annotated[str, typer.Option(help="Owner's handle.")],
    due: Due,
    kind: Annotated[ItemKind, typer.Option(help="preventive, process or monitoring.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Add an action item to an incident."""
    body: JSON = {
        "incident": ref,
        "title": title,
        "owner": owner.removeprefix("@"),
        "due_on": due,
        "kind": kind.value,
    }
    item = call(url, token, lambda client: client.add_action(body))
    output.print_json(item) if as_json else typer.echo("Added " + _line(item))


@app.command("list")
def list_(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open ones past due.")] = False,
    owner: Annotated[str | None, typer.Option(help="Only this owner's.")] = None,
    status: Annotated[list[ItemStatus] | None, typer.Option(help="Only these statuses.")] = None,
    incident: Annotated[str | None, typer.Option(help="Only this incident's.")] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="The seed's tracking table as Markdown.")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Action items by due date."""
    if markdown and as_json:
        raise typer.BadParameter("choose one of --markdown and --json")
    query = params(
        overdue="true" if overdue else None,
        owner=owner.removeprefix("@") if owner else None,
        incident=incident,
    ) + [("status", s.value) for s in status or []]
    if markdown:
        output.print_text(call(url, token, lambda client: client.actions_markdown(query)))
        return
    page = call(url, token, lambda client: client.actions(query))
    if as_json:
        output.print_json(page)
        return
    table = Table("#", "Action", "Owner", "Due", "Status", "Kind", "Incident", title="Action items")
    for item in page["items"]:
        due = item["due_on"] + (" OVERDUE" if item["overdue"] else "")
        table.add_row(
            str(item["id"]),
            item["title"],
            f"@{item['owner']}",
            due,
            item["status"],
            item["kind"],
            item["incident"],
        )
    Console(highlight=False).print(table)


@app.command()
def update(
    item_id: Annotated[int, typer.Argument(help="The action item's number.")],
    status: Annotated[ItemStatus | None, typer.Option(help="New status.")] = None,
    owner: Annotated[str | None, typer.Option(help="New owner.")] = None,
    due: Due = None,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    kind: Annotated[ItemKind | None, typer.Option(help="New kind.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Change an action item's status, owner, due date, title or kind."""
    candidates = {
        "status": status.value if status else None,
        "owner": owner.removeprefix("@") if owner else None,
        "due_on": due,
        "title": title,
        "kind": kind.value if kind else None,
    }
    changes: JSON = {k: v for k, v in candidates.items() if v is not None}
    if not changes:
        raise typer.BadParameter("nothing to change; pass at least one option")
    item = call(url, token, lambda client: client.edit_action(item_id, changes))
    output.print_json(item) if as_json else typer.echo("Updated " + _line(item))
