"""Reading alerts: filtered pages, one alert, and manual reports through the ingest path."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.alerts import service
from warroom.alerts.models import Alert
from warroom.errors import InvalidInput, NotFound
from warroom.integrations.models import Integration
from warroom.playbook import Playbook

MAX_PAGE = 200
STATUSES = ("triggered", "acknowledged", "resolved")


@dataclass(frozen=True)
class Page:
    items: list[Alert]
    total: int
    limit: int
    offset: int
    integrations: dict[int, str]


def list_alerts(
    session: Session,
    *,
    statuses: Sequence[str] = (),
    services: Sequence[str] = (),
    integrations: Sequence[str] = (),
    incident_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Alerts newest first, filtered by status, service and integration name."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must not be negative", field="offset")
    for status in statuses:
        if status not in STATUSES:
            raise InvalidInput(
                f"unknown status {status!r}; expected one of {', '.join(STATUSES)}", field="status"
            )
    query = select(Alert)
    if statuses:
        query = query.where(Alert.status.in_(list(statuses)))
    if services:
        query = query.where(Alert.service.in_(list(services)))
    if integrations:
        ids = select(Integration.id).where(Integration.name.in_(list(integrations)))
        query = query.where(Alert.integration_id.in_(ids))
    if incident_id is not None:
        query = query.where(Alert.incident_id == incident_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(session.scalars(query.order_by(Alert.id.desc()).limit(limit).offset(offset)))
    return Page(items, total, limit, offset, integration_names(session, items))


def integration_names(session: Session, alerts: Sequence[Alert]) -> dict[int, str]:
    """Names of the integrations these alerts came through."""
    ids = {a.integration_id for a in alerts if a.integration_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(Integration.id, Integration.name).where(Integration.id.in_(ids)))
    return {row.id: row.name for row in rows}


def get(session: Session, alert_id: int) -> Alert:
    """One alert by id."""
    alert = session.get(Alert, alert_id) if 0 < alert_id < 2**31 else None
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


def report(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    actor: str,
    summary: str,
    service_name: str,
    severity: str = "error",
    dedup_key: str | None = None,
    labels: dict[str, str] | None = None,
    links: list[dict[str, Any]] | None = None,
) -> Alert:
    """A manual report (support, a team member): an alert like any other, triaged the same way.
    Reporting the same dedup key again while it is open counts as a repeat."""
    if playbook.service(service_name) is None:
        raise InvalidInput(
            f"unknown service {service_name!r}; the playbook's services are: "
            f"{', '.join(s.name for s in playbook.services) or '(none)'}",
            field="service",
        )
    alert = service.ingest(
        session,
        playbook=playbook,
        now=now,
        source="manual",
        dedup_key=dedup_key or uuid.uuid4().hex,
        action="trigger",
        summary=summary,
        severity=severity,
        service=service_name,
        labels=labels,
        links=links,
        raw={"reported_by": actor},
        actor=actor,
    )
    assert alert is not None  # a trigger always yields an alert
    return alert
