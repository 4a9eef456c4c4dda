"""The seed's monthly review (and its quarterly variant): the period's metrics and the trend
over the periods before it, ready to render as Markdown or HTML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from warroom.incidents.models import Incident
from warroom.metrics import service as metrics
from warroom.metrics.definitions import FIGURE_BY_KEY
from warroom.metrics.period import Period, previous
from warroom.metrics.service import Metrics
from warroom.playbook import Playbook

MONTHS_OF_TREND = 6
QUARTERS_OF_TREND = 4


@dataclass(frozen=True)
class TrendPoint:
    """One earlier (or this) period: how many incidents, and how fast they were resolved."""

    label: str
    incidents: int
    resolved: int
    mttr_mean_seconds: float | None
    mttr_median_seconds: float | None


@dataclass(frozen=True)
class Review:
    kind: str
    period: Period
    organization: str
    metrics: Metrics
    trend: list[TrendPoint]


def build(
    session: Session,
    *,
    playbook: Playbook,
    period: Period,
    now: datetime,
    service: str | None = None,
    where: Sequence[ColumnElement[bool]] = (),
) -> Review:
    """The review of ``period`` (a month or a quarter) with its trend."""
    quarterly = "Q" in period.label
    result = metrics.compute(
        session,
        playbook=playbook,
        start=period.start,
        end=period.end,
        now=now,
        service=service,
        where=where,
    )
    buckets = previous(period, QUARTERS_OF_TREND if quarterly else MONTHS_OF_TREND)
    trend = [_point(session, playbook, p, service, where) for p in buckets]
    return Review(
        kind="quarterly" if quarterly else "monthly",
        period=period,
        organization=playbook.organization.name,
        metrics=result,
        trend=trend,
    )


def _point(
    session: Session,
    playbook: Playbook,
    bucket: Period,
    service: str | None,
    where: Sequence[ColumnElement[bool]],
) -> TrendPoint:
    scope = [Incident.detected_at >= bucket.start, Incident.detected_at < bucket.end, *where]
    if service is not None:
        scope.append(Incident.service == service)
    count = int(session.scalar(select(func.count()).select_from(Incident).where(*scope)) or 0)
    ttr = metrics.figure_stats(
        session, playbook=playbook, scope=scope, figures=[FIGURE_BY_KEY["ttr"]]
    )["ttr"]
    return TrendPoint(
        label=bucket.label,
        incidents=count,
        resolved=ttr.measured,
        mttr_mean_seconds=ttr.mean_seconds,
        mttr_median_seconds=ttr.median_seconds,
    )
