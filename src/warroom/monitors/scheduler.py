"""The engine jobs of monitoring: probe what is due, and prune old results.

``MonitorScheduler.run`` claims the monitors whose ``next_run_at`` has come (``FOR UPDATE SKIP
LOCKED``, so several engines share the work), probes them concurrently on an asyncio loop
bounded by a semaphore and each monitor's timeout, then stores the results and moves each
``next_run_at`` one interval on from its previous schedule (not from now, so delays do not
accumulate). A monitor that fell more than an interval behind skips the missed runs and gets a
random jitter, so a backlog does not come back as a burst.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.monitors import service
from warroom.monitors.alerting import AlertSink, IntakeSink
from warroom.monitors.evaluation import Evaluation, evaluate
from warroom.monitors.models import Monitor
from warroom.monitors.observation import Observation
from warroom.monitors.probes.dispatch import Clients, observe
from warroom.playbook import Playbook
from warroom.playbook.monitors import MonitorSpec

log = logging.getLogger("warroom.monitors")


async def probe_all(
    specs: Sequence[MonitorSpec], *, concurrency: int, clients: Clients | None = None
) -> list[Observation]:
    """Probe every spec concurrently, at most ``concurrency`` at a time, in order. Without
    ``clients`` the batch gets its own, closed at the end."""
    limit = asyncio.Semaphore(concurrency)

    async def one(spec: MonitorSpec, shared: Clients) -> Observation:
        async with limit:
            return await observe(spec, shared)

    if clients is not None:
        return list(await asyncio.gather(*(one(s, clients) for s in specs)))
    async with Clients() as own:
        return list(await asyncio.gather(*(one(s, own) for s in specs)))


def next_run(scheduled: datetime, interval: timedelta, now: datetime, jitter: float) -> datetime:
    """One interval after the previous schedule; after a backlog, now plus a little jitter."""
    following = scheduled + interval
    if following > now:
        return following
    return now + interval * random.uniform(0.0, jitter)


def judge(spec: MonitorSpec, monitor: Monitor, obs: Observation, now: datetime) -> Evaluation:
    """Evaluate the monitor's conditions on an observation, with its previous metric values."""
    return evaluate(
        service.conditions_of(spec),
        obs,
        previous=dict(monitor.metric_values or {}),
        now=now.timestamp(),
    )


class MonitorScheduler:
    """Engine job: probe the monitors that are due (see the module docstring)."""

    name = "monitors"

    def __init__(
        self,
        playbook: Playbook,
        *,
        sink: AlertSink | None = None,
        concurrency: int = 200,
        batch: int = 1000,
        jitter: float = 0.1,
    ) -> None:
        self.playbook = playbook
        self.sink: AlertSink = sink or IntakeSink()
        self.concurrency = concurrency
        self.batch = batch
        self.jitter = jitter
        self._synced = False
        # One loop and one set of pooled clients for the job's life: creating them every
        # cycle (CA bundle loading, new TCP and TLS handshakes) cost more than the probes.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._clients: Clients | None = None
        self._specs: dict[int, tuple[datetime, MonitorSpec]] = {}

    def _probe(self, specs: list[MonitorSpec]) -> list[Observation]:
        if self._loop is None or self._clients is None:
            self._loop = asyncio.new_event_loop()
            self._clients = Clients()
        job = probe_all(specs, concurrency=self.concurrency, clients=self._clients)
        return self._loop.run_until_complete(job)

    def _spec(self, monitor: Monitor) -> MonitorSpec:
        cached = self._specs.get(monitor.id)
        if cached is None or cached[0] != monitor.updated_at:
            cached = (monitor.updated_at, service.spec_of(monitor))
            self._specs[monitor.id] = cached
        return cached[1]

    def close(self) -> None:
        """Close the pooled connections and the loop (the engine calls nothing; tests do)."""
        if self._loop is not None and self._clients is not None:
            self._loop.run_until_complete(self._clients.__aexit__(None, None, None))
            self._loop.close()
        self._loop, self._clients = None, None

    def run(self, session: Session, now: datetime) -> int:
        """Probe and record every due monitor; how many were checked."""
        if not self._synced:
            service.sync_playbook(session, playbook=self.playbook, now=now)
            self._synced = True
        due = list(
            session.scalars(
                select(Monitor)
                .where(Monitor.enabled.is_(True), Monitor.next_run_at <= now)
                .order_by(Monitor.next_run_at)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )
        )
        if not due:
            return 0
        specs = [self._spec(m) for m in due]
        probed = [(m, s) for m, s in zip(due, specs, strict=True) if s.kind != "heartbeat"]
        observations = self._probe([s for _, s in probed]) if probed else []
        by_id = {m.id: o for (m, _), o in zip(probed, observations, strict=True)}
        rollups = service.load_rollups(session, monitor_ids=[m.id for m in due], at=now)
        for monitor, spec in zip(due, specs, strict=True):
            obs = by_id.get(monitor.id) or service.missed_beat(monitor, now)
            evaluation = judge(spec, monitor, obs, now)
            # How late the check ran against its schedule: the figure the benchmark watches.
            late = (now - monitor.next_run_at).total_seconds() * 1000.0
            service.record(
                session,
                playbook=self.playbook,
                monitor=monitor,
                evaluation=evaluation,
                observation=obs,
                now=now,
                sink=self.sink,
                extra={"drift_ms": round(late, 1)},
                spec=spec,
                rollups=rollups,
            )
            monitor.next_run_at = next_run(monitor.next_run_at, spec.interval, now, self.jitter)
        return len(due)


def run_now(
    session: Session, *, playbook: Playbook, name: str, now: datetime, sink: AlertSink
) -> tuple[Monitor, Evaluation, Observation]:
    """Probe one monitor at once (``warroom monitor run``); the result counts like any other."""
    monitor = service.get(session, name)
    spec = service.spec_of(monitor)
    if spec.kind == "heartbeat":
        obs = Observation(connected=True) if _beat_fresh(monitor, spec, now) else None
        obs = obs or service.missed_beat(monitor, now)
    else:
        obs = asyncio.run(probe_all([spec], concurrency=1))[0]
    evaluation = judge(spec, monitor, obs, now)
    service.record(
        session,
        playbook=playbook,
        monitor=monitor,
        evaluation=evaluation,
        observation=obs,
        now=now,
        sink=sink,
    )
    return monitor, evaluation, obs


def _beat_fresh(monitor: Monitor, spec: MonitorSpec, now: datetime) -> bool:
    last = monitor.last_beat_at
    return last is not None and now - last <= spec.interval + spec.grace


class ResultPruner:
    """Engine job: drop raw results past retention, hourly at most."""

    name = "monitor-retention"

    def __init__(self, *, every: timedelta = timedelta(hours=1)) -> None:
        self.every = every
        self._last: datetime | None = None

    def run(self, session: Session, now: datetime) -> int:
        """Prune if an hour has passed since the last prune; rows removed."""
        if self._last is not None and now - self._last < self.every:
            return 0
        self._last = now
        removed = service.prune(session, now=now)
        if removed:
            log.info("pruned %d old monitor results", removed)
        return 0  # pruning is housekeeping: it must not make the runner loop without pausing
