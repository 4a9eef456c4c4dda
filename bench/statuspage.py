"""Benchmark: the public status page under load, alone and while 1,000 alerts/s are ingested.

Starts a real `warroom serve --api-only` on loopback (fresh SQLite WAL/FULL database, or
--database-url), publishes an incident with two updates and a maintenance window, then measures
``/api/v2/summary.json`` and ``/status`` in two ways:

- closed loop: `wrk` (Debian's package), --connections connections sending as fast as answers
  come back; gives the most requests/s, and latencies of a saturated server;
- paced (open loop, wrk2's method; wrk2 is not packaged): --paced-rate requests/s offered at
  fixed times whatever the server does, each latency counted from when the request was due, so
  a stall shows in every request it delayed. This is the p99 a page visitor sees at that load.

each

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
from collections.abc import Callable
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
codes = {}

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
        code = status.split()[1].decode()
        codes[code] = codes.get(code, 0) + 1
        i += 1
    writer.close()

async def main():
    await asyncio.gather(*(worker(n) for n in range(CONNS)))

t0 = time.perf_counter()
asyncio.run(main())
print(json.dumps({"sent": sent, "ok": ok, "codes": codes, "seconds": time.perf_counter() - t0}))
"""

# An open-loop client (wrk2's method): request i is due at start + i/RATE whether or not earlier
# ones were answered, and its latency counts from when it was due, so a stall of the server
# shows in every request it delayed (a closed-loop client like wrk sends nothing while its
# connections wait, and so under-reports stalls: "coordinated omission").
PACED = r"""
import asyncio, json, sys, time

HOST, PORT, PATH, RATE, SECONDS, CONNS = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
try:
    import uvloop
    uvloop.install()
except ImportError:
    pass
REQUEST = b"GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (PATH.encode(), HOST.encode(), PORT)
latencies, errors = [], 0

async def worker(queue):
    global errors
    reader, writer = await asyncio.open_connection(HOST, PORT)
    while True:
        due = await queue.get()
        if due is None:
            break
        writer.write(REQUEST)
        status = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - due)
        errors += not status.split()[1].startswith(b"2")
    writer.close()

async def main():
    queue = asyncio.Queue()
    workers = [asyncio.create_task(worker(queue)) for _ in range(CONNS)]
    start = time.perf_counter()
    total = int(RATE * SECONDS)
    i = 0
    while i < total:
        now = time.perf_counter()
        while i < total and start + i / RATE <= now:
            queue.put_nowait(start + i / RATE)
            i += 1
        await asyncio.sleep(0.0005)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return time.perf_counter() - start

elapsed = asyncio.run(main())
values = sorted(latencies)
def pct(p):
    return round(values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000, 2)
print(json.dumps({"offered_rps": RATE, "rps": round(len(values) / elapsed), "p50_ms": pct(50),
                  "p90_ms": pct(90), "p99_ms": pct(99), "p999_ms": pct(99.9),
                  "max_ms": round(values[-1] * 1000, 2), "non_2xx": errors}))
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


def _paced(
    host: str, port: int, path: str, rate: float, seconds: int, conns: int
) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PACED, host, str(port), path, str(rate), str(seconds), str(conns)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


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
    parser.add_argument(
        "--paced-rate",
        type=float,
        default=3000.0,
        help="also measure at this fixed offered rate (open loop, wrk2's method); 0: skip",
    )
    parser.add_argument("--paced-connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="warroom-bench-"))
    db = args.database_url or f"sqlite:///{work / 'warroom.db'}"
    env = {**os.environ, "WARROOM_DATABASE_URL": db, "WARROOM_LOG_LEVEL": "warning"}
    _run(WARROOM, "db", "upgrade", env=env)
    # A limit far above the ingest rate: this measures the page, not the intake's limiter.
    create = ["integration", "create", "--service", "api", "--kind", "generic"]
    output = _run(WARROOM, *create, "--rate-limit", "1000000", env=env)
    key = output.strip().splitlines()[-1]
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

        def paced(path: str) -> dict[str, float]:
            return _paced(
                "127.0.0.1", port, path, args.paced_rate, args.seconds, args.paced_connections
            )

        def _under_ingest(measure: Callable[[], dict[str, float]]) -> dict[str, float]:
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
            measured = measure()
            report = json.loads(ingester.communicate(timeout=60)[0])
            measured["ingest_alerts_per_s"] = round(report["ok"] / report["seconds"])
            measured["ingest_errors"] = report["sent"] - report["ok"]
            if measured["ingest_errors"]:  # which refusals (POSTs by status code)
                measured["ingest_statuses"] = report["codes"]
            return measured

        for path in PATHS:
            _wrk(url + path, 2, args.connections)  # warm up
            results[f"alone {path}"] = _wrk(url + path, args.seconds, args.connections)
            if args.paced_rate:
                results[f"alone paced {path}"] = paced(path)
        for path in PATHS:
            results[f"under ingest {path}"] = _under_ingest(
                lambda: _wrk(url + path, args.seconds, args.connections)  # noqa: B023
            )
            if args.paced_rate:
                results[f"under ingest paced {path}"] = _under_ingest(
                    lambda: paced(path)  # noqa: B023
                )
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
