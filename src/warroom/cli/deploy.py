"""`warroom deploy`: record deployments (changes) and list them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli import output
from warroom.cli.client import DEFAULT_URL, JSON
from warroom.cli.incident import AsJson, At, Token, Url, _time
from warroom.cli.postincident import call, params

app = typer.Typer(help="Record deployments and other changes.", no_args_is_help=True)


@app.command()
def record(
    service: Annotated[str | None, typer.Option(help="The service deployed, e.g. api.")] = None,
    version: Annotated[str | None, typer.Option(help="The version deployed.")] = None,
    summary: Annotated[
        str | None, typer.Option(help="What changed (default: 'Deploy SERVICE VERSION').")
    ] = None,
    link: Annotated[list[str] | None, typer.Option(help="A link (repeatable).")] = None,
    at: At = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Record a deployment, so metrics can give the incident rate per deployment."""
    text = summary or " ".join(["Deploy", *(v for v in (service, version) if v)])
    if not summary and not (service or version):
        raise typer.BadParameter("give --service and --version, or a --summary")
    body: JSON = {"summary": text, "source": "cli", "links": [{"href": h} for h in link or []]}
    body.update({k: v for k, v in {"service": service, "version": version, "at": at}.items() if v})
    change = call(url, token, lambda client: client.record_change(body))
    if as_json:
        output.print_json(change)
        return
    typer.echo(
        f"Recorded change #{change['id']} at {output.when(change['at'])}: {change['summary']}"
    )


@app.command("list")
def list_(
    service: Annotated[str | None, typer.Option(help="Only this service.")] = None,
    since: Annotated[str | None, typer.Option("--from", callback=_time, help="From (ISO).")] = None,
    until: Annotated[str | None, typer.Option("--to", callback=_time, help="To (ISO).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Changes, newest first."""
    query = params(service=service, limit=limit, **{"from": since, "to": until})
    page = call(url, token, lambda client: client.changes(query))
    if as_json:
        output.print_json(page)
        return
    table = Table("At (UTC)", "Service", "Version", "Source", "Summary", title="Changes")
    for change in page["items"]:
        table.add_row(
            output.when(change["at"]),
            change["service"] or "-",
            change["version"] or "-",
            change["source"],
            change["summary"],
        )
    Console(highlight=False).print(table)
