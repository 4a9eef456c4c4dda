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


def test_the_startup_heap_is_frozen_once(client: TestClient) -> None:
    """Full collections under load walk only objects made after startup (web/fastpath.py)."""
    import gc

    from warroom.web import fastpath

    assert client.get("/api/v2/status.json").status_code == 200
    assert gc.get_freeze_count() > 0
    assert fastpath.freeze_startup_heap() is False  # once per process, not per application


def test_a_due_check_runs_once_in_the_background_while_the_page_is_served(
    cache: PageCache,
    engine: Engine,
    playbook: Playbook,
    clock: FrozenClock,
    ticks: Ticks,
    loads: list[int],
) -> None:
    assert cache.get("k", _api_status) == b"operational"
    _set_api(engine, playbook, clock, "major_outage")
    ticks.now += cache.check_every
    assert cache.fresh("k") is None  # a check is due...
    assert cache.servable("k") == b"operational"  # ...but nobody waits for it
    assert cache.claim_check() is True
    assert cache.claim_check() is False  # one check at a time
    cache.check()
    assert cache.servable("k") is None  # it found a new version: the old page is dropped
    assert cache.get("k", _api_status) == b"major_outage"
    assert cache.fresh("k") == b"major_outage"
    assert cache.claim_check() is True  # released after the check
    cache.check()
    assert len(loads) == 2


def test_pages_changed_here_or_too_old_are_never_served_stale(
    cache: PageCache, ticks: Ticks
) -> None:
    cache.get("k", _api_status)
    cache.invalidate()  # this process wrote: the next request must see it
    assert cache.servable("k") is None
    cache.get("k", _api_status)
    ticks.now += cache.max_age
    assert cache.servable("k") is None
    assert cache.servable("missing") is None


def test_the_served_path_checks_in_the_background(
    client: TestClient, engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    """Through the fast path: a change by another process shows once the check has run."""
    import time

    from warroom.statuspage.cache import STATE_ATTRIBUTE

    def api_status() -> str:
        summary = client.get("/api/v2/summary.json").json()
        return str({c["name"]: c["status"] for c in summary["components"]}["API"])

    assert api_status() == "operational"
    cache: PageCache = getattr(client.app.state, STATE_ATTRIBUTE)
    cache.check_every = 0.0  # every request finds a check due
    _set_api(engine, playbook, clock, "major_outage")
    deadline = time.monotonic() + 5
    while api_status() != "major_outage":  # served at once; the background check catches up
        assert time.monotonic() < deadline


def test_ingesting_alerts_leaves_the_page_cached(
    client: TestClient,
    engine: Engine,
    session: Session,
    playbook: Playbook,
    clock: FrozenClock,
) -> None:
    """An alert storm is not public state: no alert bumps the page version, so the cached
    documents stay valid (only a component the engine then moves, or a public update, would)."""
    from warroom.integrations import service as integrations
    from warroom.statuspage.automatic import AutomaticComponentStatus

    _row, key = integrations.create(
        session, playbook=playbook, now=clock.now(), service="api", kind="generic"
    )
    session.commit()
    start = version.current(session)
    for n in range(20):
        response = client.post(
            f"/api/v1/intake/generic/{key}",
            json={"summary": f"disk {n} filling", "source": "bench", "severity": "warning"},
        )
        assert response.status_code < 300, response.text
    assert AutomaticComponentStatus(playbook).run(session, clock.now()) == 0
    session.commit()
    assert version.current(session) == start
