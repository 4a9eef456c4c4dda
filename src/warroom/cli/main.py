"""The `warroom` command: server and admin commands, and the responder client of the API."""

from __future__ import annotations

import typer

from warroom.cli import incident, playbook, server, token

app = typer.Typer(
    name="warroom",
    help="warroom: your incident response playbook, run as software.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(server.serve)
app.command("engine")(server.engine_command)
app.add_typer(server.db_app, name="db")
app.add_typer(playbook.app, name="playbook")
app.add_typer(token.app, name="token")
app.add_typer(incident.app, name="incident")


if __name__ == "__main__":  # pragma: no cover
    app()
