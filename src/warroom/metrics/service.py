"""Incident metrics over a period, computed in SQL: figures (mean, median, p90), counts, rates.

Nothing here loads every incident: the counts and missing timestamps are one aggregate, and
every figure's mean, median and p90 come from one windowed statement that returns a handful of
rows (see ``distributions``).

``where`` is the hook for excluding incidents (drills will pass their filter here): excluded
incidents are neither counted nor taken as the earlier incident of a recurrence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, text, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from warroom.actions.models import ActionItem
from warroom.changes.models import Change
from warroom.errors import InvalidInput
from warroom.incidents.lifecycle import OPEN_STATES
from warroom.incidents.models import Incident
from warroom.metrics.definitions import FIGURES, RATE_DEFINITIONS, Figure
from warroom.metrics.period import check_span
from warroom.metrics.sql import days_before, epoch_seconds
from warroom.playbook import Playbook

RECURRENCE_DAYS = 30
MISSING_SAMPLE = 20
TOP_TYPES = 10
_OPEN = [s.value for s in OPEN_STATES]


@dataclass(frozen=True)
class FigureStats:
    """One figure over the period; seconds, None when nothing could be measured."""

    key: str
    name: str
    definition: str
    measured: int
    missing: int
    missing_still_open: int
    missing_refs: list[str]
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class ActionStats:
    total: int
    done: int
    wont_do: int
    open: int
    overdue: int
    completion_rate: float | None


@dataclass(frozen=True)
class Metrics:
    """Everything `GET /api/v1/metrics` answers."""

    start: datetime
    end: datetime
    service: str | None
    incidents: int
    by_severity: dict[str, int]
    by_service: dict[str, int]
    by_kind: dict[str, int]
    top_types: list[dict[str, Any]]
    figures: dict[str, FigureStats]
    changes: int
    incident_rate_per_deployment: float | None
    recurring: int
    recurrence_rate: float | None
    action_items: ActionStats
    definitions: dict[str, str] = field(default_factory=dict)


def _scope(
    start: datetime, end: datetime, service: str | None, where: Sequence[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    clauses = [Incident.detected_at >= start, Incident.detected_at < end, *where]
    if service is not None:
        clauses.append(Incident.service == service)
    return clauses


def _missing(figure: Figure) -> ColumnElement[bool]:
    return or_(getattr(Incident, figure.start).is_(None), getattr(Incident, figure.end).is_(None))


def ranks(count: int) -> list[int]:
    """The 1-based ranks holding the median (one or two) and the nearest-rank p90."""
    return sorted({(count + 1) // 2, (count + 2) // 2, math.ceil(0.9 * count)})


def _present(figure: Figure) -> ColumnElement[bool]:
    return and_(
        getattr(Incident, figure.start).is_not(None), getattr(Incident, figure.end).is_not(None)
    )


def distributions(
    session: Session,
    scope: Sequence[ColumnElement[bool]],
    counts: dict[str, int],
    figures: Sequence[Figure],
) -> dict[str, tuple[float, dict[int, float]]]:
    """Each figure's mean and its values at the median and p90 ranks, in one statement.

    The period's timestamps are read once (a CTE, materialized because it is used several
    times), each figure's values are numbered in order by a window function, and only the two
    or three rows at the wanted ranks come back, with one mean per figure.
    """
    wanted = [f for f in figures if counts[f.key]]
    if not wanted:
        return {}
    columns = {c for f in wanted for c in (f.start, f.end)}
    base = (
        select(*(epoch_seconds(getattr(Incident, c)).label(c) for c in sorted(columns)))
        .where(*scope)
        .cte("base")
    )
    values = union_all(
        *(
            # Figures are numbered (an integer sorts faster than a name).
            select(literal(i).label("k"), (base.c[f.end] - base.c[f.start]).label("v")).where(
                base.c[f.start].is_not(None), base.c[f.end].is_not(None)
            )
            for i, f in enumerate(wanted)
        )
    ).cte("vals")
    ranked = select(
        values.c.k,
        values.c.v,
        func.row_number().over(partition_by=values.c.k, order_by=values.c.v).label("rn"),
    ).subquery()
    picks = select(ranked.c.k, ranked.c.rn, ranked.c.v).where(
        or_(
            *(
                and_(ranked.c.k == i, ranked.c.rn.in_(ranks(counts[f.key])))
                for i, f in enumerate(wanted)
            )
        )
    )
    means = select(values.c.k, literal(0).label("rn"), func.avg(values.c.v)).group_by(values.c.k)
    found: dict[str, tuple[float, dict[int, float]]] = {f.key: (0.0, {}) for f in wanted}
    for number, rank, value in session.execute(union_all(picks, means)).all():
        key = wanted[int(number)].key
        _mean, by_rank = found[key]
        if int(rank) == 0:
            found[key] = (float(value), by_rank)
        else:
            by_rank[int(rank)] = float(value)
    return found


def figure_stats(
    session: Session,
    *,
    playbook: Playbook,
    scope: list[ColumnElement[bool]],
    figures: Sequence[Figure] = FIGURES,
) -> dict[str, FigureStats]:
    """Mean, median and p90 of each figure, with the incidents that lack a timestamp."""
    columns: list[Any] = []
    for figure in figures:
        absent = _missing(figure)
        columns += [
            func.sum(case((_present(figure), 1), else_=0)),
            func.sum(case((absent, 1), else_=0)),
            func.sum(case((and_(absent, Incident.status.in_(_OPEN)), 1), else_=0)),
        ]
    row = session.execute(select(*columns).where(*scope)).one()
    counts = {f.key: int(row[3 * i] or 0) for i, f in enumerate(figures)}
    found = distributions(session, scope, counts, figures)
    stats = {}
    for i, figure in enumerate(figures):
        measured = counts[figure.key]
        missing, still_open = int(row[3 * i + 1] or 0), int(row[3 * i + 2] or 0)
        mean: float | None = None
        median: float | None = None
        p90: float | None = None
        if measured:
            mean, by_rank = found[figure.key]
            middle = sorted({(measured + 1) // 2, (measured + 2) // 2})
            median = sum(by_rank[r] for r in middle) / len(middle)
            p90 = by_rank[math.ceil(0.9 * measured)]
        refs: list[str] = []
        if missing:
            ids = session.scalars(
                select(Incident.id)
                .where(*scope, _missing(figure))
                .order_by(Incident.id)
                .limit(MISSING_SAMPLE)
            )
            prefix = playbook.organization.incident_prefix
            refs = [f"{prefix}-{i}" for i in ids]
        stats[figure.key] = FigureStats(
            key=figure.key,
            name=figure.name,
            definition=figure.definition,
            measured=measured,
            missing=missing,
            missing_still_open=still_open,
            missing_refs=refs,
            mean_seconds=mean,
            median_seconds=median,
            p90_seconds=p90,
        )
    return stats


def _grouped(session: Session, column: Any, scope: list[ColumnElement[bool]]) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).where(*scope).group_by(column).order_by(func.count().desc())
    ).all()
    return {str(key): int(n) for key, n in rows}


def _top_types(session: Session, scope: list[ColumnElement[bool]]) -> list[dict[str, Any]]:
    # "Type" is the normalised title per service: what recurrence matches on as well.
    kind = func.lower(Incident.title)
    rows = session.execute(
        select(Incident.service, kind, func.count(), func.max(Incident.title))
        .where(*scope)
        .group_by(Incident.service, kind)
        .order_by(func.count().desc(), Incident.service, kind)
        .limit(TOP_TYPES)
    ).all()
    return [{"service": s, "title": title, "count": int(n)} for s, _k, n, title in rows]


def _recurring(
    session: Session,
    start: datetime,
    end: datetime,
    service: str | None,
    where: Sequence[ColumnElement[bool]],
) -> int:
    """How many of the period's incidents had one of the same type in the 30 days before.

    One sort: each incident is paired with the previous one of its service and title (LAG over
    the period plus the 30 days before it), whatever the number of distinct types.
    """
    window = timedelta(days=RECURRENCE_DAYS)
    earlier = [
        Incident.detected_at >= start - window,
        Incident.detected_at < end,
        *where,
    ]
    if service is not None:
        earlier.append(Incident.service == service)
    paired = (
        select(
            Incident.detected_at.label("at"),
            func.lag(Incident.detected_at)
            .over(
                partition_by=(Incident.service, func.lower(Incident.title)),
                order_by=(Incident.detected_at, Incident.id),
            )
            .label("prev"),
        )
        .where(*earlier)
        .subquery()
    )
    query = select(func.count()).where(
        paired.c.at >= start,
        paired.c.prev.is_not(None),
        paired.c.prev >= days_before(paired.c.at, RECURRENCE_DAYS),
    )
    return int(session.scalar(query) or 0)


def _action_stats(session: Session, scope: list[ColumnElement[bool]], today: date) -> ActionStats:
    is_open = ActionItem.status.in_(("todo", "in_progress"))
    row = session.execute(
        select(
            func.count(ActionItem.id),
            func.sum(case((ActionItem.status == "done", 1), else_=0)),
            func.sum(case((ActionItem.status == "wont_do", 1), else_=0)),
            func.sum(case((is_open, 1), else_=0)),
            func.sum(case((and_(is_open, ActionItem.due_on < today), 1), else_=0)),
        )
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(*scope)
    ).one()
    total, done, wont, still_open, overdue = (int(v or 0) for v in row)
    countable = total - wont
    return ActionStats(
        total=total,
        done=done,
        wont_do=wont,
        open=still_open,
        overdue=overdue,
        completion_rate=done / countable if countable else None,
    )


def _changes(session: Session, start: datetime, end: datetime, service: str | None) -> int:
    query = select(func.count()).select_from(Change).where(Change.at >= start, Change.at < end)
    if service is not None:
        query = query.where(Change.service == service)
    return int(session.scalar(query) or 0)


def compute(
    session: Session,
    *,
    playbook: Playbook,
    start: datetime,
    end: datetime,
    now: datetime,
    service: str | None = None,
    where: Sequence[ColumnElement[bool]] = (),
) -> Metrics:
    """The metrics of incidents detected in [start, end), for one service if given."""
    check_span(start, end)
    if service is not None and playbook.service(service) is None:
        known = ", ".join(s.name for s in playbook.services) or "(none)"
        raise InvalidInput(
            f"unknown service {service!r}; the playbook's services are: {known}", field="service"
        )
    if session.get_bind().dialect.name == "postgresql":
        # The figures' sort (four values per incident of the period) spills to disk with the
        # default 4 MB; this only lasts until the end of the transaction.
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    scope = _scope(start, end, service, where)
    total = int(session.scalar(select(func.count()).select_from(Incident).where(*scope)) or 0)
    by_severity = _grouped(session, Incident.severity, scope)
    by_kind: dict[str, int] = {}
    for severity, count in by_severity.items():
        # A severity since removed from the playbook is still counted, as "unknown".
        level = playbook.severities.get(severity)
        kind = "unknown" if level is None else ("incident" if level.declare else "ticket")
        by_kind[kind] = by_kind.get(kind, 0) + count
    changes = _changes(session, start, end, service)
    recurring = _recurring(session, start, end, service, where) if total else 0
    return Metrics(
        start=start,
        end=end,
        service=service,
        incidents=total,
        by_severity=by_severity,
        by_service=_grouped(session, Incident.service, scope),
        by_kind=by_kind,
        top_types=_top_types(session, scope),
        figures=figure_stats(session, playbook=playbook, scope=scope),
        changes=changes,
        incident_rate_per_deployment=total / changes if changes else None,
        recurring=recurring,
        recurrence_rate=recurring / total if total else None,
        action_items=_action_stats(session, scope, now.date()),
        definitions={
            **{f.key: f.definition for f in FIGURES},
            **RATE_DEFINITIONS,
        },
    )
