"""`warroom metrics`: MTTD, MTTA, time to mitigate and MTTR with percentiles, counts and rates."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli import output
from warroom.cli.client import DEFAULT_URL, JSON
from warroom.cli.incident import AsJson, Token, Url
from warroom.cli.postincident import call, params
from warroom.errors import InvalidInput
from warroom.metrics.definitions import format_duration
from warroom.metrics.markdown import percent
from warroom.metrics.period import parse_instant


def _instant(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_instant(value, "time").isoformat()
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message) from None


def metrics(
    since: Annotated[
        str | None,
        typer.Option(
            "--from", callback=_instant, help="Start, e.g. 2026-11-01 (default: 30 days ago)."
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", callback=_instant, help="End, exclusive (default: now).")
    ] = None,
    service: Annotated[str | None, typer.Option(help="Only this service.")] = None,
    include_drills: Annotated[
        bool, typer.Option("--include-drills", help="Count game-day drill incidents too.")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Incident metrics for a period, with their definitions."""
    query = params(
        service=service, include_drills=include_drills or None, **{"from": since, "to": until}
    )
    data = call(url, token, lambda client: client.metrics(query))
    if as_json:
        output.print_json(data)
        return
    render(data)


def render(data: JSON) -> None:
    """The metrics as tables, then the definitions."""
    console = Console(highlight=False)
    console.print(
        f"Incidents detected {output.when(data['start'])} to {output.when(data['end'])}"
        + (f", service {data['service']}" if data.get("service") else "")
        + f": {data['incidents']}"
    )
    figures = Table("Figure", "Mean", "Median", "p90", "Measured", "Missing", title="Response")
    for stats in data["figures"].values():
        figures.add_row(
            stats["name"],
            format_duration(stats["mean_seconds"]),
            format_duration(stats["median_seconds"]),
            format_duration(stats["p90_seconds"]),
            str(stats["measured"]),
            str(stats["missing"]) + (" !" if stats["missing"] else ""),
        )
    console.print(figures)
    rate = data["incident_rate_per_deployment"]
    items = data["action_items"]
    rates = Table("Rate", "Value", title="Rates")
    rates.add_row("Changes (deployments)", str(data["changes"]))
    rates.add_row("Incidents per deployment", "-" if rate is None else f"{rate:.2f}")
    rates.add_row("Recurrence rate", f"{percent(data['recurrence_rate'])} ({data['recurring']})")
    rates.add_row("Action items completed", percent(items["completion_rate"]))
    console.print(rates)
    counts = Table("By", "Counts", title="Counts")
    for key in ("by_severity", "by_service", "by_kind"):
        text = ", ".join(f"{k} {n}" for k, n in data[key].items()) or "-"
        counts.add_row(key.removeprefix("by_"), text)
    console.print(counts)
    for stats in data["figures"].values():
        if stats["missing"]:
            console.print(
                f"! {stats['name']}: {stats['missing']} incident(s) lack a timestamp "
                f"({stats['missing_still_open']} still open): {', '.join(stats['missing_refs'])}"
            )
    console.print("Definitions:")
    for key, text in data["definitions"].items():
        console.print(f"  {key}: {text}")
