"""Group commit: one writer thread applies every intake request waiting at that moment in one
transaction, commits once, then answers each request.

A request is answered (and so acknowledged to its sender) only after the commit that holds
its alerts; a crash before that commit loses only unacknowledged requests. When the combined
batch fails (one request's events are refused by the domain), the writer rolls back and applies
each request in its own transaction, so one bad request never fails or partly stores another.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from warroom.alerts import service
from warroom.alerts.event import AlertEvent
from warroom.alerts.models import Alert
from warroom.clock import Clock
from warroom.errors import WarroomError
from warroom.integrations.models import Integration
from warroom.playbook import Playbook

log = logging.getLogger("warroom.intake")

Result = list[Alert | None]
MAX_EVENTS_PER_COMMIT = 5000
IDLE_SECONDS = 30.0
SWITCH_INTERVAL = 0.0005


class _Request:
    """Queued events and where their outcome goes: a thread future, or an asyncio future
    settled on its own loop (no thread future and no wakeup per request: one per batch)."""

    __slots__ = ("events", "future", "loop", "settled")

    def __init__(
        self,
        events: Sequence[AlertEvent],
        future: Future[Result] | asyncio.Future[Result],
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.events = events
        self.future = future
        self.loop = loop
        self.settled = False


Outcome = tuple[_Request, Result | None, BaseException | None]


def _settle(outcomes: Sequence[Outcome]) -> None:
    """Hand each request its result or error (on the request's loop, if it has one)."""
    for request, result, error in outcomes:
        future = request.future
        if future.done():  # an asyncio waiter that was cancelled (its sender went away)
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]


def _deliver(outcomes: Sequence[Outcome]) -> None:
    """Settle outcomes now (thread futures) or through one callback per event loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
    for outcome in outcomes:
        request = outcome[0]
        request.settled = True
        if request.loop is None:
            _settle([outcome])
        else:
            by_loop.setdefault(request.loop, []).append(outcome)
    for loop, pending in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, pending)
        except RuntimeError:  # the loop closed: nobody is waiting any more
            log.warning("intake results for a closed event loop dropped")


class GroupCommitter:
    """Apply alert events from many threads or event loops with one commit per batch."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        playbook: Playbook,
        clock: Clock,
        gather_seconds: float = 0.001,
    ) -> None:
        self.sessions = sessions
        self.playbook = playbook
        self.clock = clock
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        self.gather_seconds = gather_seconds
        self._known: dict[int, Integration] = {}

    def submit(self, events: Sequence[AlertEvent]) -> Future[Result]:
        """Queue events; the future resolves after their commit (or with the domain's error)."""
        future: Future[Result] = Future()
        self._put(_Request(events, future))
        return future

    def submit_async(self, events: Sequence[AlertEvent]) -> asyncio.Future[Result]:
        """Queue events from a coroutine; the asyncio future resolves after their commit."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._put(_Request(events, future, loop))
        return future

    def _put(self, request: _Request) -> None:
        self._queue.put(request)
        self._ensure_started()  # after the put: a writer about to idle out sees the request

    def close(self) -> None:
        """Finish queued work and stop the writer thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=10)

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None:
                # The writer and the event loop share the GIL: with Python's default 5 ms
                # switch interval each hand-over between them (a request queued, a batch
                # answered) can wait that long, which caps throughput at 16 senders to a few
                # hundred requests/s. A shorter interval costs a little CPU, saves much latency.
                sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
                self._thread = threading.Thread(target=self._run, name="intake-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:  # nothing to do for a while: let the thread go
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            if first is None:
                return
            batch = [first]
            size = len(first.events)
            if self.gather_seconds:
                # Senders answered by the last commit are sending their next request right
                # now; a moment's wait lets this commit carry them too (PostgreSQL's
                # commit_delay does the same).
                time.sleep(self.gather_seconds)
            while size < MAX_EVENTS_PER_COMMIT:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
                size += len(more.events)
            try:
                self._apply(batch)
            except BaseException as exc:  # the writer must outlive any one batch
                log.exception("intake writer failed a batch")
                _deliver([(r, None, exc) for r in batch if not r.settled])

    def _integrations(
        self, session: Session, events: Sequence[AlertEvent]
    ) -> dict[int, Integration]:
        """Integration rows by id, loaded once per writer (names and services never change;
        revocation is checked before a request is queued)."""
        wanted = {e.integration_id for e in events if e.integration_id is not None}
        missing = wanted - set(self._known)
        if missing:
            for row in session.scalars(select(Integration).where(Integration.id.in_(missing))):
                session.expunge(row)
                self._known[row.id] = row
        return {i: self._known[i] for i in wanted if i in self._known}

    def _apply(self, batch: list[_Request]) -> None:
        self.batches += 1
        if len(batch) > 1 and self._apply_together(batch):
            return
        for request in batch:
            self._apply_alone(request)

    def _apply_together(self, batch: list[_Request]) -> bool:
        events = [event for request in batch for event in request.events]
        session = self.sessions()
        try:
            results = service.ingest_many(
                session,
                playbook=self.playbook,
                now=self.clock.now(),
                events=events,
                integrations=self._integrations(session, events),
            )
            session.commit()
        except Exception:  # one request is at fault; find it by applying each alone
            session.rollback()
            return False
        finally:
            session.close()
        start, outcomes = 0, list[Outcome]()
        for request in batch:
            end = start + len(request.events)
            outcomes.append((request, results[start:end], None))
            start = end
        _deliver(outcomes)
        return True

    def _apply_alone(self, request: _Request) -> None:
        session = self.sessions()
        try:
            results = service.ingest_many(
                session,
                playbook=self.playbook,
                now=self.clock.now(),
                events=request.events,
                integrations=self._integrations(session, request.events),
            )
            session.commit()
        except Exception as exc:
            session.rollback()
            if not isinstance(exc, WarroomError):
                log.exception("intake failed")
            _deliver([(request, None, exc)])
        else:
            _deliver([(request, results, None)])
        finally:
            session.close()
