"""A small, fast HTTP/1.1 load generator for bench/intake.py (keep-alive, raw asyncio streams).

Each of ``concurrency`` connections sends one request at a time for ``duration`` seconds; the
request bodies come from a factory so every event can carry a unique key. Returns the status
counts and latencies. Kept free of HTTP client libraries so the client costs as little CPU as
possible on the machine it shares with the server.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def percentile(self, p: float) -> float:
        """Latency at percentile ``p`` (0-100), in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length, chunked = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


def request_bytes(host: str, port: int, path: str, body: bytes) -> bytes:
    """A keep-alive JSON POST."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def run_load(
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    *,
    concurrency: int,
    duration: float,
) -> LoadResult:
    """Drive the server with ``concurrency`` connections for ``duration`` seconds."""
    result = LoadResult()
    counter = itertools.count()
    start = time.perf_counter()
    deadline = start + duration

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                request = make_request(next(counter))
                began = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                result.latencies.append(time.perf_counter() - began)
                result.statuses[status] += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - start
    return result


async def run_paced(
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    *,
    rate: float,
    duration: float,
    connections: int = 8,
) -> LoadResult:
    """Send ``rate`` requests per second (open loop) for ``duration`` seconds."""
    result = LoadResult()
    start = time.perf_counter()

    async def worker(slot: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for k in itertools.count():
                n = k * connections + slot
                due = start + n / rate
                if due > start + duration:
                    return
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                began = time.perf_counter()
                writer.write(make_request(n))
                status = await _read_response(reader)
                result.latencies.append(time.perf_counter() - began)
                result.statuses[status] += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker(slot) for slot in range(connections)))
    result.seconds = time.perf_counter() - start
    return result
