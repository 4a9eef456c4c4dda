"""WebSocket and TCP probes: can we connect, and does the target answer a message?"""

from __future__ import annotations

import asyncio
import contextlib
import time

from websockets.asyncio.client import connect

from warroom.monitors.observation import BODY_LIMIT, Observation
from warroom.monitors.probes.common import expand_env, tls_context


async def websocket(
    *,
    url: str,
    send: str | None,
    headers: dict[str, str] | None = None,
    verify: bool = True,
    timeout: float,
) -> Observation:
    """Connect (and optionally send ``send`` and wait for one reply), timing it all."""
    url = expand_env(url)
    sent = {k: expand_env(v) for k, v in (headers or {}).items()}
    ssl = tls_context(verify) if url.lower().startswith("wss://") else None
    started = time.perf_counter()
    async with connect(
        url,
        additional_headers=sent,
        open_timeout=timeout,
        close_timeout=1,
        max_size=BODY_LIMIT,
        ssl=ssl,
        proxy=None,
        compression=None,
        user_agent_header="warroom-monitor",
    ) as ws:
        connected = time.perf_counter()
        reply: str | None = None
        if send is not None:
            await ws.send(expand_env(send))
            message = await asyncio.wait_for(ws.recv(), timeout)
            reply = message if isinstance(message, str) else message.decode("utf-8", "replace")
    done = time.perf_counter()
    return Observation(
        connected=True,
        response_time_ms=(done - started) * 1000.0,
        reply=reply,
        timings={"connect": (connected - started) * 1000.0, "total": (done - started) * 1000.0},
    )


async def tcp(*, host: str, port: int, timeout: float) -> Observation:
    """Open a TCP connection and close it again."""
    started = time.perf_counter()
    _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    elapsed = (time.perf_counter() - started) * 1000.0
    writer.close()
    # The target may reset a connection we only opened to see it answer.
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return Observation(connected=True, response_time_ms=elapsed, timings={"connect": elapsed})
