"""`warroom check load`: ``ab -n N -c C`` in asyncio — requests/s, latency percentiles, errors."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx

from warroom.checks.report import CheckReport
from warroom.monitors.probes.common import describe_error
from warroom.monitors.probes.http import make_client

MAX_REQUESTS = 100_000
MAX_CONCURRENCY = 1_000


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted ``values`` (0 when empty)."""
    if not values:
        return 0.0
    rank = max(0, min(len(values) - 1, round(share * len(values) + 0.5) - 1))
    return values[rank]


async def load_test(
    url: str,
    *,
    requests: int = 100,
    concurrency: int = 10,
    method: str = "GET",
    timeout: float = 10.0,
    verify: bool = True,
) -> CheckReport:
    """Send ``requests`` requests, ``concurrency`` at a time; a non-2xx/3xx or error fails one."""
    if not 1 <= requests <= MAX_REQUESTS:
        raise ValueError(f"requests must be between 1 and {MAX_REQUESTS}")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be between 1 and {MAX_CONCURRENCY}")
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    queue = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        for _ in queue:
            started = time.perf_counter()
            try:
                response = await client.request(method, url, timeout=timeout)
                await response.aread()
            except (httpx.HTTPError, OSError) as exc:
                errors[describe_error(exc, timeout=timeout)] += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000.0)
            statuses[str(response.status_code)] += 1
            if response.status_code >= 400:
                errors[f"HTTP {response.status_code}"] += 1

    started = time.perf_counter()
    async with make_client(verify=verify, max_connections=concurrency) as client:
        await asyncio.gather(*(worker(client) for _ in range(min(concurrency, requests))))
    elapsed = time.perf_counter() - started
    latencies.sort()
    failed = sum(errors.values())
    spread: dict[str, float | None] = {
        "min": round(latencies[0], 2) if latencies else None,
        "mean": round(sum(latencies) / len(latencies), 2) if latencies else None,
        "p50": round(percentile(latencies, 0.50), 2),
        "p90": round(percentile(latencies, 0.90), 2),
        "p99": round(percentile(latencies, 0.99), 2),
        "max": round(latencies[-1], 2) if latencies else None,
    }
    rate = round(requests / elapsed, 1) if elapsed else None
    data = {
        "requests": requests,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "requests_per_second": rate,
        "failed": failed,
        "statuses": dict(statuses),
        "errors": dict(errors),
        "latency_ms": spread,
    }
    summary = (
        f"{requests} requests, {concurrency} concurrent: {rate} req/s, "
        f"p50 {spread['p50']} ms, p99 {spread['p99']} ms, {failed} failed"
    )
    return CheckReport("load", url, failed == 0, summary, data)
