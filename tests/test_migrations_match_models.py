"""The migrations build the schema the models describe (indexes included), on both databases,
and a database missing any branch's newest migration counts as behind."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine

import warroom.api.app  # noqa: F401 -- imports every domain's models
from warroom import migrate
from warroom.db import Base

# Indexes only a migration creates, on purpose (migration 0006): the metrics queries' covering
# index and the recurrence index on an expression (lower(title)), both declared where they are
# made rather than on the model.
MIGRATION_ONLY = {"ix_incidents_metrics", "ix_incidents_recurrence"}


# SQLite cannot reflect the expression index; it is in MIGRATION_ONLY anyway.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    unexpected = [
        d
        for d in differences
        if not (isinstance(d, tuple) and d[0] == "remove_index" and d[1].name in MIGRATION_ONLY)
    ]
    assert unexpected == []


def test_pending_until_every_branch_is_applied(engine: Engine) -> None:
    # The fixture's database is fully migrated.
    assert not migrate.pending(engine)
    with engine.connect() as connection:
        versions = list(connection.scalars(text("SELECT version_num FROM alembic_version")))
    try:
        # Forget one branch's newest revision (0009, on the intake branch): that branch is
        # behind, though every other head is there.
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version WHERE version_num = '0009'"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0002')"))
        assert migrate.pending(engine)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
        assert migrate.pending(engine)
    finally:  # the PostgreSQL database is shared by the session's tests
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
            for version in versions:
                connection.execute(
                    text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version}
                )
    assert not migrate.pending(engine)
