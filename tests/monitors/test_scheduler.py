"""The scheduler job on a real database, against real targets, driven by the FrozenClock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.monitors.conftest import Target
from tests.support import free_port
from warroom.alerts.models import Alert
from warroom.clock import FrozenClock
from warroom.incidents.models import Incident
from warroom.monitors import service
from warroom.monitors.models import Monitor, MonitorResult
from warroom.monitors.scheduler import MonitorScheduler, ResultPruner, next_run, run_now
from warroom.playbook import Playbook
from warroom.playbook.monitors import MonitorSpec


@dataclass
class FakeSink:
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def __call__(
        self,
        session: Session,
        *,
        playbook: Playbook,
        now: datetime,
        spec: MonitorSpec,
        action: str,
        reason: str,
    ) -> None:
        self.sent.append((spec.name, action, reason))


def with_monitors(playbook: Playbook, *monitors: dict[str, Any]) -> Playbook:
    data = playbook.model_dump(mode="json")
    data["monitors"] = list(monitors)
    return Playbook.model_validate(data)


def _cycle(job: MonitorScheduler, session: Session, clock: FrozenClock) -> int:
    done = job.run(session, clock.now())
    session.commit()
    return done


def _monitor(session: Session, name: str) -> Monitor:
    session.expire_all()
    return service.get(session, name)


def test_anti_flap_trigger_after_three_resolve_after_two(
    session: Session, clock: FrozenClock, playbook: Playbook, target: Target
) -> None:
    book = with_monitors(
        playbook, {"name": "web", "kind": "http", "url": target.url, "interval": "30s"}
    )
    sink = FakeSink()
    job = MonitorScheduler(book, sink=sink)
    _cycle(job, session, clock)  # syncs; the first run is spread within the interval
    clock.advance(timedelta(seconds=30))
    assert _cycle(job, session, clock) == 1
    assert _monitor(session, "web").state == "up"
    target.mode = "error"
    for _ in range(2):
        clock.advance(timedelta(seconds=30))
        _cycle(job, session, clock)
    assert sink.sent == []
    assert _monitor(session, "web").state == "up"
    clock.advance(timedelta(seconds=30))
    _cycle(job, session, clock)
    assert sink.sent == [("web", "trigger", "[STATUS] < 400 (actual: 500)")]
    assert _monitor(session, "web").state == "down"
    clock.advance(timedelta(seconds=30))
    _cycle(job, session, clock)
    assert len(sink.sent) == 1  # still down: no second alert
    target.mode = "ok"
    clock.advance(timedelta(seconds=30))
    _cycle(job, session, clock)
    assert _monitor(session, "web").state == "down"
    clock.advance(timedelta(seconds=30))
    _cycle(job, session, clock)
    assert sink.sent[-1][:2] == ("web", "resolve")
    assert _monitor(session, "web").state == "up"
    results = session.scalars(select(MonitorResult)).all()
    assert len(results) == 7
    assert (
        service.uptime(
            session,
            monitor="web",
            start=clock.now() - timedelta(hours=1),
            end=clock.now() + timedelta(hours=1),
        )
        == 3 / 7
    )


def test_not_due_is_not_probed(
    session: Session, clock: FrozenClock, playbook: Playbook, target: Target
) -> None:
    book = with_monitors(
        playbook, {"name": "web", "kind": "http", "url": target.url, "interval": "1m"}
    )
    job = MonitorScheduler(book, sink=FakeSink())
    _cycle(job, session, clock)
    clock.advance(timedelta(minutes=1))
    _cycle(job, session, clock)
    hits = len(target.hits)
    assert _cycle(job, session, clock) == 0
    assert len(target.hits) == hits


def test_degraded_from_response_time(
    session: Session, clock: FrozenClock, playbook: Playbook, target: Target
) -> None:
    book = with_monitors(
        playbook,
        {
            "name": "web",
            "kind": "http",
            "url": target.url,
            "degraded_over": "100ms",
            "interval": "10s",
            "timeout": "5s",
        },
    )
    sink = FakeSink()
    job = MonitorScheduler(book, sink=sink)
    _cycle(job, session, clock)
    target.delay = 0.2
    clock.advance(timedelta(seconds=10))
    _cycle(job, session, clock)
    assert _monitor(session, "web").state == "degraded"
    assert sink.sent == []


def test_unreachable_target_never_crashes_the_job(
    session: Session, clock: FrozenClock, playbook: Playbook
) -> None:
    book = with_monitors(
        playbook,
        {"name": "gone", "kind": "http", "url": f"http://127.0.0.1:{free_port()}/"},
        {"name": "nodns", "kind": "tcp", "host": "no-such-host.invalid", "port": 80},
    )
    job = MonitorScheduler(book, sink=FakeSink())
    _cycle(job, session, clock)
    clock.advance(timedelta(minutes=1))
    assert _cycle(job, session, clock) == 2
    assert _monitor(session, "gone").last_error == "connection refused"
    assert (_monitor(session, "nodns").last_error or "").startswith("DNS lookup failed")


def test_heartbeat_missed_then_beat(
    session: Session, clock: FrozenClock, playbook: Playbook
) -> None:
    book = with_monitors(
        playbook,
        {
            "name": "nightly",
            "kind": "heartbeat",
            "interval": "1h",
            "grace": "5m",
            "failures_to_alert": 1,
        },
    )
    sink = FakeSink()
    job = MonitorScheduler(book, sink=sink)
    _cycle(job, session, clock)
    token = _monitor(session, "nightly").heartbeat_token
    assert token
    assert len(token) >= 32
    clock.advance(timedelta(minutes=64))
    assert _cycle(job, session, clock) == 0
    clock.advance(timedelta(minutes=2))
    assert _cycle(job, session, clock) == 1
    assert sink.sent[0][:2] == ("nightly", "trigger")
    assert "no heartbeat" in sink.sent[0][2]
    service.beat(session, token=token, playbook=book, now=clock.now(), sink=sink)
    service.beat(session, token=token, playbook=book, now=clock.now(), sink=sink)
    session.commit()
    assert sink.sent[-1][:2] == ("nightly", "resolve")


def test_playbook_sync_updates_and_disables(
    session: Session, clock: FrozenClock, playbook: Playbook, target: Target
) -> None:
    one = with_monitors(playbook, {"name": "web", "kind": "http", "url": target.url})
    service.sync_playbook(session, playbook=one, now=clock.now())
    two = with_monitors(playbook, {"name": "web", "kind": "http", "url": target.url + "/x"})
    assert service.sync_playbook(session, playbook=two, now=clock.now()) == 1
    assert service.sync_playbook(session, playbook=two, now=clock.now()) == 0
    service.sync_playbook(session, playbook=playbook, now=clock.now())
    assert not _monitor(session, "web").enabled


def test_next_run_keeps_schedule_and_skips_backlog() -> None:
    start = datetime.fromisoformat("2026-11-02T09:00:00+00:00")
    step = timedelta(seconds=10)
    assert next_run(start, step, start + timedelta(seconds=3), 0.1) == start + step
    late = next_run(start, step, start + timedelta(minutes=5), 0.1)
    assert start + timedelta(minutes=5) <= late <= start + timedelta(minutes=5, seconds=1)


def test_run_now_records(
    session: Session, clock: FrozenClock, playbook: Playbook, target: Target
) -> None:
    book = with_monitors(playbook, {"name": "web", "kind": "http", "url": target.url})
    service.sync_playbook(session, playbook=book, now=clock.now())
    _monitor_row, evaluation, _obs = run_now(
        session, playbook=book, name="web", now=clock.now(), sink=FakeSink()
    )
    assert evaluation.ok
    assert len(service.recent_results(session, monitor_id=_monitor_row.id)) == 1


def test_retention_and_daily_uptime(
    session: Session, clock: FrozenClock, playbook: Playbook, target: Target
) -> None:
    book = with_monitors(
        playbook,
        {"name": "web", "kind": "http", "url": target.url, "interval": "1h", "timeout": "5s"},
    )
    job = MonitorScheduler(book, sink=FakeSink())
    _cycle(job, session, clock)
    for day in range(3):
        target.mode = "error" if day == 1 else "ok"
        clock.advance(timedelta(days=1))
        _cycle(job, session, clock)
    bars = service.daily_uptime(session, monitor="web", days=5, now=clock.now())
    assert [b[1] for b in bars] == [None, None, 1.0, 0.0, 1.0]
    assert ResultPruner().run(session, clock.now() + timedelta(days=30)) == 0
    session.commit()
    assert session.scalars(select(MonitorResult)).all() == []
    later = service.daily_uptime(session, monitor="web", days=5, now=clock.now())
    assert later == bars  # rollups outlive the raw results
    unknown = service.daily_uptime(session, monitor="nope", days=2, now=clock.now())
    assert [b[1] for b in unknown] == [None, None]
    assert service.uptime(session, monitor="nope", start=clock.now(), end=clock.now()) is None


def test_scenario_down_alert_p0_incident_then_resolved(
    session: Session, clock: FrozenClock, playbook: Playbook, target: Target
) -> None:
    book = with_monitors(
        playbook,
        {
            "name": "api-health",
            "kind": "http",
            "url": f"{target.url}/health",
            "service": "api",
            "interval": "30s",
        },
    )
    job = MonitorScheduler(book)  # the real path: warroom.alerts.service.ingest
    _cycle(job, session, clock)
    target.mode = "error"
    for _ in range(3):
        clock.advance(timedelta(seconds=30))
        _cycle(job, session, clock)
    alert = session.scalars(select(Alert).where(Alert.dedup_key == "monitor:api-health")).one()
    assert alert.status == "triggered"
    assert alert.source == "monitor"
    assert alert.labels["monitor"] == "api-health"
    assert alert.incident_id is not None
    incident = session.get(Incident, alert.incident_id)
    assert incident is not None
    assert incident.severity == "P0"
    assert incident.service == "api"
    target.mode = "ok"
    for _ in range(2):
        clock.advance(timedelta(seconds=30))
        _cycle(job, session, clock)
    session.expire_all()
    assert session.get(Alert, alert.id).status == "resolved"  # type: ignore[union-attr]
