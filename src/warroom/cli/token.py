"""`warroom token create|list|revoke`: administration straight on the database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from warroom.auth import service as auth
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

app = typer.Typer(
    help="API tokens (run on the server; talks to the database).", no_args_is_help=True
)


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="A name for the token")],
    role: Annotated[str, typer.Option("--role", help="admin, responder or viewer")] = "responder",
    person: Annotated[
        str | None, typer.Option("--person", help="Playbook handle of the person using it")
    ] = None,
    database_url: DatabaseOpt = None,
    playbook: PlaybookOpt = None,
) -> None:
    """Create a token and print its secret once."""
    config = settings(database_url=database_url, playbook=playbook)
    book = load(config.playbook)
    try:
        with database(config.database_url) as session:
            _token, secret = auth.create_token(
                session,
                name=name,
                role=role,
                person=person,
                playbook=book,
                now=SystemClock().now(),
                created_by="cli",
            )
    except WarroomError as exc:
        domain_error(exc)
    out.print(f"created {role} token '{name}' (shown once; stored hashed):", highlight=False)
    typer.echo(secret)


@app.command("list")
def list_(database_url: DatabaseOpt = None) -> None:
    """List tokens (never their secrets)."""
    config = settings(database_url=database_url)
    with database(config.database_url) as session:
        tokens = auth.list_tokens(session)
    table = Table("name", "role", "person", "prefix", "created", "last used", "revoked")
    for t in tokens:
        table.add_row(
            t.name,
            t.role,
            t.person or "",
            t.prefix + "…",
            stamp(t.created_at),
            stamp(t.last_used_at),
            stamp(t.revoked_at),
        )
    out.print(table)


@app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="The token's name")],
    database_url: DatabaseOpt = None,
) -> None:
    """Revoke a token; requests with it are refused from now on."""
    config = settings(database_url=database_url)
    try:
        with database(config.database_url) as session:
            auth.revoke_token(session, name=name, now=SystemClock().now())
    except WarroomError as exc:
        domain_error(exc)
    out.print(f"revoked token '{name}'", highlight=False)
