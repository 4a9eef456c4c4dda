"""Migration 0008 on a database that already has status page rows: components set by hand stay
held, operational ones pass to automation, and existing subscriptions stay confirmed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from tests.conftest import POSTGRES_URL
from warroom import migrate
from warroom.db import make_engine, normalize_url


@pytest.fixture(params=["sqlite", "postgres"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database (not the migrated template the other tests share)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        engine.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("WARROOM_TEST_POSTGRES_URL is not set")
    admin_url = make_url(normalize_url(POSTGRES_URL))
    name = f"warroom_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin_url.set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_0008_keeps_what_people_set(fresh: Engine) -> None:
    migrate.upgrade(fresh, "0005")
    with fresh.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO statuspage_components (key, status, created_at, updated_at, "
                "updated_by) VALUES ('api', 'major_outage', :t, :t, '@alice'), "
                "('web', 'operational', :t, :t, '@bob')"
            ),
            {"t": "2026-11-01 10:00:00+00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO statuspage_subscriptions (target, components, token, created_at, "
                "created_by) VALUES ('mailto://dana@example.com', '[]', 'tok', :t, '@alice')"
            ),
            {"t": "2026-11-01 10:00:00+00:00"},
        )
    migrate.upgrade(fresh)
    assert not migrate.pending(fresh)
    with fresh.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT key, status, automatic, reason, held_for_incident_id "
                "FROM statuspage_components ORDER BY key"
            )
        ).all()
        confirmed = connection.execute(
            text("SELECT confirmed_at IS NOT NULL, confirm_token FROM statuspage_subscriptions")
        ).one()
    assert [tuple(r) for r in rows] == [
        ("api", "major_outage", False, "", None),
        ("web", "operational", True, "no cause", None),
    ]
    assert tuple(confirmed) == (True, None)
