"""Fixtures for intake tests: integrations with keys, and a helper that ingests one alert."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from warroom.alerts import service as alerts
from warroom.alerts.models import Alert
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.integrations import service as integrations
from warroom.playbook import Playbook


def make_integration(
    engine: Engine,
    playbook: Playbook,
    clock: FrozenClock,
    kind: str,
    service: str = "api",
    **kw: Any,
) -> tuple[int, str]:
    with make_sessionmaker(engine)() as session:
        row, key = integrations.create(
            session, playbook=playbook, now=clock.now(), service=service, kind=kind, **kw
        )
        session.commit()
        return row.id, key


@pytest.fixture
def pd_key(engine: Engine, playbook: Playbook, clock: FrozenClock) -> str:
    return make_integration(engine, playbook, clock, "pagerduty")[1]


@pytest.fixture
def am_key(engine: Engine, playbook: Playbook, clock: FrozenClock) -> str:
    return make_integration(engine, playbook, clock, "alertmanager")[1]


class Ingest:
    """Calls alerts.ingest with the test's session, playbook and clock, committing each time."""

    def __init__(self, session: Session, playbook: Playbook, clock: FrozenClock) -> None:
        self.session, self.playbook, self.clock = session, playbook, clock

    def __call__(self, dedup_key: str, action: str = "trigger", **kw: Any) -> Alert | None:
        kw.setdefault("source", "monitor")
        kw.setdefault("service", "api")
        if action == "trigger":
            kw.setdefault("summary", f"alert {dedup_key}")
        alert = alerts.ingest(
            self.session,
            playbook=self.playbook,
            now=self.clock.now(),
            dedup_key=dedup_key,
            action=action,  # type: ignore[arg-type]
            **kw,
        )
        self.session.commit()
        return alert


@pytest.fixture
def ingest(session: Session, playbook: Playbook, clock: FrozenClock) -> Ingest:
    return Ingest(session, playbook, clock)
