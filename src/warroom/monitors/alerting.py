"""The one place a monitor's verdict becomes an alert: the same intake path as webhooks.

A trigger and its resolve share the dedup key ``monitor:NAME``, so repeats never open a second
alert and the playbook's triage rules see ``source="monitor"`` with the monitor's service and
labels (``monitor``, ``kind`` and the playbook's own).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from warroom.monitors.state import AlertAction
from warroom.playbook import Playbook
from warroom.playbook.monitors import MonitorSpec

SOURCE = "monitor"
_KIND_NAMES = {
    "http": "HTTP",
    "metrics": "Metrics",
    "websocket": "WebSocket",
    "tcp": "TCP",
    "sql": "SQL",
    "heartbeat": "Heartbeat",
}


def dedup_key(name: str) -> str:
    """The alert dedup key of a monitor."""
    return f"monitor:{name}"


class AlertSink(Protocol):
    """Where monitor alerts go; tests pass a fake, production uses ``IntakeSink``."""

    def __call__(
        self,
        session: Session,
        *,
        playbook: Playbook,
        now: datetime,
        spec: MonitorSpec,
        action: AlertAction,
        reason: str,
    ) -> None: ...


def labels_of(spec: MonitorSpec) -> dict[str, str]:
    """The alert's labels: the playbook's, then ``monitor`` and ``kind`` (which always win)."""
    return {**spec.labels, "monitor": spec.name, "kind": spec.kind}


def summary_of(spec: MonitorSpec, action: AlertAction, reason: str) -> str:
    """The alert summary people read."""
    if action == "resolve":
        return f"Monitor {spec.name} recovered"
    kind = "Health" if spec.kind == "http" else _KIND_NAMES[spec.kind]
    head = spec.summary or f"{kind} check failing: {spec.name}"
    return f"{head} — {reason}"[:1024] if reason else head[:1024]


class IntakeSink:
    """Sends monitor alerts through ``warroom.alerts.service.ingest``."""

    def __call__(
        self,
        session: Session,
        *,
        playbook: Playbook,
        now: datetime,
        spec: MonitorSpec,
        action: AlertAction,
        reason: str,
    ) -> None:
        from warroom.alerts import service as alerts

        alerts.ingest(
            session,
            playbook=playbook,
            now=now,
            source=SOURCE,
            dedup_key=dedup_key(spec.name),
            action=action,
            summary=summary_of(spec, action, reason),
            severity=spec.severity,
            service=spec.service,
            labels=labels_of(spec),
            raw={"monitor": spec.name, "kind": spec.kind, "reason": reason},
        )
