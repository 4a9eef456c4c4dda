"""Cycling through the engine's jobs: each job's work is one transaction, driven by a clock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from warroom.clock import Clock
from warroom.engine.job import Job
from warroom.playbook import Playbook

log = logging.getLogger("warroom.engine")


@dataclass
class CycleReport:
    done: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


class Runner:
    """Runs every job once per cycle; ``run_forever`` repeats until stopped."""

    def __init__(
        self,
        jobs: Sequence[Job],
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        interval: float = 0.25,
    ) -> None:
        self.jobs = list(jobs)
        self.sessions = sessions
        self.clock = clock
        self.interval = interval
        self._stop = threading.Event()

    def cycle(self) -> CycleReport:
        """Run each job once at the clock's current time. One failing job does not stop others."""
        report = CycleReport()
        for job in self.jobs:
            session = self.sessions()
            try:
                report.done[job.name] = job.run(session, self.clock.now())
                session.commit()
            except Exception as exc:  # a broken job must not stop the engine
                session.rollback()
                report.failed[job.name] = f"{type(exc).__name__}: {exc}"
                log.exception("engine job %s failed", job.name)
            finally:
                session.close()
        return report

    def run_forever(self) -> None:
        while not self._stop.is_set():
            report = self.cycle()
            # When a cycle found work, look again at once: there may be more.
            if not any(report.done.values()):
                self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()


def default_jobs(playbook: Playbook) -> list[Job]:
    """Every job the engine runs, in order. Domains add theirs here."""
    from warroom.engine.jobs import engine_jobs
    from warroom.monitors.scheduler import MonitorScheduler, ResultPruner
    from warroom.postmortems.jobs import jobs as postincident_jobs
    from warroom.statuspage.automatic import AutomaticComponentStatus
    from warroom.updates.announcements import AnnounceDeclarations
    from warroom.updates.maintenance_windows import MaintenanceWindows

    # the jobs that need the playbook take it in their constructor
    return [
        *postincident_jobs(playbook),
        MonitorScheduler(playbook),
        ResultPruner(),
        # before delivery, so an announcement goes out in the same cycle
        AnnounceDeclarations(playbook),
        MaintenanceWindows(playbook),
        # after the monitors and maintenance, so components follow them in the same cycle
        AutomaticComponentStatus(playbook),
        *engine_jobs(playbook),
    ]
