"""What the server-side commands share: settings from options, the playbook, error exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from warroom.config import Settings
from warroom.db import make_engine, make_sessionmaker, session_scope
from warroom.errors import PlaybookError, WarroomError
from warroom.playbook import Playbook, default_playbook, load_playbook

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database-url", envvar="WARROOM_DATABASE_URL", help="SQLAlchemy database URL"),
]
PlaybookOpt = Annotated[
    Path | None,
    typer.Option("--playbook", envvar="WARROOM_PLAYBOOK", help="Playbook YAML (default: built-in)"),
]


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def settings(**overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**values)


@contextmanager
def database(url: str) -> Iterator[Session]:
    """One unit of work on the database at ``url`` (committed on success), for admin commands
    that work on the database directly."""
    with session_scope(make_sessionmaker(make_engine(url))) as session:
        yield session


def stamp(at: datetime | None) -> str:
    """A time as admin tables show it (empty for none)."""
    return f"{at:%Y-%m-%d %H:%M}" if at is not None else ""


def load(path: Path | None) -> Playbook:
    """The playbook, or exit 1 listing every problem."""
    try:
        return load_playbook(path) if path else default_playbook()
    except PlaybookError as exc:
        print_problems(exc)
        raise typer.Exit(1) from None


def print_problems(exc: PlaybookError) -> None:
    count = len(exc.problems)
    err.print(f"[bold red]{exc.source}: {count} problem{'s' if count != 1 else ''}[/]")
    for problem in exc.problems:
        where = f"{exc.source}:{problem.line}" if problem.line else exc.source
        path = f"{problem.path}: " if problem.path else ""
        err.print(f"{where}: {path}{problem.message}", highlight=False, markup=False)


def domain_error(exc: WarroomError) -> NoReturn:
    fail(exc.message)
