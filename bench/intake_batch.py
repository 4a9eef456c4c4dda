"""Benchmark: the intake writer's cost per batch, in process, without HTTP.

Applies batches of new alerts through the writer's own path (``service.Prepared``, then
``service.apply_events`` and a commit on one connection) and prints, per batch, the wall time
and the CPU time of this Python process and of the PostgreSQL backend serving it. CPU time per
batch moves far less than throughput when the machine is shared, so this is the figure to
compare a change of the write path by (run it before and after, in the same hour).

    .venv/bin/python bench/intake_batch.py [--sizes 1 8 100] [--batches 400] \\
        [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import _postgres_database, _prepare
from warroom.alerts import service, writer
from warroom.alerts.event import AlertEvent
from warroom.clock import SystemClock
from warroom.db import make_engine, make_sessionmaker
from warroom.integrations.models import Integration
from warroom.playbook import Playbook, default_playbook

WARMUP = 10


def _events(size: int, integration: int, batch: int) -> list[AlertEvent]:
    """Alertmanager-like new alerts of one group (what bench/intake.py sends)."""
    return [
        AlertEvent(
            source="alertmanager",
            dedup_key=uuid.uuid4().hex,
            action="trigger",
            summary=f"Disk 90% full on db-{batch}-{i}",
            severity="warning",
            labels={"alertname": "DiskFull", "instance": f"db-{batch}-{i}", "severity": "warning"},
            raw={"status": "firing", "labels": {"alertname": "DiskFull"}, "fingerprint": "f"},
            integration_id=integration,
            group_key='{}:{alertname="DiskFull"}',
        )
        for i in range(size)
    ]


def write(
    session: Session,
    playbook: Playbook,
    integrations: dict[int, Integration],
    events: list[AlertEvent],
) -> None:
    """Apply ``events`` the way the intake writer does (``Prepared``, then ``apply_events``)
    and commit."""
    prepared = service.Prepared(playbook, events, integrations)
    service.apply_events(
        session,
        playbook=playbook,
        now=SystemClock().now(),
        events=events,
        integrations=integrations,
        prepared=prepared,
    )
    session.commit()


def _backend_seconds(connection: Connection) -> float | None:
    """CPU seconds of the PostgreSQL backend serving ``connection`` (None elsewhere)."""
    if connection.dialect.name != "postgresql":
        return None
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    connection.commit()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str, size: int, batches: int) -> str:
    _prepare(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    playbook = default_playbook()
    with sessions() as session:
        integrations = {row.id: row for row in session.scalars(select(Integration))}
        for row in integrations.values():
            session.expunge(row)
    integration = max(integrations)
    connection = writer.connect(engine)  # set up as the intake writer's
    wall = 0.0
    start_cpu = start_backend = None
    for n in range(WARMUP + batches):
        if n == WARMUP:
            wall, start_cpu, start_backend = 0.0, os.times(), _backend_seconds(connection)
        events = _events(size, integration, n)
        began = time.perf_counter()
        with sessions(bind=connection) as session:
            write(session, playbook, integrations, events)
        wall += time.perf_counter() - began
    assert start_cpu is not None
    end_cpu, end_backend = os.times(), _backend_seconds(connection)
    connection.close()
    engine.dispose()
    user = (end_cpu.user - start_cpu.user) / batches * 1000
    system = (end_cpu.system - start_cpu.system) / batches * 1000
    line = (
        f"{engine.dialect.name:10} {size:4} events/batch: {wall / batches * 1000:6.2f} ms wall,"
        f" Python {user:5.2f} ms user + {system:4.2f} ms system"
    )
    if start_backend is not None and end_backend is not None:
        line += f", server {(end_backend - start_backend) / batches * 1000:5.2f} ms"
    return line + " per batch"


@contextmanager
def _sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.db"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 8, 100])
    parser.add_argument("--batches", type=int, default=400)
    parser.add_argument("--postgres", help="PostgreSQL server URL; a fresh database is made there")
    args = parser.parse_args()
    databases = [_sqlite_database]
    if args.postgres:
        databases.append(functools.partial(_postgres_database, args.postgres))
    for database in databases:
        for size in args.sizes:
            with database() as url:
                print(measure(url, size, max(60, args.batches * 8 // max(size, 8))), flush=True)


if __name__ == "__main__":
    main()
