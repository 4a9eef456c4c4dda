"""The page cache: no database I/O on hits, invalidation by version (any process) and by this
process's writes, and stale pages served when the database is down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.support import auth_header
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.playbook import Playbook
from warroom.statuspage import components, snapshot, version
from warroom.statuspage.cache import PageCache
from warroom.statuspage.snapshot import Snapshot


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def loads() -> list[int]:
    return []


@pytest.fixture
def cache(
    engine: Engine, playbook: Playbook, clock: FrozenClock, ticks: Ticks, loads: list[int]
) -> Iterator[PageCache]:
    def load(session: Session) -> Snapshot:
        snap = snapshot.load(session, playbook=playbook, now=clock.now())
        loads.append(snap.version)
        return snap

    return PageCache(sessions=make_sessionmaker(engine), load=load, monotonic=ticks)


def _api_status(snap: Snapshot) -> bytes:
    return next(c.status for c in snap.components if c.key == "api").encode()


def _set_api(engine: Engine, playbook: Playbook, clock: FrozenClock, status: str) -> None:
    """A write as another process would make it: its own session, committed."""
    with make_sessionmaker(engine)() as session:
        components.set_status(
            session, playbook=playbook, key="api", status=status, actor="other", now=clock.now()
        )
        session.commit()


def test_hits_do_no_io_until_a_check_is_due(
    cache: PageCache, ticks: Ticks, loads: list[int]
) -> None:
    assert cache.fresh("k") is None
    assert cache.get("k", _api_status) == b"operational"
    assert cache.fresh("k") == b"operational"
    ticks.now += 0.5
    assert cache.fresh("k") == b"operational"
    assert len(loads) == 1
    ticks.now += 0.6  # the version check is due: fresh() declines, get() checks
    assert cache.fresh("k") is None
    assert cache.get("k", _api_status) == b"operational"
    assert len(loads) == 1  # same version: not rebuilt


def test_another_process_write_shows_after_the_check_interval(
    cache: PageCache, engine: Engine, playbook: Playbook, clock: FrozenClock, ticks: Ticks
) -> None:
    assert cache.get("k", _api_status) == b"operational"
    _set_api(engine, playbook, clock, "major_outage")
    assert cache.fresh("k") == b"operational"  # within check_every: still the cached page
    ticks.now += cache.check_every
    assert cache.get("k", _api_status) == b"major_outage"


def test_invalidate_checks_at_once(
    cache: PageCache, engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    assert cache.get("k", _api_status) == b"operational"
    _set_api(engine, playbook, clock, "partial_outage")
    cache.invalidate()
    assert cache.fresh("k") is None
    assert cache.get("k", _api_status) == b"partial_outage"


def test_old_documents_are_rebuilt(cache: PageCache, ticks: Ticks, loads: list[int]) -> None:
    cache.get("k", _api_status)
    ticks.now += cache.max_age
    cache.get("k", _api_status)
    assert len(loads) == 2


def test_database_down_serves_the_last_page(
    cache: PageCache, ticks: Ticks, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cache.get("k", _api_status) == b"operational"

    def broken(session: Session) -> int:
        raise OperationalError("SELECT", {}, Exception("database is down"))

    monkeypatch.setattr(version, "current", broken)
    ticks.now += 10 * cache.max_age
    assert cache.get("k", _api_status) == b"operational"


def test_version_bumps_on_public_changes_only(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    start = version.current(session)
    components.set_status(
        session, playbook=playbook, key="api", status="operational", actor="a", now=clock.now()
    )
    assert version.current(session) == start  # no change: no bump
    components.set_status(
        session, playbook=playbook, key="api", status="major_outage", actor="a", now=clock.now()
    )
    assert version.current(session) == start + 1


def test_api_writes_invalidate_this_process(
    client: TestClient, alice_token: str, clock: FrozenClock
) -> None:
    assert client.get("/api/v2/status.json").json()["status"]["indicator"] == "none"
    client.put(
        "/api/v1/statuspage/components/web",
        json={"status": "degraded_performance"},
        headers=auth_header(alice_token),
    )
    clock.advance(timedelta(seconds=1))
    assert client.get("/api/v2/status.json").json()["status"]["indicator"] == "minor"
    assert client.get("/api/v2/status.json").headers["access-control-allow-origin"] == "*"
