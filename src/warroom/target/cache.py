"""The target's cache: a few keys, a hit/miss record, and what warming or clearing does to it.

Staleness is the cache-stale fault: while it is on, every lookup misses (entries are refused as
stale and refetched). Warming or clearing the cache is the seed's mitigation, and it really ends
the fault, so the stats recover.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any

KEYS = ("pitches:trending", "pitches:featured", "genres", "users:active")
LOOKUP_WINDOW = 100


class Cache:
    """Key presence and the last lookups (not thread-safe: the target locks around it)."""

    def __init__(self, now: datetime) -> None:
        self.entries: dict[str, datetime] = dict.fromkeys(KEYS, now)
        self.hits = 0
        self.misses = 0
        self.last_warmed_at: datetime | None = now
        self.last_cleared_at: datetime | None = None
        self._lookups: deque[bool] = deque(maxlen=LOOKUP_WINDOW)

    def lookup(self, key: str, now: datetime, *, stale: bool) -> bool:
        """Look ``key`` up; a miss (absent, or stale) fills it again. Whether it was a hit."""
        hit = key in self.entries and not stale
        if not hit:
            self.entries[key] = now
        self._lookups.append(hit)
        if hit:
            self.hits += 1
        else:
            self.misses += 1
        return hit

    def hit_rate(self, *, stale: bool) -> float:
        """The share of hits among the last lookups; with none yet, what the state implies."""
        if not self._lookups:
            return 0.0 if stale else 1.0
        return sum(self._lookups) / len(self._lookups)

    def clear(self, now: datetime) -> int:
        """Drop every entry (they refill on the next lookups); how many were dropped."""
        dropped = len(self.entries)
        self.entries.clear()
        self._lookups.clear()
        self.last_cleared_at = now
        return dropped

    def warm(self, now: datetime) -> int:
        """Load every key fresh and start the hit record over; how many keys were loaded."""
        self.entries = dict.fromkeys(KEYS, now)
        self._lookups.clear()
        self.last_warmed_at = now
        return len(self.entries)

    def stats(self, *, stale: bool) -> dict[str, Any]:
        """What GET /api/admin/cache/stats shows."""
        rate = self.hit_rate(stale=stale)
        return {
            "status": "stale" if stale else "ok",
            "hit_rate": round(rate, 3),
            "hits": self.hits,
            "misses": self.misses,
            "keys": len(self.entries),
            "window": len(self._lookups),
            "last_warmed_at": self.last_warmed_at.isoformat() if self.last_warmed_at else None,
            "last_cleared_at": self.last_cleared_at.isoformat() if self.last_cleared_at else None,
        }
