"""Benchmark: the monthly review and `GET /api/v1/metrics` for a year over 100,000 incidents.

Loads 100,000 incidents with their timelines (four events each), deployments and action items,
spread over the two years before 2026-12-01, by bulk insert; then times (median of 3 runs):

- the monthly review of 2026-11 (metrics + six-month trend, rendered as Markdown and HTML);
- `GET /api/v1/metrics?from=2025-12-01&to=2026-12-01` through the real FastAPI app.

Target: under 2 s each, on SQLite and on PostgreSQL.

    .venv/bin/python bench/metrics.py                        # SQLite in a temporary directory
    .venv/bin/python bench/metrics.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/metrics.py --incidents 20000      # a quicker run
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Engine, make_url

from warroom import migrate
from warroom.actions.models import ActionItem
from warroom.api.app import create_app
from warroom.auth import service as auth
from warroom.changes.models import Change
from warroom.clock import FrozenClock
from warroom.config import Settings
from warroom.db import make_engine, make_sessionmaker, normalize_url
from warroom.incidents.models import Incident
from warroom.metrics import html, markdown, review
from warroom.metrics.period import month
from warroom.playbook import default_playbook
from warroom.timeline.models import TimelineEvent

END = datetime(2026, 12, 1, tzinfo=UTC)
START = END - timedelta(days=730)
NOW = END + timedelta(days=2)
SERVICES = ["api", "web", "database", "cache", "websocket"]
SEVERITIES = ["P0", "P1", "P2", "P3"]
SEVERITY_WEIGHTS = [2, 10, 40, 48]
PROBLEMS = [
    "Checkout is down",
    "Login failures",
    "Slow search",
    "5xx spike",
    "Cache misses",
    "Connection pool exhausted",
    "WebSocket disconnects",
    "Payment gateway timeout",
    "Stale data served",
    "Rate limit errors",
    "Deploy broke assets",
    "Certificate expired",
]
BATCH = 5_000
RUNS = 3


def _incidents(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    span = (END - START).total_seconds()
    for _ in range(count):
        detected = START + timedelta(seconds=rng.uniform(0, span))
        severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
        ack = timedelta(seconds=rng.lognormvariate(5.5, 1.0))
        mitigate = ack + timedelta(seconds=rng.lognormvariate(7.5, 1.0))
        resolve = mitigate + timedelta(seconds=rng.lognormvariate(7.0, 1.0))
        # A few incidents lack a timestamp, as real data does; the metrics must flag them.
        impact = None if rng.random() < 0.08 else detected - timedelta(minutes=rng.uniform(0, 30))
        resolved = detected + resolve
        still_open = resolved > NOW or rng.random() < 0.01
        yield {
            # 12 problems x 200 places x 5 services: types recur, as real ones do, now and then.
            "title": f"{rng.choice(PROBLEMS)} on node {rng.randint(1, 200)}",
            "severity": severity,
            "status": "investigating" if still_open else "closed",
            "service": rng.choice(SERVICES),
            "impact": "",
            "created_by": "@bench",
            "created_at": detected,
            "updated_at": detected,
            "impact_started_at": impact,
            "detected_at": detected,
            "declared_at": detected if severity in ("P0", "P1") else None,
            "acknowledged_at": None if rng.random() < 0.03 else detected + ack,
            "mitigated_at": None if still_open else detected + mitigate,
            "resolved_at": None if still_open else resolved,
            "closed_at": None if still_open else resolved + timedelta(hours=1),
        }


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _events(first_id: int, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    events = []
    for offset, incident in enumerate(batch):
        steps = [
            ("created", incident["detected_at"], "opened"),
            ("acknowledged", incident["acknowledged_at"], "Acknowledged"),
            ("status_changed", incident["mitigated_at"], "verifying → monitoring"),
            ("status_changed", incident["resolved_at"], "monitoring → resolved"),
        ]
        for kind, at, body in steps:
            if at is not None:
                events.append(
                    {
                        "incident_id": first_id + offset,
                        "at": at,
                        "recorded_at": at,
                        "kind": kind,
                        "actor": "@bench",
                        "body": body,
                        "data": {},
                    }
                )
    return events


def load(engine: Engine, count: int) -> None:
    """Bulk-insert the incidents, their timelines, deployments and action items."""
    rng = random.Random(7)
    started = time.perf_counter()
    next_id = 1
    with engine.begin() as connection:
        for batch in _batches(_incidents(count, rng)):
            connection.execute(insert(Incident), batch)
            connection.execute(insert(TimelineEvent), _events(next_id, batch))
            next_id += len(batch)
        span = (END - START).total_seconds()
        changes = [
            {
                "service": rng.choice(SERVICES),
                "summary": "Deploy",
                "source": "bench",
                "version": f"1.{i}",
                "at": START + timedelta(seconds=rng.uniform(0, span)),
                "recorded_at": NOW,
                "links": [],
                "details": {},
            }
            for i in range(count // 2)
        ]
        for start in range(0, len(changes), BATCH):
            connection.execute(insert(Change), changes[start : start + BATCH])
        items = [
            {
                "incident_id": rng.randint(1, count),
                "title": "Follow up",
                "owner": "bob",
                "due_on": date(2026, 1, 1) + timedelta(days=rng.randint(0, 400)),
                "status": rng.choice(["todo", "in_progress", "done", "done", "wont_do"]),
                "kind": rng.choice(["preventive", "process", "monitoring"]),
                "created_at": START,
                "created_by": "@bench",
                "updated_at": START,
            }
            for _ in range(count // 5)
        ]
        for start in range(0, len(items), BATCH):
            connection.execute(insert(ActionItem), items[start : start + BATCH])
        connection.execute(text("ANALYZE"))
    print(
        f"  loaded {count:,} incidents (+ timelines, {count // 2:,} deployments, "
        f"{count // 5:,} action items) in {time.perf_counter() - started:.1f} s"
    )


def timed(what: Callable[[], object]) -> tuple[float, float]:
    """Median and best of RUNS runs, in seconds."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        what()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def measure(name: str, url: str, count: int) -> list[tuple[str, str, float, float]]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    load(engine, count)
    playbook = default_playbook()
    sessions = make_sessionmaker(engine)

    def monthly() -> None:
        with sessions() as session:
            built = review.build(session, playbook=playbook, period=month("2026-11"), now=NOW)
            markdown.render(built)
            html.render(built)

    with sessions() as session:
        _row, token = auth.create_token(
            session, name="bench", role="viewer", person=None, playbook=playbook, now=NOW
        )
        session.commit()
    app = create_app(
        Settings(database_url=url), playbook=playbook, clock=FrozenClock(NOW), engine=engine
    )
    with TestClient(app) as client:

        def year() -> None:
            response = client.get(
                "/api/v1/metrics",
                params={"from": "2025-12-01", "to": "2026-12-01"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200, response.text

        results = [
            (name, "monthly review 2026-11 (md + html)", *timed(monthly)),
            (name, "GET /api/v1/metrics, one year", *timed(year)),
        ]
    engine.dispose()
    return results


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A throw-away database on the server, dropped afterwards."""
    admin = create_engine(make_url(normalize_url(admin_url)), isolation_level="AUTOCOMMIT")
    name = f"warroom_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(normalize_url(admin_url))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a database is created there)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    results = []
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            print("SQLite:")
            results += measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.incidents)
    if args.postgres:
        with postgres_database(args.postgres) as url:
            print("PostgreSQL:")
            results += measure("PostgreSQL", url, args.incidents)
    print(f"\n{'database':<11} {'what':<38} {'median':>8} {'best':>8}  (target < 2 s)")
    for name, what, median, best in results:
        verdict = "ok" if median < 2 else "SLOW"
        print(f"{name:<11} {what:<38} {median:>7.3f}s {best:>7.3f}s  {verdict}")


if __name__ == "__main__":
    main()
