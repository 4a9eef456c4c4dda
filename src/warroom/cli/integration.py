"""`warroom integration create|list|revoke`: integration keys, straight on the database
(run where warroom runs, like `warroom token`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from warroom.cli.common import (
    DatabaseOpt,
    PlaybookOpt,
    database,
    domain_error,
    load,
    out,
    settings,
    stamp,
)
from warroom.clock import SystemClock
from warroom.errors import WarroomError
from warroom.integrations import service as integrations

app = typer.Typer(
    help="Integration keys for alert intake (run on the server; talks to the database).",
    no_args_is_help=True,
)


class IntegrationKind(StrEnum):
    pagerduty = "pagerduty"
    alertmanager = "alertmanager"
    sentry = "sentry"
    generic = "generic"


def _where(kind: str, key: str) -> str:
    if kind == "pagerduty":
        return f"POST /v2/enqueue with routing_key {key}"
    return f"POST /api/v1/intake/{kind}/{key}"


@app.command("create")
def create(
    service: Annotated[str, typer.Option(help="The service its alerts belong to, e.g. api.")],
    kind: Annotated[IntegrationKind, typer.Option(help="What sends the alerts.")],
    name: Annotated[str | None, typer.Option(help="Unique name (default SERVICE-KIND).")] = None,
    signing_secret: Annotated[
        str | None,
        typer.Option(help="Sentry client secret: request signatures are checked when set."),
    ] = None,
    rate_limit: Annotated[
        int | None, typer.Option(min=1, help="Requests per second for this key.")
    ] = None,
    database_url: DatabaseOpt = None,
    playbook: PlaybookOpt = None,
) -> None:
    """Create an integration and print its key once (it is stored hashed)."""
    config = settings(database_url=database_url, playbook=playbook)
    book = load(config.playbook)
    try:
        with database(config.database_url) as session:
            integration, key = integrations.create(
                session,
                playbook=book,
                now=SystemClock().now(),
                service=service,
                kind=kind.value,
                name=name,
                signing_secret=signing_secret,
                rate_limit=rate_limit,
                created_by="cli",
            )
            label = integration.name
    except WarroomError as exc:
        domain_error(exc)
    out.print(
        f"created {kind.value} integration '{label}' for {service} (key shown once; stored "
        f"hashed). Send alerts with: {_where(kind.value, key)}",
        highlight=False,
    )
    typer.echo(key)


@app.command("list")
def list_(database_url: DatabaseOpt = None) -> None:
    """List integrations (never their keys)."""
    config = settings(database_url=database_url)
    with database(config.database_url) as session:
        rows = integrations.list_integrations(session)
    table = Table("name", "kind", "service", "prefix", "rate limit", "created", "revoked")
    for i in rows:
        table.add_row(
            i.name,
            i.kind,
            i.service,
            i.prefix + "…",
            str(i.rate_limit or "default"),
            stamp(i.created_at),
            stamp(i.revoked_at),
        )
    out.print(table)


@app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="The integration's name")],
    database_url: DatabaseOpt = None,
) -> None:
    """Revoke an integration key: its requests are refused (401) from now on."""
    config = settings(database_url=database_url)
    try:
        with database(config.database_url) as session:
            integrations.revoke(session, name=name, now=SystemClock().now())
    except WarroomError as exc:
        domain_error(exc)
    out.print(f"revoked integration '{name}'", highlight=False)
