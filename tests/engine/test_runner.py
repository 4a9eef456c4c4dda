"""The engine runner: each job's work is one transaction; a failing job does not stop the rest."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.engine.runner import Runner


class Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.seen: list[datetime] = []

    def run(self, session: Session, now: datetime) -> int:
        self.seen.append(now)
        return 1


class Broken:
    name = "broken"

    def run(self, session: Session, now: datetime) -> int:
        session.execute(text("INSERT INTO api_tokens (name) VALUES ('half-written')"))
        raise RuntimeError("boom")


def test_cycle_runs_every_job_at_the_clock_time(engine: Engine, clock: FrozenClock) -> None:
    recorder = Recorder()
    runner = Runner([Broken(), recorder], sessions=make_sessionmaker(engine), clock=clock)
    report = runner.cycle()
    clock.advance(timedelta(minutes=1))
    runner.cycle()
    assert recorder.seen == [clock.now() - timedelta(minutes=1), clock.now()]
    assert report.done == {"recorder": 1}
    assert "boom" in report.failed["broken"] or "IntegrityError" in report.failed["broken"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 0
