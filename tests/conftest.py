"""Shared fixtures. Every database test runs on SQLite, and on PostgreSQL when
WARROOM_TEST_POSTGRES_URL is set (each run gets its own throw-away database there)."""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from tests.support import free_port
from warroom import migrate
from warroom.api.app import create_app
from warroom.auth import service as auth
from warroom.clock import FrozenClock
from warroom.config import Settings
from warroom.db import make_engine, make_sessionmaker, normalize_url
from warroom.models import Base
from warroom.playbook import Playbook, default_playbook

POSTGRES_URL = os.environ.get("WARROOM_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("WARROOM_TEST_POSTGRES_URL is not set")
    admin_url = make_url(normalize_url(POSTGRES_URL))
    name = f"warroom_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "warroom.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("_postgres_database")
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_sessionmaker(engine)() as session:
        yield session


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def playbook() -> Playbook:
    return default_playbook()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url)


@pytest.fixture
def app(settings: Settings, playbook: Playbook, clock: FrozenClock, engine: Engine) -> FastAPI:
    return create_app(settings, playbook=playbook, clock=clock, engine=engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def _token(engine: Engine, playbook: Playbook, clock: FrozenClock, **kwargs: str | None) -> str:
    with make_sessionmaker(engine)() as session:
        _token_row, secret = auth.create_token(
            session,
            playbook=playbook,
            now=clock.now(),
            **kwargs,  # type: ignore[arg-type]
        )
        session.commit()
    return secret


@pytest.fixture
def admin_token(engine: Engine, playbook: Playbook, clock: FrozenClock) -> str:
    return _token(engine, playbook, clock, name="admin", role="admin", person=None)


@pytest.fixture
def alice_token(engine: Engine, playbook: Playbook, clock: FrozenClock) -> str:
    """A responder token belonging to the playbook's person alice."""
    return _token(engine, playbook, clock, name="alice-laptop", role="responder", person="alice")


@pytest.fixture
def bob_token(engine: Engine, playbook: Playbook, clock: FrozenClock) -> str:
    return _token(engine, playbook, clock, name="bob-laptop", role="responder", person="bob")


@pytest.fixture
def viewer_token(engine: Engine, playbook: Playbook, clock: FrozenClock) -> str:
    return _token(engine, playbook, clock, name="dashboard", role="viewer", person=None)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn on loopback; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)
