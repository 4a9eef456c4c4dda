"""`warroom checklist`: an incident's closure checklist, and ticking items by hand."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli import output
from warroom.cli.client import DEFAULT_URL, JSON
from warroom.cli.incident import AsJson, Ref, Token, Url
from warroom.cli.postincident import call

app = typer.Typer(help="The closure checklist of an incident.", no_args_is_help=True)


def render(data: JSON) -> None:
    """The checklist as a table, then any overrides."""
    table = Table("", "Item", "How", "Note", title=f"Closure checklist — {data['ref']}")
    for item in data["items"]:
        how = item["checked_by"] or ("auto" if item["auto"] else "manual")
        if item["by"]:
            how += f" by {item['by']}"
        table.add_row(
            "[x]" if item["done"] else "[ ]", f"{item['id']}: {item['text']}", how, item["note"]
        )
    console = Console(highlight=False)
    console.print(table, markup=False)
    for override in data["overrides"]:
        console.print(
            f"Override by {override['by']} at {output.when(override['at'])} with "
            f"{', '.join(override['open_items'])} open: {override['reason']}",
            markup=False,
        )


@app.command()
def show(ref: Ref, url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Each item, done or open, and who or what checked it."""
    data = call(url, token, lambda client: client.checklist(ref))
    output.print_json(data) if as_json else render(data)


@app.command()
def tick(
    ref: Ref,
    item: Annotated[str, typer.Argument(help="The item's id, e.g. service_restored.")],
    note: Annotated[str, typer.Option(help="How it was checked.")] = "",
    undo: Annotated[bool, typer.Option("--undo", help="Untick it.")] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Tick an item by hand (recorded on the timeline)."""
    state = call(url, token, lambda client: client.tick(ref, item, done=not undo, note=note))
    if as_json:
        output.print_json(state)
        return
    typer.echo(f"{ref}: {state['id']} {'checked' if state['done'] else 'open'}")
