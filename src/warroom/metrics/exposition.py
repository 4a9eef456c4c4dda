"""warroom's own Prometheus metrics, read from the database at scrape time (aggregate counts
only: no titles, people or other incident details leave through this endpoint).

Alerts and notifications are separate features: their families appear when their modules
import, so a warroom without them still exposes a valid page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from warroom.actions.models import ActionItem
from warroom.incidents.lifecycle import OPEN_STATES
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.postmortems.models import Postmortem


def _model(module: str, name: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


class DatabaseCollector(Collector):
    """Collects incident, post-mortem, alert and notification counts on every scrape."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        playbook: Playbook,
        now: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.playbook = playbook
        self.now = now

    def describe(self) -> list[Metric]:
        # Describing nothing keeps registration from scraping the database at start-up.
        return []

    def collect(self) -> Iterator[Metric]:
        with self.sessions() as session:
            yield from self._incidents(session)
            yield from self._follow_up(session)
            yield from self._alerts(session)
            yield from self._notifications(session)

    def _incidents(self, session: Session) -> Iterator[Metric]:
        severities = self.playbook.severity_keys()
        open_now = GaugeMetricFamily(
            "warroom_open_incidents", "Incidents not yet resolved, by severity", labels=["severity"]
        )
        total = CounterMetricFamily(
            "warroom_incidents", "Incidents ever opened, by severity", labels=["severity"]
        )
        opened: dict[str, int] = dict(
            session.execute(
                select(Incident.severity, func.count())
                .where(Incident.status.in_([s.value for s in OPEN_STATES]))
                .group_by(Incident.severity)
            ).all()
        )
        everything: dict[str, int] = dict(
            session.execute(
                select(Incident.severity, func.count()).group_by(Incident.severity)
            ).all()
        )
        for severity in dict.fromkeys([*severities, *everything]):
            open_now.add_metric([severity], float(opened.get(severity, 0)))
            total.add_metric([severity], float(everything.get(severity, 0)))
        yield open_now
        yield total

    def _follow_up(self, session: Session) -> Iterator[Metric]:
        now = self.now()
        overdue_pm = session.scalar(
            select(func.count())
            .select_from(Postmortem)
            .where(Postmortem.status == "draft", Postmortem.due_at < now)
        )
        yield GaugeMetricFamily(
            "warroom_postmortems_overdue",
            "Draft post-mortems past their deadline",
            value=float(overdue_pm or 0),
        )
        overdue_items = session.scalar(
            select(func.count())
            .select_from(ActionItem)
            .where(ActionItem.status.in_(("todo", "in_progress")), ActionItem.due_on < now.date())
        )
        yield GaugeMetricFamily(
            "warroom_action_items_overdue",
            "Open action items past their due date",
            value=float(overdue_items or 0),
        )

    def _alerts(self, session: Session) -> Iterator[Metric]:
        alert = _model("warroom.alerts.models", "Alert")
        if alert is None:
            return
        family = CounterMetricFamily(
            "warroom_alerts_received", "Alerts received, by source", labels=["source"]
        )
        for source, count in session.execute(
            select(alert.source, func.count()).group_by(alert.source)
        ).all():
            family.add_metric([str(source)], float(count))
        yield family

    def _notifications(self, session: Session) -> Iterator[Metric]:
        notification = _model("warroom.notify.models", "Notification")
        if notification is None:
            return
        family = GaugeMetricFamily(
            "warroom_notifications", "Notifications in the outbox, by status", labels=["status"]
        )
        for status, count in session.execute(
            select(notification.status, func.count()).group_by(notification.status)
        ).all():
            family.add_metric([str(status)], float(count))
        yield family
        now = self.now()
        oldest = session.scalar(
            select(func.min(notification.not_before)).where(
                notification.status == "queued", notification.not_before <= now
            )
        )
        lag = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "warroom_engine_lag_seconds",
            "How long the oldest due notification has waited to be sent (0 when none)",
            value=lag,
        )
