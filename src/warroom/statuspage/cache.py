"""The public page's cache: rendered documents kept per page version, served without touching
the database on the hot path.

How it stays correct with several API processes on PostgreSQL: every change of public state
bumps one counter row (``version.py``) in the same transaction. Each process checks that row at
most once per ``check_every`` seconds (one indexed primary-key read, in the background while the
cached documents go on being served), and at once after a write it made itself (``invalidate``);
a different version drops every document. So a change made by another process shows within
``check_every`` seconds (plus that one read), one made by this process immediately.
Documents are also rebuilt after ``max_age`` seconds, since time moves on (maintenance windows,
uptime bars). If the database cannot be read, the last documents are served: the page is most
needed when things are broken.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from warroom.statuspage import version
from warroom.statuspage.snapshot import Snapshot

log = logging.getLogger("warroom.statuspage")

CHECK_EVERY = 1.0
MAX_AGE = 30.0
STATE_ATTRIBUTE = "warroom_statuspage_cache"


@dataclass
class _Entry:
    version: int
    built: float
    body: bytes


class PageCache:
    """Documents (``key`` → bytes) built from one Snapshot per page version."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        load: Callable[[Session], Snapshot],
        check_every: float = CHECK_EVERY,
        max_age: float = MAX_AGE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._load = load
        self.check_every = check_every
        self.max_age = max_age
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._checking = threading.Lock()  # held while a background version check runs
        self._version: int | None = None
        self._checked = float("-inf")
        self._dirty = False
        self._snapshot: Snapshot | None = None
        self._snapshot_built = float("-inf")
        self._entries: dict[str, _Entry] = {}

    def invalidate(self) -> None:
        """A write in this process committed: check the version on the next request."""
        self._dirty = True

    def fresh(self, key: str) -> bytes | None:
        """The cached document if no check is due (no I/O; safe on the event loop), else None."""
        entry = self._entries.get(key)
        now = self._monotonic()
        if (
            entry is None
            or self._dirty
            or now - self._checked >= self.check_every
            or now - entry.built >= self.max_age
            or entry.version != self._version
        ):
            return None
        return entry.body

    def servable(self, key: str) -> bytes | None:
        """The cached document when only the periodic version check is due (no I/O).

        Nothing this process did changed the page and the document is younger than ``max_age``,
        so it is served while one background ``check()`` reads the version: no request waits
        for that read, and a change made elsewhere shows as soon as it returns.
        """
        entry = self._entries.get(key)
        if (
            entry is None
            or self._dirty
            or entry.version != self._version
            or self._monotonic() - entry.built >= self.max_age
        ):
            return None
        return entry.body

    def claim_check(self) -> bool:
        """Whether the caller should run ``check()`` (False while another check is running)."""
        return self._checking.acquire(blocking=False)

    def check(self) -> None:
        """Read the page version if a check is due (does I/O); releases ``claim_check``."""
        try:
            with self._lock:
                self._check_version(self._monotonic())
        finally:
            self._checking.release()

    def get(self, key: str, build: Callable[[Snapshot], bytes]) -> bytes:
        """The document, rebuilt if the page changed or it grew old (does database I/O)."""
        with self._lock:
            now = self._monotonic()
            current = self._check_version(now)
            entry = self._entries.get(key)
            if entry is not None and entry.version == current and now - entry.built < self.max_age:
                return entry.body
            snapshot = self._current_snapshot(current, now)
            if snapshot is None:  # the database is unreachable and nothing was ever built
                raise RuntimeError("the status page cannot be built: database unavailable")
            body = build(snapshot)
            self._entries[key] = _Entry(snapshot.version, now, body)
            return body

    def _check_version(self, now: float) -> int | None:
        if self._dirty or now - self._checked >= self.check_every or self._version is None:
            self._dirty = False
            try:
                with self._sessions() as session:
                    found = version.current(session)
            except SQLAlchemyError:
                log.warning("status page: cannot read the page version; serving cached pages")
                self._checked = now
                return self._version
            if found != self._version:
                self._entries.clear()
                self._snapshot = None
            self._version = found
            self._checked = now
        return self._version

    def _current_snapshot(self, current: int | None, now: float) -> Snapshot | None:
        if (
            self._snapshot is not None
            and self._snapshot.version == current
            and now - self._snapshot_built < self.max_age
        ):
            return self._snapshot
        try:
            with self._sessions() as session:
                snapshot = self._load(session)
        except SQLAlchemyError:
            log.warning("status page: cannot read the database; serving cached pages")
            return self._snapshot
        self._snapshot, self._snapshot_built = snapshot, now
        if snapshot.version != current:
            # A write landed between the version check and the read: this snapshot is newer.
            self._version = snapshot.version
            self._entries.clear()
        return snapshot


def attached(state: Any, factory: Callable[[], PageCache]) -> PageCache:
    """The cache kept on an application's state object, made on first use."""
    cache: PageCache | None = getattr(state, STATE_ATTRIBUTE, None)
    if cache is None:
        cache = factory()
        setattr(state, STATE_ATTRIBUTE, cache)
    return cache
