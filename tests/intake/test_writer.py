"""Group commit: requests queued together share one commit; a bad one fails alone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from warroom.alerts.event import AlertEvent
from warroom.alerts.models import Alert
from warroom.alerts.writer import GroupCommitter
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.errors import InvalidInput
from warroom.playbook import Playbook


def _event(key: str, service: str = "api") -> AlertEvent:
    return AlertEvent(
        source="monitor", dedup_key=key, action="trigger", summary=f"s {key}", service=service
    )


def test_queued_requests_share_a_commit_and_a_bad_one_fails_alone(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    sessions = make_sessionmaker(engine)
    writer = GroupCommitter(sessions, playbook=playbook, clock=clock, gather_seconds=0.2)
    try:
        good = [writer.submit([_event(f"k{i}"), _event(f"k{i}-b")]) for i in range(5)]
        bad = writer.submit([_event("x"), _event("y", service="nope")])
        results = [future.result(timeout=30) for future in good]
        with pytest.raises(InvalidInput, match="nope"):
            bad.result(timeout=30)
    finally:
        writer.close()
    assert [len(r) for r in results] == [2] * 5
    assert all(alert is not None and alert.id for r in results for alert in r)
    with sessions() as session:
        keys = set(session.scalars(select(Alert.dedup_key)))
        incidents = session.scalar(select(func.count(func.distinct(Alert.incident_id))))
    assert keys == {f"k{i}" for i in range(5)} | {f"k{i}-b" for i in range(5)}
    assert incidents == 1
    assert writer.batches == 1
