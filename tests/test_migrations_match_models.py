"""The migrations build the schema the models describe (indexes included), on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

import warroom.api.app  # noqa: F401 -- imports every domain's models
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
