"""What the target measured lately: its requests over the last minute, its users over five.

The metrics and the admin routes read these windows; times come from the injected clock, so a
test that moves the clock moves the windows too.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

REQUEST_WINDOW = timedelta(minutes=1)
USER_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class Served:
    """One request the target answered."""

    at: datetime
    route: str
    code: int
    seconds: float


class RequestWindow:
    """The requests answered in the last minute (not thread-safe: the target locks around it)."""

    def __init__(self, span: timedelta = REQUEST_WINDOW) -> None:
        self.span = span
        self._served: deque[Served] = deque()

    def add(self, served: Served) -> None:
        """Note one answered request."""
        self._served.append(served)

    def recent(self, now: datetime) -> list[Served]:
        """The requests answered within the span before ``now``."""
        while self._served and self._served[0].at <= now - self.span:
            self._served.popleft()
        return [s for s in self._served if s.at <= now]

    def error_rate(self, now: datetime) -> float:
        """The share of recent requests answered with a 5xx; 0 when there were none."""
        recent = self.recent(now)
        return sum(1 for s in recent if s.code >= 500) / len(recent) if recent else 0.0

    def mean_seconds(self, now: datetime) -> float:
        """The mean time taken to answer recent requests; 0 when there were none."""
        recent = self.recent(now)
        return sum(s.seconds for s in recent) / len(recent) if recent else 0.0

    def busy_share(self, now: datetime, workers: int) -> float:
        """The share of ``workers`` kept busy over the span (time spent answering / capacity)."""
        busy = sum(s.seconds for s in self.recent(now))
        return min(1.0, busy / (self.span.total_seconds() * workers))

    def concurrency(self, now: datetime, routes: frozenset[str]) -> int:
        """Requests in progress on average (Little's law: arrival rate x time in the system)."""
        recent = [s for s in self.recent(now) if s.route in routes]
        if not recent:
            return 0
        return math.ceil(sum(s.seconds for s in recent) / self.span.total_seconds())


class UserWindow:
    """The distinct users who were answered successfully in the last five minutes."""

    def __init__(self, span: timedelta = USER_WINDOW) -> None:
        self.span = span
        self._last_seen: dict[str, datetime] = {}

    def seen(self, user: str, at: datetime) -> None:
        """Note that ``user`` got an answer at ``at``."""
        self._last_seen[user] = at

    def count(self, now: datetime) -> int:
        """How many users were answered within the span."""
        cutoff = now - self.span
        for user in [u for u, at in self._last_seen.items() if at <= cutoff]:
            del self._last_seen[user]
        return len(self._last_seen)
