"""Statuspage's vocabularies (component, incident and maintenance statuses, impact) and how the
page's overall indicator follows from them."""

from __future__ import annotations

from collections.abc import Iterable

from warroom.errors import InvalidInput

COMPONENT_STATUSES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
UNRESOLVED = frozenset({"investigating", "identified", "monitoring"})
IMPACTS = ("none", "minor", "major", "critical")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
ACTIVE_MAINTENANCE = frozenset({"in_progress", "verifying"})

# Worst first wins: the rank of each component status when summarising.
_COMPONENT_RANK = {status: rank for rank, status in enumerate(COMPONENT_STATUSES)}
_IMPACT_RANK = {impact: rank for rank, impact in enumerate(IMPACTS)}

DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
    "maintenance": "Service Under Maintenance",
}
_BY_COMPONENT = {
    "major_outage": ("critical", "Major System Outage"),
    "partial_outage": ("major", "Partial System Outage"),
    "degraded_performance": ("minor", "Partially Degraded Service"),
}


def check_component_status(value: str, *, field: str = "status") -> str:
    """``value`` if it is a Statuspage component status, else InvalidInput listing them."""
    if value not in _COMPONENT_RANK:
        raise InvalidInput(
            f"invalid component status {value!r}; expected one of: {', '.join(COMPONENT_STATUSES)}",
            field=field,
        )
    return value


def check_incident_status(value: str, *, field: str = "status") -> str:
    """``value`` if it is a Statuspage incident status, else InvalidInput listing them."""
    if value not in INCIDENT_STATUSES:
        raise InvalidInput(
            f"invalid incident status {value!r}; expected one of: {', '.join(INCIDENT_STATUSES)}",
            field=field,
        )
    return value


def check_impact(value: str, *, field: str = "impact") -> str:
    """``value`` if it is a Statuspage impact, else InvalidInput listing them."""
    if value not in _IMPACT_RANK:
        raise InvalidInput(
            f"invalid impact {value!r}; expected one of: {', '.join(IMPACTS)}", field=field
        )
    return value


def worst_component_status(statuses: Iterable[str]) -> str:
    """The most severe of component statuses (operational when there are none)."""
    return max(statuses, key=lambda s: _COMPONENT_RANK.get(s, 0), default="operational")


def worst_impact(impacts: Iterable[str]) -> str:
    """The most severe of impacts ("none" when there are none)."""
    return max(impacts, key=lambda i: _IMPACT_RANK.get(i, 0), default="none")


def indicator(
    component_statuses: Iterable[str], incident_impacts: Iterable[str], maintenance_active: bool
) -> tuple[str, str]:
    """The page's ``status.indicator`` and ``status.description``, as Statuspage words them."""
    worst = worst_component_status(component_statuses)
    from_components = _BY_COMPONENT.get(worst)
    impact = worst_impact(incident_impacts)
    if from_components and _IMPACT_RANK[from_components[0]] >= _IMPACT_RANK[impact]:
        return from_components
    if impact != "none":
        return impact, DESCRIPTIONS[impact]
    if worst == "under_maintenance" or maintenance_active:
        return "maintenance", DESCRIPTIONS["maintenance"]
    return "none", DESCRIPTIONS["none"]
