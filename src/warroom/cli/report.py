"""`warroom report monthly|quarterly`: the seed's review as Markdown (stdout) or files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from warroom.cli import output
from warroom.cli.client import DEFAULT_URL
from warroom.cli.incident import Token, Url
from warroom.cli.postincident import call, params
from warroom.errors import InvalidInput
from warroom.metrics import period

app = typer.Typer(help="Monthly and quarterly incident reviews.", no_args_is_help=True)

Service = Annotated[str | None, typer.Option(help="Only this service.")]
Out = Annotated[
    Path | None,
    typer.Option(help="Write review-PERIOD.md and review-PERIOD.html into this directory."),
]
Html = Annotated[bool, typer.Option("--html", help="Print the HTML page instead of Markdown.")]


def _month(value: str) -> str:
    try:
        return period.month(value).label
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message) from None


def _quarter(value: str) -> str:
    try:
        return period.quarter(value).label
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message) from None


def _emit(
    kind: str,
    label: str,
    query: list[tuple[str, str]],
    url: str,
    token: str | None,
    out: Path | None,
    html: bool,
) -> None:
    if out is None:
        fmt = "html" if html else "markdown"
        output.print_text(call(url, token, lambda client: client.report(kind, query, fmt)))
        return
    markdown = call(url, token, lambda client: client.report(kind, query, "markdown"))
    page = call(url, token, lambda client: client.report(kind, query, "html"))
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"review-{label}.md").write_text(markdown, encoding="utf-8")
        (out / f"review-{label}.html").write_text(page, encoding="utf-8")
    except OSError as exc:
        output.error(f"cannot write to {out}: {exc.strerror}")
        raise typer.Exit(1) from None
    typer.echo(f"Wrote {out / f'review-{label}.md'} and {out / f'review-{label}.html'}")


@app.command()
def monthly(
    month: Annotated[str, typer.Option(callback=_month, help="The month, e.g. 2026-11.")],
    service: Service = None,
    out: Out = None,
    html: Html = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """The monthly review: frequency and MTTR trends, common types, action items."""
    _emit("monthly", month, params(month=month, service=service), url, token, out, html)


@app.command()
def quarterly(
    quarter: Annotated[str, typer.Option(callback=_quarter, help="The quarter, e.g. 2026Q4.")],
    service: Service = None,
    out: Out = None,
    html: Html = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """The quarterly review: the same over quarters, with the seed's quarterly prompts."""
    _emit("quarterly", quarter, params(quarter=quarter, service=service), url, token, out, html)
