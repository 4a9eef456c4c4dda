"""Benchmark: durable alert intake against the real Alertmanager, in one run.

For SQLite (a fresh file, WAL, synchronous=FULL) and, with --postgres URL, PostgreSQL (a fresh
database created there and dropped after), it starts `warroom serve --api-only` in a separate
process and measures, at --concurrency keep-alive connections for --seconds each:

- PagerDuty Events v2 ``POST /v2/enqueue``, one trigger per request, each a new alert;
- Alertmanager webhooks ``POST /api/v1/intake/alertmanager/{key}``, 100 new alerts per request;

every request answered 202 only after its alerts are committed, with dedup, triage and
grouping into incidents included. Then it starts Debian's Alertmanager on loopback (memory
only, no receiver) and posts the same shapes to its ``POST /api/v2/alerts``, and prints
requests/s, alerts/s, p50/p99 and the ratios to Alertmanager.

    .venv/bin/python bench/intake.py --seconds 5 --concurrency 16 [--workers 2] [--paging] \\
        [--ceiling] [--postgres postgresql://postgres@127.0.0.1:5432/test]

``--ceiling`` adds each database alone taking the same rows (``bench/intake_ceiling.py``): what
no intake can beat on the machine, and how much of it warroom's batches reached.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake_load import LoadResult, request_bytes, run_load, run_paced

from warroom import migrate
from warroom.alerts.models import Alert
from warroom.clock import SystemClock
from warroom.db import make_engine, make_sessionmaker, normalize_url
from warroom.integrations import service as integrations
from warroom.notify.models import Notification
from warroom.playbook import default_playbook, default_playbook_text

HOST = "127.0.0.1"
BATCH = 100
ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"


@dataclass
class Row:
    target: str
    workload: str
    result: LoadResult
    alerts_per_request: int

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.result.statuses.items() if 200 <= status < 300)

    @property
    def requests_per_s(self) -> float:
        return self.ok / self.result.seconds

    @property
    def alerts_per_s(self) -> float:
        return self.requests_per_s * self.alerts_per_request


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(url: str, what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{what} did not start")


# -- warroom --------------------------------------------------------------------------------


@contextmanager
def _postgres_database(url: str) -> Iterator[str]:
    admin_url = make_url(normalize_url(url))
    name = f"warroom_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _prepare(url: str) -> tuple[str, str]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    keys = []
    with make_sessionmaker(engine)() as session:
        for kind in ("pagerduty", "alertmanager"):
            _row, key = integrations.create(
                session,
                playbook=default_playbook(),
                now=SystemClock().now(),
                service="api",
                kind=kind,
                rate_limit=1_000_000,  # measuring throughput, not the limiter
            )
            keys.append(key)
        session.commit()
    engine.dispose()
    return keys[0], keys[1]


@contextmanager
def _warroom(
    url: str, log: Path, *, workers: int, engine: bool = False, playbook: Path | None = None
) -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "WARROOM_DATABASE_URL": url, "WARROOM_LOG_LEVEL": "warning"}
    if playbook is not None:
        env["WARROOM_PLAYBOOK"] = str(playbook)
    mode = "--engine" if engine else "--api-only"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "warroom.cli.main",
            "serve",
            "--port",
            str(port),
            mode,
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(f"http://{HOST}:{port}/health", "warroom serve", process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _pd_request(port: int, key: str, run: str) -> Callable[[int], bytes]:
    def make(n: int) -> bytes:
        body = orjson.dumps(
            {
                "routing_key": key,
                "event_action": "trigger",
                "dedup_key": f"{run}-{n}",
                "payload": {
                    "summary": f"Disk 90% full on db-{n}",
                    "source": f"db-{n}.example.com",
                    "severity": "warning",
                    "component": "disk",
                },
            }
        )
        return request_bytes(HOST, port, "/v2/enqueue", body)

    return make


def _am_alert(run: str, n: int, i: int, now: str) -> dict[str, object]:
    return {
        "status": "firing",
        "labels": {"alertname": "DiskFull", "instance": f"{run}-{n}-{i}", "severity": "warning"},
        "annotations": {"summary": f"Disk 90% full on {run}-{n}-{i}"},
        "startsAt": now,
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": f"{run}{n:08x}{i:03x}",
    }


def _am_request(port: int, key: str, run: str, per: int = BATCH) -> Callable[[int], bytes]:
    now = datetime.now(UTC).isoformat()

    def make(n: int) -> bytes:
        body = orjson.dumps(
            {
                "version": "4",
                "groupKey": '{}:{alertname="DiskFull"}',
                "status": "firing",
                "receiver": "warroom",
                "groupLabels": {"alertname": "DiskFull"},
                "commonLabels": {"alertname": "DiskFull"},
                "commonAnnotations": {},
                "externalURL": "http://alertmanager:9093",
                "alerts": [_am_alert(run, n, i, now) for i in range(per)],
            }
        )
        return request_bytes(HOST, port, f"/api/v1/intake/alertmanager/{key}", body)

    return make


def bench_warroom(
    label: str, url: str, args: argparse.Namespace, tmp: Path, workers: int
) -> list[Row]:
    pd_key, am_key = _prepare(url)
    rows = []
    with _warroom(url, tmp / f"{label}.log", workers=workers) as port:
        for workload, make, per in (
            ("PD v2, 1 event/request", _pd_request(port, pd_key, "pd"), 1),
            ("AM webhook, 100 alerts/request", _am_request(port, am_key, "am"), BATCH),
        ):
            result = asyncio.run(
                run_load(HOST, port, make, concurrency=args.concurrency, duration=args.seconds)
            )
            rows.append(Row(f"warroom {label} w{workers}", workload, result, per))
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        stored = session.scalar(select(func.count()).select_from(Alert)) or 0
    engine.dispose()
    acknowledged = sum(row.ok * row.alerts_per_request for row in rows)
    print(f"  {label}: {acknowledged} alerts acknowledged, {stored} stored", file=sys.stderr)
    return rows


# -- alert → incident → first page, under a steady 1,000 alerts/s ----------------------------

PAGED_PLAYBOOK_EDITS = [
    # a short window, so every probe opens its own incident
    ("grouping_window: 30m", "grouping_window: 1s"),
    # alice gets a contact method, so paging her enqueues a notification (delivery will fail,
    # which is not what this measures)
    (
        "    title: Engineering Lead\n    timezone: Europe/London\n",
        "    title: Engineering Lead\n    timezone: Europe/London\n"
        "    contact:\n      - url: json://127.0.0.1:9/page\n",
    ),
]


def bench_paging(label: str, url: str, args: argparse.Namespace, tmp: Path, workers: int) -> None:
    """Probe alerts (critical, service web: a P1 paging alice at once) every 1.5 s while
    Alertmanager batches bring 1,000 alerts/s to service api; time 202 and first page."""
    text_ = default_playbook_text()
    for old, new in PAGED_PLAYBOOK_EDITS:
        assert old in text_, old
        text_ = text_.replace(old, new, 1)
    book = tmp / "paging.yaml"
    book.write_text(text_)
    engine = make_engine(url)
    migrate.upgrade(engine)
    keys = {}
    with make_sessionmaker(engine)() as session:
        for kind, service in (("pagerduty", "web"), ("alertmanager", "api")):
            _row, keys[kind] = integrations.create(
                session,
                playbook=default_playbook(),
                now=SystemClock().now(),
                service=service,
                kind=kind,
                rate_limit=1_000_000,
            )
        session.commit()
    sessions = make_sessionmaker(engine)

    def paged(dedup: str) -> bool:
        with sessions() as session:
            incident = session.scalar(select(Alert.incident_id).where(Alert.dedup_key == dedup))
            if incident is None:
                return False
            query = select(func.count()).where(Notification.incident_id == incident)
            return bool(session.scalar(query))

    with _warroom(
        url, tmp / f"paging-{label}.log", workers=workers, engine=True, playbook=book
    ) as port:
        per_request = 50
        background = _am_request(port, keys["alertmanager"], "bg", per=per_request)
        probe_latency: list[float] = []
        page_latency: list[float] = []

        async def probes() -> None:
            for n in range(int(args.seconds * 2 / 1.5)):
                await asyncio.sleep(1.5)
                # a fresh connection each time: an idle one may have timed out meanwhile
                reader, writer = await asyncio.open_connection(HOST, port)
                dedup = f"probe-{n}"
                body = orjson.dumps(
                    {
                        "routing_key": keys["pagerduty"],
                        "event_action": "trigger",
                        "dedup_key": dedup,
                        "payload": {
                            "summary": "Login failures",
                            "source": "probe",
                            "severity": "critical",
                        },
                    }
                )
                began = time.perf_counter()
                writer.write(request_bytes(HOST, port, "/v2/enqueue", body))
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
                probe_latency.append(time.perf_counter() - began)
                writer.close()
                while not await asyncio.to_thread(paged, dedup):
                    if time.perf_counter() - began > 30:
                        break
                    await asyncio.sleep(0.005)
                page_latency.append(time.perf_counter() - began)

        async def both() -> LoadResult:
            load = run_paced(
                HOST, port, background, rate=1000 / per_request, duration=args.seconds * 2
            )
            result, _ = await asyncio.gather(load, probes())
            return result

        load = asyncio.run(both())
    engine.dispose()
    alerts_per_s = sum(load.statuses.values()) * per_request / load.seconds
    print(
        f"\npaging under load, {label} w{workers}: background {alerts_per_s:.0f} alerts/s "
        f"(p99 {load.percentile(99):.0f} ms); {len(page_latency)} probes: "
        f"alert→incident (202) p50 {_pct(probe_latency, 50):.0f} ms p99 "
        f"{_pct(probe_latency, 99):.0f} ms; alert→first page enqueued p50 "
        f"{_pct(page_latency, 50):.0f} ms p99 {_pct(page_latency, 99):.0f} ms"
    )


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000


# -- Alertmanager ---------------------------------------------------------------------------


@contextmanager
def _alertmanager(tmp: Path) -> Iterator[int]:
    port = _free_port()
    config = tmp / "alertmanager.yml"
    config.write_text("route:\n  receiver: none\nreceivers:\n  - name: none\n")
    process = subprocess.Popen(
        [
            ALERTMANAGER,
            f"--config.file={config}",
            f"--storage.path={tmp / 'am-data'}",
            f"--web.listen-address={HOST}:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(f"http://{HOST}:{port}/-/ready", "alertmanager", process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _am_native(port: int, run: str, per: int) -> Callable[[int], bytes]:
    now = datetime.now(UTC).isoformat()

    def make(n: int) -> bytes:
        alerts = [
            {
                "labels": {"alertname": "DiskFull", "instance": f"{run}-{n}-{i}"},
                "annotations": {"summary": f"Disk 90% full on {run}-{n}-{i}"},
                "startsAt": now,
                "generatorURL": "http://prometheus:9090/graph",
            }
            for i in range(per)
        ]
        return request_bytes(HOST, port, "/api/v2/alerts", orjson.dumps(alerts))

    return make


def bench_alertmanager(args: argparse.Namespace, tmp: Path) -> list[Row]:
    rows = []
    with _alertmanager(tmp) as port:
        for workload, per in (("1 alert/request", 1), (f"{BATCH} alerts/request", BATCH)):
            result = asyncio.run(
                run_load(
                    HOST,
                    port,
                    _am_native(port, f"r{per}", per),
                    concurrency=args.concurrency,
                    duration=args.seconds,
                )
            )
            rows.append(Row("alertmanager (memory)", workload, result, per))
    return rows


# -- the databases' own ceiling ------------------------------------------------------------


def ceilings(args: argparse.Namespace, rows: list[Row], reference: list[Row]) -> None:
    """Each database alone taking what 100-alert batches store (an alert row and a timeline
    row per alert), beside warroom's batches and Alertmanager's."""
    from intake_ceiling import measure  # imports this module

    batched = {r.target.split()[1]: r for r in rows if r.alerts_per_request == BATCH}
    am = next((r for r in reference if r.alerts_per_request == BATCH), None)
    print(
        f"\ndatabase alone, {BATCH} alerts (an alert and a timeline row each) per transaction, "
        "no HTTP, parsing, dedup, triage or grouping:"
    )
    targets: list[tuple[str, Callable[[], Any]]] = []
    if not args.no_sqlite:
        targets.append(("sqlite", _sqlite_scratch))
    if args.postgres:
        targets.append(("postgresql", lambda: _postgres_database(args.postgres)))
    for name, database in targets:
        with database() as url:
            writers = args.postgres_workers or args.workers
            rate = measure(url, args.seconds, writers)
        line = f"  {name:<12} {rate:>8.0f} alerts/s"
        if am is not None and am.alerts_per_s:
            line += f"  ({rate / am.alerts_per_s:.2f}x Alertmanager)"
        if name in batched:
            line += f"; warroom's batches reached {batched[name].alerts_per_s / rate:.2f} of it"
        print(line)


@contextmanager
def _sqlite_scratch() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="warroom-ceiling-") as folder:
        yield f"sqlite:///{Path(folder) / 'ceiling.db'}"


# -- report ---------------------------------------------------------------------------------


def report(rows: list[Row], reference: list[Row]) -> None:
    print(
        f"{'target':<24} {'workload':<32} {'req/s':>9} {'alerts/s':>10} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'x AM':>6}"
    )
    for row in rows + reference:
        ref = next((r for r in reference if r.alerts_per_request == row.alerts_per_request), None)
        ratio = row.alerts_per_s / ref.alerts_per_s if ref and ref.alerts_per_s else float("nan")
        bad = sum(n for status, n in row.result.statuses.items() if not 200 <= status < 300)
        print(
            f"{row.target:<24} {row.workload:<32} {row.requests_per_s:>9.0f} "
            f"{row.alerts_per_s:>10.0f} {row.result.percentile(50):>8.1f} "
            f"{row.result.percentile(99):>8.1f} {bad:>8} {ratio:>6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--postgres", help="PostgreSQL server URL; a fresh database is made there")
    parser.add_argument("--no-alertmanager", action="store_true")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="`warroom serve --workers` (default: one per core)",
    )
    parser.add_argument(
        "--postgres-workers",
        type=int,
        help="`--workers` for the PostgreSQL run (default: --workers)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument(
        "--paging", action="store_true", help="also time alert → first page at 1,000 alerts/s"
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also measure each database alone taking the same rows (bench/intake_ceiling.py)",
    )
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as name:
        tmp = Path(name)
        rows = []
        if not args.no_sqlite:
            sqlite = f"sqlite:///{tmp / 'bench.db'}"
            rows += bench_warroom("sqlite", sqlite, args, tmp, args.workers)
        if args.postgres:
            with _postgres_database(args.postgres) as url:
                workers = args.postgres_workers or args.workers
                rows += bench_warroom("postgresql", url, args, tmp, workers)
        reference = []
        if not args.no_alertmanager and Path(ALERTMANAGER).exists():
            reference = bench_alertmanager(args, tmp)
        cores = os.cpu_count()
        print(
            f"\nconcurrency {args.concurrency}, {args.seconds:g} s per workload, {cores} cores "
            "(wN: warroom serve --workers N)"
        )
        report(rows, reference)
        if args.ceiling:
            ceilings(args, rows, reference)
        if args.paging:
            if not args.no_sqlite:
                bench_paging("sqlite", f"sqlite:///{tmp / 'paging.db'}", args, tmp, args.workers)
            if args.postgres:
                with _postgres_database(args.postgres) as url:
                    workers = args.postgres_workers or args.workers
                    bench_paging("postgresql", url, args, tmp, workers)


if __name__ == "__main__":
    main()
