"""What each response figure measures: one table, used by the metrics, reports and documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from warroom.incidents.models import Incident


@dataclass(frozen=True)
class Figure:
    """A duration between two of an incident's timestamps."""

    key: str
    name: str
    start: str
    end: str
    definition: str


FIGURES = (
    Figure(
        "ttd",
        "Time to detect (MTTD)",
        "impact_started_at",
        "detected_at",
        "detected_at - impact_started_at: how long users were affected before anyone knew",
    ),
    Figure(
        "tta",
        "Time to acknowledge (MTTA)",
        "detected_at",
        "acknowledged_at",
        "acknowledged_at - detected_at: how long until someone was on it",
    ),
    Figure(
        "ttm",
        "Time to mitigate",
        "detected_at",
        "mitigated_at",
        "mitigated_at - detected_at: until the fix held (monitoring, or resolved if skipped)",
    ),
    Figure(
        "ttr",
        "Time to resolve (MTTR)",
        "detected_at",
        "resolved_at",
        "resolved_at - detected_at: until the incident was resolved",
    ),
)
FIGURE_BY_KEY = {f.key: f for f in FIGURES}

RATE_DEFINITIONS = {
    "incident_rate_per_deployment": (
        "incidents detected in the period / changes (deployments) recorded in the period; "
        "null when no change was recorded"
    ),
    "recurrence_rate": (
        "share of the period's incidents for which another incident of the same service with "
        "the same title (case-insensitive) was detected in the 30 days before"
    ),
    "action_item_completion_rate": (
        "action items done / action items not marked won't do, over items of the period's "
        "incidents; null when there are none"
    ),
    "missing": (
        "incidents in the period lacking one of a figure's two timestamps (not yet acknowledged, "
        "resolved, ..., or impact start never given): counted and listed, never taken as zero"
    ),
    "percentiles": (
        "median: middle value (mean of the two middle values for an even count); p90: the "
        "nearest-rank 90th percentile (the value at rank ceil(0.9 * n))"
    ),
}


def figure_of(incident: Incident, figure: Figure) -> timedelta | None:
    """This incident's value of a figure, or None when a timestamp is missing."""
    start = getattr(incident, figure.start)
    end = getattr(incident, figure.end)
    if start is None or end is None:
        return None
    return end - start  # type: ignore[no-any-return]


def format_duration(delta: timedelta | float | None) -> str:
    """``1 h 05 min``, ``12 min 30 s`` or ``45 s``; '—' for a missing value."""
    if delta is None:
        return "—"
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    sign = "-" if seconds < 0 else ""
    seconds = abs(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours:02d} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    if minutes:
        return f"{sign}{minutes} min {secs:02d} s"
    return f"{sign}{secs} s"
