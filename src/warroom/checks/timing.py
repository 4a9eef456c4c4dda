"""`warroom check http`: one request, timed phase by phase like ``curl -w``.

DNS is timed by resolving the host once before the request (the request resolves it again,
usually from the system's cache); connect, TLS and first byte come from httpx's trace hooks on
a fresh connection, so nothing is hidden by connection reuse.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from warroom.checks.report import CheckReport
from warroom.monitors.evaluation import evaluate
from warroom.monitors.probes.common import ProbeError, describe_error
from warroom.monitors.probes.http import fetch, make_client

DEFAULT_EXPECT = ("[STATUS] < 400",)


async def _dns_ms(url: str, timeout: float) -> float:
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
        return 0.0
    except ValueError:
        pass
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.getaddrinfo(host, None), timeout)
    return (time.perf_counter() - started) * 1000.0


class _Trace:
    """Collects httpcore's trace events as milliseconds since the request started."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.marks: dict[str, float] = {}

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        self.marks.setdefault(event, (time.perf_counter() - self.started) * 1000.0)

    def span(self, name: str) -> float | None:
        start, end = self.marks.get(f"{name}.started"), self.marks.get(f"{name}.complete")
        return None if start is None or end is None else end - start

    def first_byte(self) -> float | None:
        for proto in ("http11", "http2"):
            mark = self.marks.get(f"{proto}.receive_response_headers.complete")
            if mark is not None:
                return mark
        return None


async def http_timing(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    expect: tuple[str, ...] = (),
    timeout: float = 10.0,
    verify: bool = True,
) -> CheckReport:
    """Request ``url`` once and report status, phase timings and each expectation."""
    conditions = expect or DEFAULT_EXPECT
    timings: dict[str, float | None] = {}
    try:
        timings["dns"] = await _dns_ms(url, timeout)
        trace = _Trace()
        async with make_client(verify=verify, max_connections=1) as client:
            obs = await asyncio.wait_for(
                fetch(
                    client,
                    url=url,
                    method=method,
                    headers=headers,
                    timeout=timeout,
                    extensions={"trace": trace},
                ),
                timeout,
            )
        timings["connect"] = trace.span("connection.connect_tcp")
        timings["tls"] = trace.span("connection.start_tls")
        timings["first_byte"] = trace.first_byte()
        timings["total"] = obs.response_time_ms
    except ProbeError as exc:
        return CheckReport("http", url, False, str(exc), {"timings": timings})
    except (httpx.HTTPError, OSError, TimeoutError, ValueError) as exc:
        reason = describe_error(exc, timeout=timeout)
        return CheckReport("http", url, False, reason, {"timings": timings})
    result = evaluate(conditions, obs)
    rounded = {k: round(v, 2) if v is not None else None for k, v in timings.items()}
    size = len(obs.body or b"")
    summary = f"HTTP {obs.status} in {rounded['total']} ms ({size} bytes)"
    if not result.ok:
        summary += f"; {result.reason()}"
    data = {
        "status": obs.status,
        "bytes": size,
        "truncated": obs.body_truncated,
        "timings": rounded,
        "cert_expiry_days": round(obs.cert_expiry_s / 86400, 1) if obs.cert_expiry_s else None,
        "conditions": [
            {"condition": r.condition, "ok": r.ok, "reason": r.reason} for r in result.results
        ],
    }
    return CheckReport("http", url, result.ok, summary, data)
