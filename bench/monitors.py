"""Benchmark: 1,000 HTTP monitors at a 10 s interval against a local target.

Runs the real engine Runner with only the MonitorScheduler job, on a fresh SQLite (WAL, FULL)
database (or --database-url), for --seconds of wall time, against a target served by uvicorn in
a separate process (so its CPU is not counted as warroom's). Reports:

- schedule drift: how late each check ran against its ``next_run_at`` (p50/p99/max), after a
  warm-up of one interval (the first run of each monitor is spread over the interval);
- checks done against checks expected;
- CPU of this process (user+sys over wall time; 1.0 = one core);
- RSS memory sampled every interval (flat = no leak).

    .venv/bin/python bench/monitors.py --monitors 1000 --interval 10 --seconds 120
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from warroom import migrate
from warroom.clock import SystemClock
from warroom.db import make_engine, make_sessionmaker
from warroom.engine.runner import Runner
from warroom.monitors.models import MonitorResult
from warroom.monitors.scheduler import MonitorScheduler
from warroom.playbook import Playbook, default_playbook

TARGET = """
import sys, uvicorn
BODY = b'{"status":"ok"}'
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": BODY})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False)
"""


class NullSink:
    """Alerts are not what this measures; a healthy target raises none anyway."""

    def __call__(self, *args: object, **kwargs: object) -> None:
        return None


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitors", type=int, default=1000)
    parser.add_argument("--interval", type=int, default=10, help="seconds")
    parser.add_argument("--seconds", type=int, default=120, help="wall time to run")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    port = _free_port()
    target = subprocess.Popen([sys.executable, "-c", TARGET, str(port)])
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    try:
        time.sleep(1.0)  # let uvicorn bind
        data = default_playbook().model_dump(mode="json")
        data["monitors"] = [
            {
                "name": f"m{i:04d}",
                "kind": "http",
                "url": f"http://127.0.0.1:{port}/health?m={i}",
                "interval": f"{args.interval}s",
                "timeout": f"{max(1, args.interval // 2)}s",
                "conditions": ["[STATUS] == 200", '[BODY].status == "ok"'],
            }
            for i in range(args.monitors)
        ]
        book = Playbook.model_validate(data)
        job = MonitorScheduler(book, sink=NullSink(), concurrency=args.concurrency)
        runner = Runner([job], sessions=make_sessionmaker(engine), clock=SystemClock())
        started_at = datetime.now(UTC)
        rss: list[float] = []

        def sample() -> None:
            while not stop.is_set():
                rss.append(round(_rss_mb(), 1))
                stop.wait(args.interval)

        stop = threading.Event()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        wall0 = time.perf_counter()
        timer = threading.Timer(args.seconds, runner.stop)
        timer.start()
        runner.run_forever()
        wall = time.perf_counter() - wall0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        stop.set()
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)

        warm = started_at + timedelta(seconds=args.interval)
        with make_sessionmaker(engine)() as session:
            rows = session.execute(
                select(MonitorResult.details, MonitorResult.ok).where(MonitorResult.at >= warm)
            ).all()
            total = session.scalar(select(func.count(MonitorResult.id))) or 0
        drift = [float(d.get("drift_ms", 0.0)) for d, _ok in rows]
        failed = sum(1 for _d, ok in rows if not ok)
        expected = args.monitors * (args.seconds - args.interval) / args.interval
        report = {
            "monitors": args.monitors,
            "interval_s": args.interval,
            "wall_s": round(wall, 1),
            "checks_total": total,
            "checks_after_warmup": len(rows),
            "checks_expected_after_warmup": round(expected),
            "failed_checks": failed,
            "drift_ms": {
                "p50": round(_percentile(drift, 0.50), 1),
                "p99": round(_percentile(drift, 0.99), 1),
                "max": round(max(drift, default=0.0), 1),
            },
            "cpu_cores": round(cpu / wall, 3),
            "rss_mb": rss,
            "database": url.split("://", 1)[0],
        }
        print(json.dumps(report, indent=2))
    finally:
        target.terminate()
        target.wait(timeout=10)
        engine.dispose()
        tmp.cleanup()


if __name__ == "__main__":
    main()
