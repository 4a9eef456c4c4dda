"""Applying Alembic migrations from inside warroom (`warroom db upgrade`, `make run`, tests)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the database schema up to ``revision`` (every branch's newest by default)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def pending(engine: Engine) -> bool:
    """Whether the database is behind the code's newest migration: some branch's head is not
    among what the database's versions (and everything they stand on) have applied.

    Comparing the version rows with the heads alone would call a database behind forever once
    a revision depends on another branch: Alembic then records only the dependent revision."""
    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return not set(script.get_heads()) <= _applied(script, current)


def _applied(script: ScriptDirectory, current: Iterable[str]) -> set[str]:
    """The revisions ``current`` stand on: themselves, their down revisions and dependencies."""
    applied: set[str] = set()
    stack = list(current)
    while stack:
        revision = script.get_revision(stack.pop())
        if revision is None or revision.revision in applied:
            continue
        applied.add(revision.revision)
        for before in (revision.down_revision, revision.dependencies):
            if before is not None:
                stack.extend([before] if isinstance(before, str) else before)
    return applied
