"""Simulated users: a steady trickle of requests so the gauges move when a fault is on.

Without traffic a practice target would show ``error_rate 0`` under any fault, because nobody
would be using it. ``warroom target serve`` runs this in the server's event loop; the requests go
through the whole app in-process (middleware, faults, metrics) like any client's would.
"""

from __future__ import annotations

import asyncio
import itertools
import random

import httpx
from starlette.types import ASGIApp

USER_HEADER = "x-user-id"  # who a request is for; counted in active_users
DATA_PATHS = ("/api/pitches/trending", "/api/pitches/trending?limit=5")
TIMEOUT_SECONDS = 30.0


class Traffic:
    """``users`` simulated people making a few requests every ``interval`` seconds."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        users: int = 40,
        interval: float = 1.0,
        per_tick: tuple[int, int] = (2, 6),
        seed: int | None = None,
    ) -> None:
        self.app = app
        self.interval = interval
        self.per_tick = per_tick
        self._users = itertools.cycle([f"user-{n}" for n in range(1, users + 1)])
        self._paths = itertools.cycle(DATA_PATHS)
        self._random = random.Random(seed)

    async def tick(self) -> list[int]:
        """One round of requests, made concurrently; their status codes."""
        count = self._random.randint(*self.per_tick)
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://target", timeout=TIMEOUT_SECONDS
        ) as client:
            responses = await asyncio.gather(
                *(
                    client.get(next(self._paths), headers={USER_HEADER: next(self._users)})
                    for _ in range(count)
                )
            )
        return [response.status_code for response in responses]

    async def run(self) -> None:
        """Tick forever (until cancelled)."""
        while True:
            await self.tick()
            await asyncio.sleep(self.interval)
