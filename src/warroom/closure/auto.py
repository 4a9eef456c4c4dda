"""Closure items warroom checks itself, from what it knows about the incident.

Alerts and monitors are separate features; when they are not installed (their modules do not
import) the item counts as satisfied, with a note saying warroom could not see, so a warroom
without intake can still close incidents without overrides.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.postmortems.models import Postmortem
from warroom.timeline.models import EventKind, TimelineEvent

# Alert states that count as open when the alerts module does not say (it exports
# OPEN_STATUSES), and monitor states that mean "not normal".
ALERT_OPEN_STATES = ("triggered", "acknowledged")
MONITOR_BAD_STATES = ("down", "degraded")


@dataclass(frozen=True)
class Verdict:
    """Whether an automatic item holds, and why (shown beside the item)."""

    done: bool
    note: str


def evaluate(session: Session, *, playbook: Playbook, incident: Incident, auto: str) -> Verdict:
    """Evaluate one automatic check for an incident."""
    checks = {
        "no_open_alerts": _no_open_alerts,
        "monitors_healthy": _monitors_healthy,
        "resolved_update_posted": _resolved_update_posted,
        "stakeholders_notified": _stakeholders_notified,
        "postmortem_scheduled": _postmortem_scheduled,
    }
    return checks[auto](session, playbook, incident)


def _model(module: str, name: str) -> Any | None:
    """A model class from an optional feature, or None when that feature is not installed."""
    try:
        loaded = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(loaded, name, None)


def _no_open_alerts(session: Session, playbook: Playbook, incident: Incident) -> Verdict:
    alert = _model("warroom.alerts.models", "Alert")
    if alert is None:
        return Verdict(True, "alert intake is not installed; no alerts to check")
    open_states = _model("warroom.alerts.models", "OPEN_STATUSES") or ALERT_OPEN_STATES
    count = session.scalar(
        select(func.count())
        .select_from(alert)
        .where(alert.incident_id == incident.id, alert.status.in_(list(open_states)))
    )
    if count:
        return Verdict(False, f"{count} alert(s) linked to the incident are still firing")
    return Verdict(True, "no open alerts linked to the incident")


def _monitors_healthy(session: Session, playbook: Playbook, incident: Incident) -> Verdict:
    monitor = _model("warroom.monitors.models", "Monitor")
    if monitor is None:
        return Verdict(True, "monitors are not installed; nothing to check")
    # A monitor names its service inside its spec (JSON), so filter the few enabled ones here.
    rows = session.execute(
        select(monitor.name, monitor.state, monitor.spec).where(monitor.enabled.is_(True))
    ).all()
    watching = [
        (name, state) for name, state, spec in rows if _service_of(spec) == incident.service
    ]
    bad = sorted(name for name, state in watching if state in MONITOR_BAD_STATES)
    if bad:
        return Verdict(False, f"monitor(s) not healthy: {', '.join(bad)}")
    if not watching:
        return Verdict(True, f"no monitors watch {incident.service}")
    return Verdict(True, f"{len(watching)} monitor(s) of {incident.service} are up")


def _service_of(spec: Any) -> Any:
    return spec.get("service") if isinstance(spec, dict) else None


def _events(session: Session, incident: Incident, kinds: tuple[EventKind, ...]) -> list[Any]:
    return list(
        session.scalars(
            select(TimelineEvent).where(
                TimelineEvent.incident_id == incident.id,
                TimelineEvent.kind.in_([k.value for k in kinds]),
            )
        )
    )


def _resolved_update_posted(session: Session, playbook: Playbook, incident: Incident) -> Verdict:
    for event in _events(session, incident, (EventKind.PUBLIC_UPDATE,)):
        if (event.data or {}).get("status") == "resolved":
            return Verdict(True, f"resolved update posted at {event.at:%Y-%m-%d %H:%M}Z")
    return Verdict(False, "no public update with status 'resolved' on the timeline")


def _stakeholders_notified(session: Session, playbook: Playbook, incident: Incident) -> Verdict:
    if incident.resolved_at is None:
        return Verdict(False, "the incident is not resolved yet")
    kinds = (EventKind.ANNOUNCEMENT, EventKind.PUBLIC_UPDATE)
    after = [e for e in _events(session, incident, kinds) if e.at >= incident.resolved_at]
    if after:
        first = min(after, key=lambda e: e.at)
        return Verdict(True, f"{first.kind.replace('_', ' ')} at {first.at:%Y-%m-%d %H:%M}Z")
    return Verdict(False, "no announcement or public update since the incident was resolved")


def _postmortem_scheduled(session: Session, playbook: Playbook, incident: Incident) -> Verdict:
    postmortem = session.scalar(select(Postmortem).where(Postmortem.incident_id == incident.id))
    if postmortem is not None and postmortem.meeting_at is not None:
        return Verdict(True, f"meeting at {postmortem.meeting_at:%Y-%m-%d %H:%M}Z")
    if postmortem is None and incident.severity not in playbook.postmortem.required_for:
        return Verdict(True, f"no post-mortem is required for {incident.severity}")
    return Verdict(False, "no post-mortem meeting scheduled yet")
