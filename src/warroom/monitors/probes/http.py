"""HTTP(S) and metrics probes: status, body (bounded), response time, certificate expiry."""

from __future__ import annotations

import ssl
import time
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from warroom import __version__
from warroom.monitors.observation import BODY_LIMIT, Observation, Sample
from warroom.monitors.probes.common import cert_expiry_seconds, expand_env

USER_AGENT = f"warroom-monitor/{__version__}"


def make_client(*, verify: bool | ssl.SSLContext, max_connections: int = 100) -> httpx.AsyncClient:
    """A client for probes; pass an SSLContext to share one (loading CA certificates is slow)."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncClient(
        verify=verify,
        limits=limits,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    )


async def fetch(
    client: httpx.AsyncClient,
    *,
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float,
    extensions: dict[str, Any] | None = None,
) -> Observation:
    """One request; reads at most BODY_LIMIT bytes of the body and notes the certificate."""
    url = expand_env(url)
    sent = {k: expand_env(v) for k, v in (headers or {}).items()}
    request = client.build_request(
        method,
        url,
        headers=sent,
        content=body.encode() if body is not None else None,
        timeout=httpx.Timeout(timeout),
        extensions=extensions or {},
    )
    started = time.perf_counter()
    response = await client.send(request, stream=True)
    try:
        first_byte = time.perf_counter()
        stream = response.extensions.get("network_stream")
        ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
        chunks: list[bytes] = []
        size, truncated = 0, False
        async for chunk in response.aiter_raw():
            if size + len(chunk) > BODY_LIMIT:
                chunks.append(chunk[: BODY_LIMIT - size])
                truncated = True
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        await response.aclose()
    done = time.perf_counter()
    raw = b"".join(chunks)
    encoding = response.headers.get("content-encoding", "")
    if encoding and not truncated:
        # aiter_raw skips decompression so the limit counts wire bytes; decode small bodies.
        raw = httpx.Response(200, headers={"content-encoding": encoding}, content=raw).content
    return Observation(
        connected=True,
        response_time_ms=(done - started) * 1000.0,
        status=response.status_code,
        body=raw,
        body_truncated=truncated,
        cert_expiry_s=cert_expiry_seconds(ssl_object),
        timings={"first_byte": (first_byte - started) * 1000.0, "total": (done - started) * 1000.0},
    )


def parse_exposition(text: str) -> list[Sample]:
    """Samples of a Prometheus text exposition; ValueError when it is malformed."""
    samples: list[Sample] = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.append(Sample(sample.name, dict(sample.labels), float(sample.value)))
    return samples


async def scrape(
    client: httpx.AsyncClient,
    *,
    url: str,
    headers: dict[str, str] | None = None,
    timeout: float,
) -> Observation:
    """Fetch a /metrics endpoint and parse its samples; a malformed exposition is an error."""
    obs = await fetch(client, url=url, headers=headers, timeout=timeout)
    if obs.status is not None and obs.status >= 400:
        obs.error = f"HTTP {obs.status} from the metrics endpoint"
        return obs
    if obs.body_truncated:
        obs.error = f"the exposition is larger than {BODY_LIMIT} bytes"
        return obs
    try:
        obs.samples = parse_exposition((obs.body or b"").decode("utf-8"))
    except (ValueError, UnicodeDecodeError, IndexError, TypeError) as exc:
        obs.error = f"malformed exposition: {exc}"
    return obs
