"""Group commit: one writer thread applies every intake request waiting at that moment in one
transaction, commits once, then answers each request.

A request is answered (and so acknowledged to its sender) only after the commit that holds
its alerts; a crash before that commit loses only unacknowledged requests. When the combined
batch fails (one request's events are refused by the domain), the writer rolls back and applies
each request in its own transaction, so one bad request never fails or partly stores another.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import queue
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from warroom.alerts import bulk, service
from warroom.alerts.event import AlertEvent
from warroom.clock import Clock
from warroom.errors import WarroomError
from warroom.integrations.models import Integration
from warroom.playbook import Playbook

log = logging.getLogger("warroom.intake")

# Per event: whether it created or changed an alert (an acknowledge or resolve of nothing open
# did not).
Result = list[bool]
MAX_EVENTS_PER_COMMIT = 5000
IDLE_SECONDS = 30.0
SWITCH_INTERVAL = 0.0005
RETRIES = 3
_GENERIC_PLANS = (12,)  # the PostgreSQL version that has plan_cache_mode


class _Request:
    """Queued events, their pure work if the sender did it (``service.Prepared``), and where
    their outcome goes: a thread future, or an asyncio future settled on its own loop (no
    thread future and no wakeup per request: one per batch)."""

    __slots__ = ("events", "future", "loop", "prepared", "settled")

    def __init__(
        self,
        events: Sequence[AlertEvent],
        future: Future[Result] | asyncio.Future[Result],
        loop: asyncio.AbstractEventLoop | None = None,
        prepared: service.Prepared | None = None,
    ) -> None:
        self.events = events
        self.future = future
        self.loop = loop
        self.prepared = prepared
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
        writers: int = 1,
    ) -> None:
        self.sessions = sessions
        self.playbook = playbook
        self.clock = clock
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.batches = 0
        self.gather_seconds = gather_seconds
        # Several writer threads overlap their round trips to a distant PostgreSQL; on loopback
        # they only contend for the GIL (measured slower), and SQLite writes one at a time.
        self.writers = max(1, writers)
        self._known: dict[int, Integration] = {}
        self._lock_file = _lock_file_for(sessions)
        # Each writer thread keeps one connection: a pool checkout per batch costs a ping
        # round trip (pool_pre_ping) before any work.
        self._local = threading.local()

    def submit(
        self, events: Sequence[AlertEvent], prepared: service.Prepared | None = None
    ) -> Future[Result]:
        """Queue events; the future resolves after their commit (or with the domain's error).
        ``prepared``: the events' ``service.Prepared``, if the caller worked it out (else the
        writer does, before its turn)."""
        future: Future[Result] = Future()
        self._put(_Request(events, future, prepared=prepared))
        return future

    def submit_async(
        self, events: Sequence[AlertEvent], prepared: service.Prepared | None = None
    ) -> asyncio.Future[Result]:
        """Queue events from a coroutine; the asyncio future resolves after their commit."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._put(_Request(events, future, loop, prepared))
        return future

    def _put(self, request: _Request) -> None:
        self._queue.put(request)
        self._ensure_started()  # after the put: a writer about to idle out sees the request

    def close(self) -> None:
        """Finish queued work and stop the writer threads."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _thread in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(timeout=10)

    def _ensure_started(self) -> None:
        if len(self._threads) >= self.writers:  # the common case, without the lock
            return
        with self._lock:
            while len(self._threads) < self.writers:
                # The writer and the event loop share the GIL: with Python's default 5 ms
                # switch interval each hand-over between them (a request queued, a batch
                # answered) can wait that long, which caps throughput at 16 senders to a few
                # hundred requests/s. A shorter interval costs a little CPU, saves much latency.
                sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
                thread = threading.Thread(target=self._run, name="intake-writer", daemon=True)
                self._threads.append(thread)
                thread.start()

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            self._forget_connection()

    def _serve(self) -> None:
        me = threading.current_thread()
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:  # nothing to do for a while: let the thread go
                    if self._queue.empty():
                        if me in self._threads:
                            self._threads.remove(me)
                        return
                continue
            if first is None:
                return
            batch = [first]
            if self.gather_seconds:
                # Senders answered by the last commit are sending their next request right
                # now; a moment's wait lets this commit carry them too (PostgreSQL's
                # commit_delay does the same).
                time.sleep(self.gather_seconds)
            self._take(batch)
            try:
                self._apply(batch)
            except BaseException as exc:  # the writer must outlive any one batch
                log.exception("intake writer failed a batch")
                _deliver([(r, None, exc) for r in batch if not r.settled])

    def _take(self, batch: list[_Request]) -> list[_Request]:
        """Move queued requests into ``batch`` (up to the batch limit); those it took."""
        size = sum(len(request.events) for request in batch)
        taken: list[_Request] = []
        while size < MAX_EVENTS_PER_COMMIT:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is None:
                self._queue.put(None)  # stop after this batch
                break
            taken.append(more)
            size += len(more.events)
        batch.extend(taken)
        return taken

    def _integrations(self, events: Sequence[AlertEvent]) -> dict[int, Integration]:
        """Integration rows by id, loaded once per writer (names and services never change;
        revocation is checked before a request is queued)."""
        wanted = {e.integration_id for e in events if e.integration_id is not None}
        missing = wanted - set(self._known)
        if missing:
            with self.sessions() as session:
                query = select(Integration).where(Integration.id.in_(missing))
                for row in session.scalars(query):
                    session.expunge(row)
                    self._known[row.id] = row
        return {i: self._known[i] for i in wanted if i in self._known}

    def _apply(self, batch: list[_Request]) -> None:
        self.batches += 1
        events = [event for request in batch for event in request.events]
        integrations = self._integrations(events)
        prepared = self._prepared(batch, integrations)
        with self._exclusive():
            if self._lock_file is not None:
                # Requests that queued while another process had its turn ride along: under
                # contention each turn (and its fsync) then carries all that is waiting.
                taken = [event for request in self._take(batch) for event in request.events]
                if taken:
                    events += taken
                    integrations.update(self._integrations(taken))
                    prepared = self._prepared(batch, integrations)
            if (
                len(batch) > 1
                and prepared is not None
                and self._apply_together(batch, events, integrations, prepared)
            ):
                return
            for request in batch:
                self._apply_alone(request, integrations)

    def _prepared(
        self, batch: Sequence[_Request], integrations: dict[int, Integration]
    ) -> service.Prepared | None:
        """The batch's pure work (validation, triage), done here for requests whose sender did
        not do it; None if some request's events are invalid (applied alone, it finds out)."""
        for request in batch:
            if request.prepared is None:
                try:
                    request.prepared = service.Prepared(self.playbook, request.events, integrations)
                except Exception:
                    return None
        return service.Prepared.merged([request.prepared for request in batch if request.prepared])

    def _rollback(self, session: Session) -> None:
        """Roll back; if even that fails, the connection is broken: start over with another."""
        try:
            session.rollback()
        except Exception:
            self._forget_connection()

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """SQLite with several API worker processes: one intake writer at a time, taking turns
        through an OS file lock. SQLite's own busy handler would do it too, but it polls with
        sleeps of up to 100 ms; a waiter on the file lock wakes the moment it is free."""
        if self._lock_file is None:
            yield
            return
        with self._lock_file.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # releases the GIL while it waits
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _session(self) -> Session:
        """A session on this writer thread's own connection."""
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self._local.connection = connect(self.sessions.kw["bind"])
        return self.sessions(bind=connection)

    def _forget_connection(self) -> None:
        """Drop this thread's connection (after an error: it may be broken)."""
        connection: Connection | None = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def _write(
        self,
        events: Sequence[AlertEvent],
        integrations: dict[int, Integration],
        prepared: service.Prepared | None,
    ) -> Result:
        """Apply ``events`` in one transaction and commit; rolled back if anything fails."""
        session = self._session()
        try:
            results = service.apply_events(
                session,
                playbook=self.playbook,
                now=self.clock.now(),
                events=events,
                integrations=integrations,
                prepared=prepared,
            )
            session.commit()
        except BaseException:
            self._rollback(session)
            raise
        finally:
            session.close()
        return results

    def _apply_together(
        self,
        batch: list[_Request],
        events: list[AlertEvent],
        integrations: dict[int, Integration],
        prepared: service.Prepared,
    ) -> bool:
        try:
            results = self._write(events, integrations, prepared)
        except Exception:  # one request is at fault; find it by applying each alone
            return False
        start, outcomes = 0, list[Outcome]()
        for request in batch:
            end = start + len(request.events)
            outcomes.append((request, results[start:end], None))
            start = end
        _deliver(outcomes)
        return True

    def _apply_alone(self, request: _Request, integrations: dict[int, Integration]) -> None:
        for attempt in range(1, RETRIES + 1):
            try:
                results = self._write(request.events, integrations, request.prepared)
            except (IntegrityError, OperationalError) as exc:
                # Another writer inserted the same new alert first (it is a repeat now), or
                # the database broke a deadlock: the same events again will succeed.
                if attempt == RETRIES:
                    log.exception("intake failed %d times", RETRIES)
                    _deliver([(request, None, exc)])
                    return
            except Exception as exc:
                if not isinstance(exc, WarroomError):
                    log.exception("intake failed")
                _deliver([(request, None, exc)])
                return
            else:
                _deliver([(request, results, None)])
                return


def connect(engine: Engine) -> Connection:
    """A connection set up as an intake writer's, which runs nothing but intake batches."""
    connection = engine.connect()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        return connection
    if (dialect.server_version_info or (0,)) >= _GENERIC_PLANS:
        # Intake repeats a handful of statements whose every part probes an index (see
        # service._READ_POSTGRESQL): plan each once, not per batch. Planning the read alone
        # cost about as much server time as running it.
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        connection.commit()
    # Under READ COMMITTED (whatever the server's default), a batch's read and its only write
    # may run outside a transaction (bulk.autocommit): no BEGIN and COMMIT round trips.
    return connection.execution_options(isolation_level="READ COMMITTED", **{bulk.AUTOCOMMIT: True})


def _lock_file_for(sessions: sessionmaker[Session]) -> Path | None:
    """The file intake writers of one SQLite database take turns on (None elsewhere)."""
    bind = sessions.kw.get("bind")
    url = getattr(bind, "url", None)
    if url is None or url.get_backend_name() != "sqlite":
        return None
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(f"{database}.intake-lock")
