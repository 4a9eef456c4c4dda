"""Benchmark: the database's own ceiling for what batched intake stores, without warroom.

Every new alert intake acknowledges is two durable rows: the alert and the ``alert`` event on
its incident's timeline. This inserts those same rows (the same columns, indexes, foreign keys
and sizes as ``bench/intake.py``'s 100-alert Alertmanager batches), 100 alerts per transaction,
through the fastest path warroom has (``alerts.bulk``: SQLite executemany, PostgreSQL COPY),
with no HTTP, parsing, dedup, triage or grouping, and prints alerts/s. No intake can beat it on
the same machine; ``bench/intake.py --ceiling`` prints it beside warroom and Alertmanager.

SQLite is written by one process (one writer at a time: more only take turns); PostgreSQL by
``--writers`` processes at once (default: one per core, as ``warroom serve`` runs workers).

    .venv/bin/python bench/intake_ceiling.py [--seconds 5] [--writers 2] \\
        [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake_batch import _events, _sqlite_database, write

from intake import _postgres_database, _prepare
from warroom.alerts import bulk
from warroom.alerts.models import Alert
from warroom.clock import SystemClock
from warroom.db import make_engine, make_sessionmaker
from warroom.integrations.models import Integration
from warroom.playbook import default_playbook
from warroom.timeline.models import TimelineEvent

BATCH = 100
_ALERTS = cast(Table, Alert.__table__)
_TIMELINE = cast(Table, TimelineEvent.__table__)


def _seed(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A migrated database with an open incident, opened by one real intake batch; that
    batch's last alert row and timeline row, as templates for the rows written here."""
    _prepare(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    playbook = default_playbook()
    with sessions() as session:
        integrations = {row.id: row for row in session.scalars(select(Integration))}
        integration = max(integrations)
        write(session, playbook, integrations, _events(BATCH, integration, 0))
    with engine.connect() as connection:
        alert = connection.execute(select(_ALERTS).order_by(_ALERTS.c.id.desc()).limit(1))
        event = connection.execute(select(_TIMELINE).order_by(_TIMELINE.c.id.desc()).limit(1))
        alert_row, event_row = dict(alert.one()._mapping), dict(event.one()._mapping)
    engine.dispose()
    del alert_row["id"], event_row["id"]
    return alert_row, event_row


def _write(url: str, alert: dict[str, Any], event: dict[str, Any], seconds: float) -> float:
    """Insert batches for ``seconds``; the alerts written per second."""
    engine = make_engine(url)
    written, run = 0, uuid.uuid4().hex[:8]
    with engine.connect() as connection:
        began = time.perf_counter()
        while time.perf_counter() - began < seconds:
            now = SystemClock().now()
            alerts, events = [], []
            for i in range(BATCH):
                key = f"{run}{written:08x}{i:03x}"  # keys shaped as bench/intake.py's
                alerts.append(
                    {**alert, "dedup_key": key, "first_seen_at": now, "last_seen_at": now}
                )
                data = {**event["data"], "dedup_key": key}
                events.append({**event, "at": now, "recorded_at": now, "data": data})
            with connection.begin():  # the driver-level inserts join it; its end commits
                bulk.insert_rows(connection, _TIMELINE, events)
                bulk.insert_rows(connection, _ALERTS, alerts)
            written += BATCH
        elapsed = time.perf_counter() - began
    engine.dispose()
    return written / elapsed


def measure(url: str, seconds: float, writers: int) -> float:
    """Alerts/s the database takes in 100-alert transactions, from ``writers`` processes."""
    alert, event = _seed(url)
    if make_url(url).get_backend_name() == "sqlite":
        writers = 1
    context = multiprocessing.get_context("spawn")
    with context.Pool(writers) as pool:
        # Each writer times its own loop (starting processes is no part of it); they run at
        # the same time, so their rates add up.
        rates = pool.starmap(_write, [(url, alert, event, seconds)] * writers)
    return sum(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--writers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--postgres", help="PostgreSQL server URL; a fresh database is made there")
    args = parser.parse_args()
    databases = [("sqlite", _sqlite_database)]
    if args.postgres:
        databases.append(("postgresql", functools.partial(_postgres_database, args.postgres)))
    for name, database in databases:
        with database() as url:
            rate = measure(url, args.seconds, args.writers)
        print(f"{name:10} {rate:8.0f} alerts/s (alert + timeline row, {BATCH} per transaction)")


if __name__ == "__main__":
    main()
