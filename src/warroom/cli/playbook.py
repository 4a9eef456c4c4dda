"""`warroom playbook validate|show|init`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from warroom.cli.common import PlaybookOpt, fail, load, out, print_problems
from warroom.errors import PlaybookError
from warroom.playbook import default_playbook_text, dump_playbook, load_playbook

app = typer.Typer(help="Validate, show and start from the playbook.", no_args_is_help=True)


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="The playbook YAML file to check")],
) -> None:
    """Check a playbook; list every problem with its path and line (exit 1), or exit 0."""
    try:
        book = load_playbook(file)
    except PlaybookError as exc:
        print_problems(exc)
        raise typer.Exit(1) from None
    out.print(
        f"{file}: OK — {len(book.severities)} severities, {len(book.roles)} roles, "
        f"{len(book.people)} people, {len(book.teams)} teams, {len(book.services)} services",
        highlight=False,
    )


@app.command("show")
def show(playbook: PlaybookOpt = None) -> None:
    """Print the effective playbook (the default when none is configured), secrets redacted."""
    typer.echo(dump_playbook(load(playbook)), nl=False)


@app.command("init")
def init(
    path: Annotated[Path, typer.Argument(help="Where to write it")] = Path("playbook.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
) -> None:
    """Write the default playbook to a file for your team to edit."""
    if path.exists() and not force:
        fail(f"{path} exists; pass --force to overwrite it")
    path.write_text(default_playbook_text(), encoding="utf-8")
    out.print(
        f"wrote {path}; edit it, check it with `warroom playbook validate {path}`, and start "
        f"with `warroom serve --playbook {path}`",
        highlight=False,
    )
