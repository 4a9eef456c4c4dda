"""One open alert per (scope, dedup key): enforced by the database, and safe under races."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from warroom.alerts import service as alerts
from warroom.alerts.models import Alert
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.incidents.models import Incident
from warroom.playbook import Playbook


def _row(**overrides: object) -> Alert:
    now = FrozenClock().now()
    values: dict[str, object] = {
        "scope": "monitor",
        "source": "monitor",
        "dedup_key": "k",
        "fingerprint": "f",
        "status": "triggered",
        "summary": "s",
        "source_severity": "error",
        "severity": "P2",
        "service": "api",
        "labels": {},
        "links": [],
        "raw": {},
        "count": 1,
        "first_seen_at": now,
        "last_seen_at": now,
    }
    values.update(overrides)
    return Alert(**values)


def test_the_database_refuses_a_second_open_alert(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        session.add(_row())
        session.add(_row(status="resolved"))  # closed ones do not count
        session.add(_row(scope="manual"))  # another scope
        session.commit()
        session.add(_row(status="acknowledged"))
        with pytest.raises(IntegrityError):
            session.commit()


def _race(
    engine: Engine, playbook: Playbook, clock: FrozenClock, writers: int, same_key: bool
) -> list[BaseException]:
    sessions = make_sessionmaker(engine)
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    def trigger(i: int) -> None:
        try:
            barrier.wait()
            with sessions() as session:
                alerts.ingest(
                    session,
                    playbook=playbook,
                    now=clock.now(),
                    source="monitor",
                    dedup_key="race" if same_key else f"race-{i}",
                    action="trigger",
                    summary="Error rate high",
                    service="api",
                )
                session.commit()
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=trigger, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if engine.dialect.name == "postgresql":
        assert failures == []
    return failures


def test_concurrent_triggers_make_one_alert(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    """Several writers (as several API processes would be) race to open the same alert.
    SQLite serializes writers (a loser may get "database is locked", never a duplicate);
    PostgreSQL turns the losers' inserts into repeats."""
    writers = 6
    failures = _race(engine, playbook, clock, writers, same_key=True)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        rows = list(session.scalars(select(Alert)))
        incidents = session.scalar(select(func.count()).select_from(Incident)) or 0
    assert len(rows) == 1
    assert incidents == 1
    assert rows[0].count == writers - len(failures)


def test_concurrent_alerts_of_one_service_open_one_incident(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    failures = _race(engine, playbook, clock, 6, same_key=False)
    with make_sessionmaker(engine)() as session:
        alerts_stored = session.scalar(select(func.count()).select_from(Alert)) or 0
        incidents = session.scalar(select(func.count()).select_from(Incident)) or 0
    assert alerts_stored == 6 - len(failures)
    assert incidents == 1
