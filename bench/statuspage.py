"""Benchmark: the public status page under load, alone and while 1,000 alerts/s are ingested.

Starts a real `warroom serve --api-only` on loopback (fresh SQLite WAL/FULL database, or
--database-url), publishes an incident with two updates and a maintenance window, then measures
with `wrk` (Debian's package) on ``/api/v2/summary.json`` and ``/status``:

1. alone;
2. while a background process sends alerts to the generic intake endpoint
   (``POST /api/v1/intake/generic/{key}``, --alerts-per-request alerts per POST, unique dedup
   keys) at --ingest-rate alerts per second, paced, over keep-alive connections. The achieved
   rate of acknowledged (2xx) alerts is reported.

Client, ingester and server share this machine's cores, so figures are conservative.

    .venv/bin/python bench/statuspage.py --seconds 10
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
WARROOM = str(ROOT / ".venv" / "bin" / "warroom")
PATHS = ("/api/v2/summary.json", "/status")

INGESTER = r"""
import asyncio, json, sys, time

HOST, PORT, KEY, RATE, SECONDS, CONNS, BATCH = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
sent = ok = 0

async def worker(n):
    global sent, ok
    reader, writer = await asyncio.open_connection(HOST, PORT)
    per_conn = RATE / BATCH / CONNS
    start = time.perf_counter()
    i = 0
    while (now := time.perf_counter()) - start < SECONDS:
        due = start + i / per_conn
        if due > now:
            await asyncio.sleep(due - now)
        alerts = [{"summary": f"bench alert {n}-{i}-{j}", "source": "bench",
                   "severity": "warning", "dedup_key": f"bench-{n}-{i}-{j}-{start}"}
                  for j in range(BATCH)]
        body = json.dumps(alerts if BATCH > 1 else alerts[0]).encode()
        writer.write(b"POST /api/v1/intake/generic/%s HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (KEY.encode(), len(body), body))
        await writer.drain()
        status = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        sent += BATCH
        ok += BATCH * status.split()[1].startswith(b"2")
        i += 1
    writer.close()

async def main():
    await asyncio.gather(*(worker(n) for n in range(CONNS)))

t0 = time.perf_counter()
asyncio.run(main())
print(json.dumps({"sent": sent, "ok": ok, "seconds": time.perf_counter() - t0}))
"""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_up(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("warroom serve exited early")
        try:
            if httpx.get(f"{url}/api/v2/status.json", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("warroom serve did not come up")


def _seed(url: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers) as http:
        ref = http.post(
            "/api/v1/incidents",
            json={
                "title": "Payments failing for some cards",
                "severity": "P1",
                "service": "payments",
            },
        ).json()["ref"]
        for template, change in (("investigating", "partial_outage"), ("identified", None)):
            body: dict[str, object] = {"template": template}
            if change:
                body["components"] = {"payments": change}
            http.post(f"/api/v1/incidents/{ref}/public-updates", json=body).raise_for_status()
        http.post(
            "/api/v1/maintenances",
            json={
                "name": "Database upgrade",
                "scheduled_for": "2030-01-01T22:00:00Z",
                "scheduled_until": "2030-01-01T23:00:00Z",
                "components": ["data"],
            },
        ).raise_for_status()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert p99
    assert p50
    return {
        "rps": round(rps),
        "p50_ms": round(float(p50.group(1)) * _UNITS[p50.group(2)], 2),
        "p99_ms": round(float(p99.group(1)) * _UNITS[p99.group(2)], 2),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--ingest-rate", type=float, default=1000.0)
    parser.add_argument("--ingest-connections", type=int, default=16)
    parser.add_argument(
        "--alerts-per-request", type=int, default=1, help="1: one alert per POST; N: a JSON list"
    )
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="warroom-bench-"))
    db = args.database_url or f"sqlite:///{work / 'warroom.db'}"
    env = {**os.environ, "WARROOM_DATABASE_URL": db, "WARROOM_LOG_LEVEL": "warning"}
    _run(WARROOM, "db", "upgrade", env=env)
    key = (
        _run(WARROOM, "integration", "create", "--service", "api", "--kind", "generic", env=env)
        .strip()
        .splitlines()[-1]
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [WARROOM, "serve", "--api-only", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    results: dict[str, object] = {
        "database": db.split(":")[0],
        "seconds": args.seconds,
        "alerts_per_request": args.alerts_per_request,
    }
    try:
        assert server.stdout is not None
        token = ""
        while not token:
            line = server.stdout.readline()
            if not line:
                raise SystemExit("warroom serve printed no admin token")
            token = next(iter(re.findall(r"\bwr_[A-Za-z0-9_-]{20,}", line)), "")
        _wait_up(url, server)
        _seed(url, token)
        for path in PATHS:
            _wrk(url + path, 2, args.connections)  # warm up
            results[f"alone {path}"] = _wrk(url + path, args.seconds, args.connections)
        for path in PATHS:
            ingester = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    INGESTER,
                    "127.0.0.1",
                    str(port),
                    key,
                    str(args.ingest_rate),
                    str(args.seconds + 2),
                    str(args.ingest_connections),
                    str(args.alerts_per_request),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            time.sleep(1)  # let the ingest reach its rate first
            measured = _wrk(url + path, args.seconds, args.connections)
            report = json.loads(ingester.communicate(timeout=60)[0])
            measured["ingest_alerts_per_s"] = round(report["ok"] / report["seconds"])
            measured["ingest_errors"] = report["sent"] - report["ok"]
            results[f"under ingest {path}"] = measured
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    # The machine is shared: say how busy it was, so figures can be read against it.
    results["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    results["cpus"] = os.cpu_count()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
