"""The simulated service behind the target's endpoints: what each one answers given the faults.

Everything here is transport-free: ``app`` turns these answers into HTTP. Mitigations change the
state for real (warming or clearing the cache ends cache-stale, a rollback ends bad-release).
"""

from __future__ import annotations

import threading
from typing import Any

from warroom.clock import Clock
from warroom.target import pitches
from warroom.target.cache import Cache
from warroom.target.faults import FaultBoard
from warroom.target.window import RequestWindow, Served, UserWindow

GOOD_RELEASE = "v1.4.2"
BAD_RELEASE = "v1.5.0-rc1"
POOL_SIZE = 20
WORKERS = 4
DATA_ROUTES = frozenset({"/api/pitches/trending"})


class TargetError(Exception):
    """An answer that is an error: an HTTP status, a code and a message for the caller."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class Share:
    """Picks exactly ``rate`` of the calls, evenly spread, so tests can count the failures."""

    def __init__(self) -> None:
        self._credit = 0

    def pick(self, rate: float) -> bool:
        """Whether this call is one of the chosen share (per-mille credit, no float drift)."""
        self._credit += round(rate * 1000)
        if self._credit >= 1000:
            self._credit -= 1000
            return True
        return False


class Target:
    """The practice target's state; every method is safe to call from any thread."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.faults = FaultBoard(clock)
        self.started_at = clock.now()
        self.requests = RequestWindow()
        self.users = UserWindow()
        self.websockets = 0
        self._cache = Cache(self.started_at)
        self._error_share = Share()
        self._release_share = Share()
        self._lock = threading.Lock()

    # -- reads ------------------------------------------------------------------------------

    @property
    def release(self) -> str:
        """The version deployed now."""
        return BAD_RELEASE if self.faults.is_on("bad-release") else GOOD_RELEASE

    def health(self) -> dict[str, Any]:
        """GET /health: overall status, each dependency's status, version and uptime."""
        now = self.clock.now()
        parts = {
            "database": "error" if self.faults.is_on("db-errors") else "ok",
            "cache": "stale" if self.faults.is_on("cache-stale") else "ok",
            "websocket": "down" if self.faults.is_on("ws-down") else "ok",
        }
        return {
            "status": "ok" if all(v == "ok" for v in parts.values()) else "degraded",
            **parts,
            "version": self.release,
            "uptime_seconds": int((now - self.started_at).total_seconds()),
            "time": now.isoformat(),
        }

    def db_pool(self) -> dict[str, Any]:
        """GET /api/admin/db/pool: connections in use, idle and waiting."""
        now = self.clock.now()
        with self._lock:
            busy = self.requests.concurrency(now, DATA_ROUTES)
            refused = sum(
                1 for s in self.requests.recent(now) if s.route in DATA_ROUTES and s.code >= 500
            )
        if self.faults.is_on("db-errors"):
            return {
                "size": POOL_SIZE,
                "in_use": POOL_SIZE,
                "idle": 0,
                "waiting": refused,
                "exhausted": True,
            }
        in_use = min(POOL_SIZE, busy)
        return {
            "size": POOL_SIZE,
            "in_use": in_use,
            "idle": POOL_SIZE - in_use,
            "waiting": 0,
            "exhausted": False,
        }

    def db_status(self) -> tuple[bool, dict[str, Any]]:
        """GET /api/admin/db/status: whether the database answers, and the pool."""
        pool = self.db_pool()
        if self.faults.is_on("db-errors"):
            return False, {
                "status": "error",
                "connected": False,
                "error": "FATAL: sorry, too many clients already (connection pool exhausted)",
                "pool": pool,
            }
        return True, {"status": "ok", "connected": True, "engine": "postgresql", "pool": pool}

    def cache_stats(self) -> dict[str, Any]:
        """GET /api/admin/cache/stats."""
        stale = self.faults.is_on("cache-stale")
        with self._lock:
            return self._cache.stats(stale=stale)

    def cache_hit_rate(self) -> float:
        """The cache's hit rate as the metrics show it."""
        stale = self.faults.is_on("cache-stale")
        with self._lock:
            return self._cache.hit_rate(stale=stale)

    def error_rate(self) -> float:
        """The share of requests answered 5xx in the last minute."""
        with self._lock:
            return self.requests.error_rate(self.clock.now())

    def response_time(self) -> float:
        """The mean seconds taken per request in the last minute."""
        with self._lock:
            return self.requests.mean_seconds(self.clock.now())

    def worker_busy(self) -> float:
        """The share of the worker pool busy answering requests over the last minute."""
        with self._lock:
            return self.requests.busy_share(self.clock.now(), WORKERS)

    def active_users(self) -> int:
        """Users answered in the last five minutes, plus open WebSocket connections."""
        with self._lock:
            return self.users.count(self.clock.now()) + self.websockets

    # -- data -------------------------------------------------------------------------------

    def trending(self, limit: int) -> list[dict[str, Any]]:
        """GET /api/pitches/trending, or the TargetError the faults make of it."""
        if self.faults.is_on("db-errors"):
            raise TargetError(500, "database_unavailable", "could not get a database connection")
        release = self.faults.get("bad-release")
        if release is not None and self._release_share.pick(release.rate):
            raise TargetError(
                500, "internal_error", f"TypeError: 'NoneType' is not iterable ({BAD_RELEASE})"
            )
        errors = self.faults.get("error-rate")
        if errors is not None and self._error_share.pick(errors.rate):
            raise TargetError(500, "internal_error", "upstream request failed")
        stale = self.faults.is_on("cache-stale")
        with self._lock:
            self._cache.lookup("pitches:trending", self.clock.now(), stale=stale)
        return pitches.trending(limit)

    # -- mitigations ------------------------------------------------------------------------

    def clear_cache(self) -> dict[str, Any]:
        """DELETE /api/admin/cache: drop every entry, which also ends cache-stale."""
        was_stale = self.faults.switch_off("cache-stale")
        with self._lock:
            dropped = self._cache.clear(self.clock.now())
        return {"cleared": True, "dropped_keys": dropped, "was_stale": was_stale}

    def warm_cache(self) -> dict[str, Any]:
        """POST /api/admin/cache/warm: load every key fresh, which ends cache-stale."""
        was_stale = self.faults.switch_off("cache-stale")
        with self._lock:
            loaded = self._cache.warm(self.clock.now())
        return {"warmed": True, "keys": loaded, "was_stale": was_stale}

    def rollback(self) -> dict[str, Any]:
        """POST /api/admin/rollback: go back to the good release, ending bad-release."""
        if not self.faults.switch_off("bad-release"):
            raise TargetError(409, "nothing_to_roll_back", f"{GOOD_RELEASE} is already deployed")
        return {"rolled_back": True, "from": BAD_RELEASE, "to": GOOD_RELEASE}

    # -- bookkeeping ------------------------------------------------------------------------

    def record(self, route: str, code: int, seconds: float, user: str | None) -> None:
        """Note an answered request (and, when it succeeded, the user it served)."""
        now = self.clock.now()
        with self._lock:
            self.requests.add(Served(at=now, route=route, code=code, seconds=seconds))
            if user and code < 500:
                self.users.seen(user, now)

    def websocket_opened(self) -> bool:
        """Whether a new WebSocket may connect now; counts it when it may."""
        if self.faults.is_on("down") or self.faults.is_on("ws-down"):
            return False
        with self._lock:
            self.websockets += 1
        return True

    def websocket_closed(self) -> None:
        """Forget a WebSocket that closed."""
        with self._lock:
            self.websockets = max(0, self.websockets - 1)
