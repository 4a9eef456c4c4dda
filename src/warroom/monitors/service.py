"""Monitors as rows: syncing the playbook, managing API monitors, recording results, heartbeats.

Results go through ``record``: one row per check, one hourly rollup updated in place, the
anti-flap step, and at most one alert action through the sink. Uptime is read from the rollups,
so a 90-day bar chart costs one query over at most 2,160 rows per monitor.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.monitors.alerting import AlertSink
from warroom.monitors.evaluation import DEFAULT_CONDITIONS, Evaluation
from warroom.monitors.models import ERROR_MAX, Monitor, MonitorResult, MonitorRollup
from warroom.monitors.observation import Observation
from warroom.monitors.state import advance
from warroom.playbook import Playbook
from warroom.playbook.monitors import MonitorSpec, spec_problems

RAW_RETENTION = timedelta(days=14)
ROLLUP_RETENTION = timedelta(days=400)


def spec_of(monitor: Monitor) -> MonitorSpec:
    """The monitor's spec as a validated model."""
    return MonitorSpec.model_validate(monitor.spec)


def conditions_of(spec: MonitorSpec) -> tuple[str, ...]:
    """The conditions checked: the spec's own, or the kind's default."""
    return spec.conditions or DEFAULT_CONDITIONS[spec.kind]


def first_run(spec: MonitorSpec, now: datetime) -> datetime:
    """When a new monitor first runs: spread over its interval by name, so a playbook of many
    monitors does not probe everything in the same second."""
    if spec.kind == "heartbeat":
        return now + spec.interval + spec.grace
    seconds = spec.interval.total_seconds()
    digest = int(hashlib.sha256(spec.name.encode()).hexdigest()[:8], 16)
    return now + timedelta(seconds=(digest % 10_000) / 10_000 * seconds)


def _new(spec: MonitorSpec, origin: str, now: datetime) -> Monitor:
    return Monitor(
        name=spec.name,
        kind=spec.kind,
        origin=origin,
        spec=spec.model_dump(mode="json"),
        enabled=spec.enabled,
        state="unknown",
        consecutive_failures=0,
        consecutive_successes=0,
        alert_open=False,
        next_run_at=first_run(spec, now),
        heartbeat_token=secrets.token_urlsafe(24) if spec.kind == "heartbeat" else None,
        metric_values={},
        created_at=now,
        updated_at=now,
    )


def sync_playbook(session: Session, *, playbook: Playbook, now: datetime) -> int:
    """Make the playbook's monitors rows (new, changed, removed → disabled); how many changed."""
    rows = {m.name: m for m in session.scalars(select(Monitor))}
    changed = 0
    wanted = {spec.name: spec for spec in playbook.monitors}
    for name, spec in wanted.items():
        row = rows.get(name)
        dumped = spec.model_dump(mode="json")
        if row is None:
            try:
                # Another process (the API beside the engine) may add the same row at once.
                with session.begin_nested():
                    session.add(_new(spec, "playbook", now))
            except IntegrityError:
                continue
            changed += 1
        elif row.spec != dumped or row.origin != "playbook" or row.enabled != spec.enabled:
            if row.kind != spec.kind:
                row.heartbeat_token = (
                    secrets.token_urlsafe(24) if spec.kind == "heartbeat" else None
                )
            row.spec, row.kind, row.origin, row.enabled = (
                dumped,
                spec.kind,
                "playbook",
                spec.enabled,
            )
            row.updated_at = now
            changed += 1
    for name, row in rows.items():
        if row.origin == "playbook" and name not in wanted and row.enabled:
            row.enabled, row.updated_at = False, now  # keep its history for uptime
            changed += 1
    session.flush()
    return changed


def list_monitors(session: Session) -> list[Monitor]:
    """Every monitor, by name."""
    return list(session.scalars(select(Monitor).order_by(Monitor.name)))


def get(session: Session, name: str) -> Monitor:
    """The monitor called ``name``; NotFound if there is none."""
    row = session.scalar(select(Monitor).where(Monitor.name == name))
    if row is None:
        raise NotFound(f"no monitor named {name!r}", name=name)
    return row


def validate_spec(data: dict[str, Any], *, playbook: Playbook) -> MonitorSpec:
    """A spec from API input, checked like a playbook entry; InvalidInput lists every problem."""
    problems: list[dict[str, str]] = []
    spec: MonitorSpec | None = None
    try:
        spec = MonitorSpec.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"])
            what = str((err.get("ctx") or {}).get("error", err["msg"]))
            problems.append({"field": where, "message": what})
    problems += [{"field": path, "message": msg} for path, msg in spec_problems(data)]
    service = data.get("service")
    if isinstance(service, str) and playbook.service(service) is None:
        problems.append({"field": "service", "message": f'unknown service "{service}"'})
    if problems or spec is None:
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise InvalidInput(f"invalid monitor: {summary}", problems=problems)
    return spec


def create(session: Session, *, spec: MonitorSpec, now: datetime) -> Monitor:
    """Add a monitor managed over the API; Conflict if the name is taken."""
    if session.scalar(select(Monitor.id).where(Monitor.name == spec.name)) is not None:
        raise Conflict(f"a monitor named {spec.name!r} already exists", name=spec.name)
    row = _new(spec, "api", now)
    session.add(row)
    session.flush()
    return row


def replace(session: Session, *, name: str, spec: MonitorSpec, now: datetime) -> Monitor:
    """Change an API monitor's spec (same name and kind); its state and history are kept."""
    row = get(session, name)
    if row.origin == "playbook":
        raise Conflict(f"{name!r} comes from the playbook; change it there and reload", name=name)
    if spec.name != name or spec.kind != row.kind:
        raise InvalidInput(
            "a monitor keeps its name and kind; delete it and create another", field="name"
        )
    row.spec, row.enabled, row.updated_at = spec.model_dump(mode="json"), spec.enabled, now
    session.flush()
    return row


def remove(session: Session, *, name: str) -> None:
    """Delete an API monitor and its history; playbook monitors are changed in the playbook."""
    row = get(session, name)
    if row.origin == "playbook":
        raise Conflict(f"{name!r} comes from the playbook; remove it there and reload", name=name)
    session.execute(delete(MonitorResult).where(MonitorResult.monitor_id == row.id))
    session.execute(delete(MonitorRollup).where(MonitorRollup.monitor_id == row.id))
    session.delete(row)
    session.flush()


def recent_results(session: Session, *, monitor_id: int, limit: int = 20) -> list[MonitorResult]:
    """The newest results first."""
    query = (
        select(MonitorResult)
        .where(MonitorResult.monitor_id == monitor_id)
        .order_by(MonitorResult.at.desc(), MonitorResult.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


RollupCache = dict[tuple[int, datetime], MonitorRollup]
"""Rollup rows already loaded this transaction, by (monitor id, hour)."""


def load_rollups(session: Session, *, monitor_ids: list[int], at: datetime) -> RollupCache:
    """The rollups of these monitors for the hour of ``at``, in one query (the scheduler's
    batch writes then need no query per result)."""
    hour = _hour(at)
    rows = session.scalars(
        select(MonitorRollup).where(
            MonitorRollup.monitor_id.in_(monitor_ids), MonitorRollup.hour == hour
        )
    )
    cache: RollupCache = {(r.monitor_id, hour): r for r in rows}
    # Monitors without a row yet get one, so record() never looks them up one by one.
    for monitor_id in monitor_ids:
        if (monitor_id, hour) not in cache:
            row = _empty_rollup(monitor_id, hour)
            session.add(row)
            cache[(monitor_id, hour)] = row
    return cache


def _empty_rollup(monitor_id: int, hour: datetime) -> MonitorRollup:
    return MonitorRollup(
        monitor_id=monitor_id,
        hour=hour,
        checks=0,
        failures=0,
        degraded=0,
        latency_sum_ms=0.0,
        latency_max_ms=0.0,
    )


def _rollup(
    session: Session, monitor_id: int, result: MonitorResult, cache: RollupCache | None
) -> None:
    hour = _hour(result.at)
    row = (cache or {}).get((monitor_id, hour))
    if row is None:
        row = session.scalar(
            select(MonitorRollup)
            .where(MonitorRollup.monitor_id == monitor_id, MonitorRollup.hour == hour)
            .with_for_update()
        )
    if row is None:
        row = _empty_rollup(monitor_id, hour)
        session.add(row)
    latency = result.latency_ms or 0.0
    row.checks += 1
    row.failures += 0 if result.ok else 1
    row.degraded += 1 if result.degraded else 0
    row.latency_sum_ms += latency
    row.latency_max_ms = max(row.latency_max_ms, latency)


def record(
    session: Session,
    *,
    playbook: Playbook,
    monitor: Monitor,
    evaluation: Evaluation,
    observation: Observation,
    now: datetime,
    sink: AlertSink,
    extra: dict[str, Any] | None = None,
    spec: MonitorSpec | None = None,
    rollups: RollupCache | None = None,
) -> MonitorResult:
    """Store one check's result, step the anti-flap state, and alert on its thresholds;
    ``extra`` is stored with the result's details (the scheduler's drift); ``spec`` saves
    parsing the monitor's spec again and ``rollups`` a query per result."""
    spec = spec or spec_of(monitor)
    latency = observation.response_time_ms
    degraded = bool(
        evaluation.ok and spec.degraded_over is not None and (latency or 0.0) > spec.degraded_over
    )
    reason = evaluation.reason()
    details: dict[str, Any] = {
        "conditions": [
            {"condition": r.condition, "ok": r.ok, "reason": r.reason} for r in evaluation.results
        ],
    }
    details.update(extra or {})
    if observation.timings:
        details["timings"] = {k: round(v, 2) for k, v in observation.timings.items()}
    result = MonitorResult(
        monitor_id=monitor.id,
        at=now,
        ok=evaluation.ok,
        degraded=degraded,
        latency_ms=round(latency, 3) if latency is not None else None,
        status_code=observation.status,
        error=reason[:ERROR_MAX] if reason else None,
        details=details,
    )
    session.add(result)
    _rollup(session, monitor.id, result, rollups)
    step = advance(
        state=monitor.state,
        failures=monitor.consecutive_failures,
        successes=monitor.consecutive_successes,
        alert_open=monitor.alert_open,
        ok=evaluation.ok,
        degraded=degraded,
        failures_to_alert=spec.failures_to_alert,
        successes_to_resolve=spec.successes_to_resolve,
    )
    if step.state != monitor.state:
        monitor.state_changed_at = now
    monitor.state = step.state
    monitor.consecutive_failures, monitor.consecutive_successes = step.failures, step.successes
    monitor.alert_open = step.alert_open
    monitor.last_run_at, monitor.last_ok = now, evaluation.ok
    monitor.last_error = reason[:ERROR_MAX] if reason else None
    if evaluation.metric_values:
        monitor.metric_values = evaluation.metric_values
    monitor.updated_at = now
    if step.alert is not None:
        sink(session, playbook=playbook, now=now, spec=spec, action=step.alert, reason=reason or "")
    return result


def beat(
    session: Session, *, token: str, playbook: Playbook, now: datetime, sink: AlertSink
) -> Monitor:
    """A heartbeat arrived: a passing result, and the next beat is due an interval later."""
    row = session.scalar(
        select(Monitor).where(Monitor.heartbeat_token == token, Monitor.kind == "heartbeat")
    )
    if row is None or not token:
        raise NotFound("no heartbeat monitor has this URL")
    spec = spec_of(row)
    row.last_beat_at = now
    row.next_run_at = now + spec.interval + spec.grace
    record(
        session,
        playbook=playbook,
        monitor=row,
        evaluation=Evaluation(True, []),
        observation=Observation(connected=True),
        now=now,
        sink=sink,
    )
    return row


def missed_beat(monitor: Monitor, now: datetime) -> Observation:
    """The failed observation of a heartbeat monitor whose beat is overdue."""
    since = monitor.last_beat_at.isoformat() if monitor.last_beat_at else "never"
    return Observation(connected=False, error=f"no heartbeat received (last: {since})")


def uptime(session: Session, *, monitor: str, start: datetime, end: datetime) -> float | None:
    """Share of passing checks in the hours from start to end (both hours counted whole), or
    None when there were no checks or there is no such monitor (yet)."""
    monitor_id = session.scalar(select(Monitor.id).where(Monitor.name == monitor))
    if monitor_id is None:
        return None
    totals = session.execute(
        select(func.sum(MonitorRollup.checks), func.sum(MonitorRollup.failures)).where(
            MonitorRollup.monitor_id == monitor_id,
            MonitorRollup.hour >= _hour(start),
            MonitorRollup.hour <= end,
        )
    ).one()
    checks, failures = int(totals[0] or 0), int(totals[1] or 0)
    return None if checks == 0 else (checks - failures) / checks


def daily_uptime(
    session: Session, *, monitor: str, days: int, now: datetime
) -> list[tuple[date, float | None]]:
    """(date, uptime or None) for each of the last ``days`` UTC days, oldest first; all None
    for a monitor with no checks or none by that name (yet)."""
    monitor_id = session.scalar(select(Monitor.id).where(Monitor.name == monitor))
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days - 1)
    counts: dict[date, list[int]] = {}
    query = select(MonitorRollup.hour, MonitorRollup.checks, MonitorRollup.failures).where(
        MonitorRollup.monitor_id == monitor_id, MonitorRollup.hour >= start
    )
    for hour, checks, failures in session.execute(query) if monitor_id is not None else []:
        tally = counts.setdefault(hour.date(), [0, 0])
        tally[0] += checks
        tally[1] += failures
    bars: list[tuple[date, float | None]] = []
    for offset in range(days):
        day = (start + timedelta(days=offset)).date()
        checks, failures = counts.get(day, [0, 0])
        bars.append((day, None if checks == 0 else (checks - failures) / checks))
    return bars


def prune(
    session: Session,
    *,
    now: datetime,
    raw: timedelta = RAW_RETENTION,
    rollups: timedelta = ROLLUP_RETENTION,
) -> int:
    """Drop raw results past their retention (rollups keep the counts) and very old rollups."""
    old_results = delete(MonitorResult).where(MonitorResult.at < now - raw)
    gone: int = session.execute(old_results).rowcount  # type: ignore[attr-defined]
    old_rollups = delete(MonitorRollup).where(MonitorRollup.hour < now - rollups)
    gone += session.execute(old_rollups).rowcount  # type: ignore[attr-defined]
    return int(gone or 0)
