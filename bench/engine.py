"""Benchmark: how late are escalation timers with one and with two engines on PostgreSQL?

10,000 open tickets each have an escalation whose next level falls due at a random moment of
a 10-minute window of simulated time. Engines (separate processes, each the real Runner with
the real EscalationJob at the default 0.25 s cycle) run against a clock that goes SPEED times
faster than real time, so the window takes 600/SPEED real seconds. Lateness is the real time
between a timer falling due and the commit of the transaction that enqueued its page; the
report gives p50/p99/max and counts duplicates (a level paged twice).

    .venv/bin/python bench/engine.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event as EventType
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from warroom import migrate
from warroom.db import make_engine, make_sessionmaker, normalize_url
from warroom.engine.jobs import EscalationJob
from warroom.engine.runner import Runner
from warroom.escalation.models import Escalation
from warroom.escalation.service import policy_for, snapshot
from warroom.incidents.models import Incident
from warroom.playbook import Playbook, default_playbook
from warroom.timeline.models import TimelineEvent

WINDOW = timedelta(minutes=10)
SIM_START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class ScaledClock:
    """Simulated time: SIM_START at ``real_start`` (time.time()), running ``speed`` times faster."""

    real_start: float
    speed: float

    def now(self) -> datetime:
        return SIM_START + timedelta(seconds=(time.time() - self.real_start) * self.speed)

    def real(self, moment: datetime) -> float:
        return self.real_start + (moment - SIM_START).total_seconds() / self.speed


def bench_playbook() -> Playbook:
    data = default_playbook().model_dump(mode="json")
    data["people"][0]["contact"] = [{"url": "json://127.0.0.1:9/alice", "label": "chat"}]
    return Playbook.model_validate(data)


def seed(url: str, playbook: Playbook, count: int, rng: random.Random) -> None:
    """``count`` open P2 tickets, each with an escalation at level 2 due within WINDOW."""
    db = make_engine(url)
    chosen = policy_for(playbook, "P2")
    assert chosen is not None
    name, policy = chosen
    policy_data = snapshot(playbook, "P2", policy)
    created = SIM_START - timedelta(hours=1)
    with db.begin() as connection:
        connection.execute(
            insert(Incident),
            [
                {
                    "title": f"Ticket {i}",
                    "severity": "P2",
                    "status": "triaged",
                    "service": "api",
                    "impact": "",
                    "created_by": "bench",
                    "created_at": created,
                    "updated_at": created,
                    "detected_at": created,
                }
                for i in range(count)
            ],
        )
        ids = connection.execute(select(Incident.id).order_by(Incident.id)).scalars().all()
        connection.execute(
            insert(Escalation),
            [
                {
                    "incident_id": incident_id,
                    "policy_name": name,
                    "policy": policy_data,
                    "severity": "P2",
                    "level": 1,
                    "cycle": 0,
                    "state": "active",
                    "next_at": SIM_START + WINDOW * rng.random(),
                    "started_at": created,
                    "updated_at": created,
                }
                for incident_id in ids
            ],
        )
    db.dispose()


def engine_process(url: str, clock: ScaledClock, stop: EventType, commits: Any) -> None:
    """One engine: the real Runner and EscalationJob; reports (simulated now, real commit)."""
    playbook = bench_playbook()
    db = make_engine(url)
    sessions = make_sessionmaker(db)
    job = EscalationJob(playbook)
    seen: list[tuple[str, float]] = []

    class Timed:
        name = job.name

        def run(self, session: Session, now: datetime) -> int:
            done = job.run(session, now)
            if done:
                event.listen(
                    session,
                    "after_commit",
                    lambda _s: seen.append((now.isoformat(), time.time())),
                    once=True,
                )
            return done

    runner = Runner([Timed()], sessions=sessions, clock=clock)
    while not stop.is_set():
        report = runner.cycle()
        if not any(report.done.values()):
            stop.wait(runner.interval)
    commits.put(seen)
    db.dispose()


def run(admin_url: str, engines: int, count: int, speed: float, seed_value: int) -> dict[str, Any]:
    admin = create_engine(make_url(normalize_url(admin_url)), isolation_level="AUTOCOMMIT")
    name = f"warroom_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_url(admin_url)).set(database=name).render_as_string(False)
    try:
        db = make_engine(url)
        migrate.upgrade(db)
        playbook = bench_playbook()
        seed(url, playbook, count, random.Random(seed_value))
        clock = ScaledClock(real_start=time.time() + 2.0, speed=speed)  # 2 s to start up
        stop = multiprocessing.Event()
        commits: Any = multiprocessing.Queue()
        workers = [
            multiprocessing.Process(target=engine_process, args=(url, clock, stop, commits))
            for _ in range(engines)
        ]
        for worker in workers:
            worker.start()
        time.sleep(max(0.0, clock.real(SIM_START + WINDOW) - time.time()) + 3.0)
        stop.set()
        committed: dict[str, float] = {}
        for _ in workers:
            for now_iso, real in commits.get(timeout=60):
                committed[f"{now_iso}"] = max(real, committed.get(now_iso, 0.0))
        for worker in workers:
            worker.join(30)
        return measure(db, clock, committed, count, engines)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(
    db: Any, clock: ScaledClock, committed: dict[str, float], count: int, engines: int
) -> dict[str, Any]:
    """Lateness from the "level" timeline events (their due time, the cycle that paged them)."""
    with make_sessionmaker(db)() as session:
        levels = session.scalars(
            select(TimelineEvent).where(TimelineEvent.kind == "escalation")
        ).all()
        pages = session.scalar(
            select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "page")
        )
        advanced = session.scalar(
            select(func.count()).select_from(Escalation).where(Escalation.level == 2)
        )
    late = []
    for row in levels:
        due = datetime.fromisoformat(row.data["due_at"])
        commit = committed.get(row.at.isoformat())
        if commit is not None:
            late.append(commit - clock.real(due))
    late.sort()
    db.dispose()
    return {
        "engines": engines,
        "timers": count,
        "paged": len(levels),
        "advanced": advanced,
        "duplicates": (pages or 0) - (advanced or 0),
        "p50": statistics.median(late) if late else float("nan"),
        "p99": late[int(len(late) * 0.99) - 1] if late else float("nan"),
        "max": late[-1] if late else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL server (admin) URL")
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--speed", type=float, default=10.0, help="simulated seconds per real one")
    parser.add_argument("--engines", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(
        f"{args.timers} escalation timers due over {WINDOW} of simulated time "
        f"({WINDOW.total_seconds() / args.speed:.0f} s real), default 0.25 s cycle"
    )
    print("engines  paged   dupes  p50 (s)  p99 (s)  max (s)")
    for engines in args.engines:
        r = run(args.database_url, engines, args.timers, args.speed, args.seed)
        print(
            f"{r['engines']:>7}  {r['paged']:>5}  {r['duplicates']:>6}  {r['p50']:>7.3f}  "
            f"{r['p99']:>7.3f}  {r['max']:>7.3f}"
        )


if __name__ == "__main__":
    main()
