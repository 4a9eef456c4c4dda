"""Alembic environment: runs against the connection warroom hands it (see warroom.migrate)."""

from __future__ import annotations

from alembic import context

from warroom.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached through a bare `alembic` command
    from warroom.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///./warroom.db")
    connection = engine.connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
