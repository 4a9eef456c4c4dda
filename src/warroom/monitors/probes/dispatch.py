"""Run the right probe for a monitor spec, bounded by its timeout, never raising."""

from __future__ import annotations

import asyncio
import os
from types import TracebackType

import httpx

from warroom.monitors.observation import Observation
from warroom.monitors.probes import http, sockets, sql
from warroom.monitors.probes.common import ProbeError, describe_error, tls_context
from warroom.playbook.monitors import MonitorSpec


class Clients:
    """HTTP clients for probes: one per monitor, sharing two TLS contexts.

    One small pool per monitor rather than one big shared pool: httpcore scans its whole pool
    on every request, which at hundreds of connections cost more CPU than the probes, and a
    slow target then only ever holds its own connection.
    """

    def __init__(self) -> None:
        self._contexts = {verify: tls_context(verify) for verify in (True, False)}
        self._clients: dict[tuple[str, bool], httpx.AsyncClient] = {}

    def http(self, verify: bool, key: str = "") -> httpx.AsyncClient:
        """The client of monitor ``key`` for this TLS setting, made on first use."""
        client = self._clients.get((key, verify))
        if client is None:
            client = http.make_client(verify=self._contexts[verify], max_connections=2)
            self._clients[(key, verify)] = client
        return client

    async def __aenter__(self) -> Clients:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


async def _observe(spec: MonitorSpec, clients: Clients, timeout: float) -> Observation:
    if spec.kind == "http":
        assert spec.url is not None
        return await http.fetch(
            clients.http(spec.verify_tls, spec.name),
            url=spec.url,
            method=spec.method,
            headers=spec.headers,
            body=spec.body,
            timeout=timeout,
        )
    if spec.kind == "metrics":
        assert spec.url is not None
        client = clients.http(spec.verify_tls, spec.name)
        return await http.scrape(client, url=spec.url, headers=spec.headers, timeout=timeout)
    if spec.kind == "websocket":
        assert spec.url is not None
        return await sockets.websocket(
            url=spec.url,
            send=spec.send,
            headers=spec.headers,
            verify=spec.verify_tls,
            timeout=timeout,
        )
    if spec.kind == "tcp":
        assert spec.host is not None
        assert spec.port is not None
        return await sockets.tcp(host=spec.host, port=spec.port, timeout=timeout)
    if spec.kind == "sql":
        assert spec.dsn_env is not None
        url = os.environ.get(spec.dsn_env)
        if not url:
            raise ProbeError(f"environment variable {spec.dsn_env} is not set")
        return await sql.sql(url=url, query=spec.query, timeout=timeout)
    raise ProbeError(f"{spec.kind} monitors are not probed; they wait for beats")


async def observe(spec: MonitorSpec, clients: Clients) -> Observation:
    """Probe once; any failure (DNS, refused, timeout, TLS, bad data) is a failed Observation."""
    timeout = spec.timeout.total_seconds()
    try:
        # The outer limit catches what a library's own timeout misses (a slow-drip body).
        return await asyncio.wait_for(_observe(spec, clients, timeout), timeout)
    except ProbeError as exc:
        return Observation(connected=False, error=str(exc))
    except Exception as exc:  # a probe must never take the scheduler down with it
        return Observation(connected=False, error=describe_error(exc, timeout=timeout))
