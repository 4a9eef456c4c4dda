"""Checking what people say about an incident before anything is stored."""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.errors import InvalidInput
from warroom.incidents.models import IMPACT_MAX, TITLE_MAX, Incident
from warroom.playbook import Playbook
from warroom.playbook.schema import Severity

FUTURE_SKEW = timedelta(minutes=2)  # clock skew allowed between a client and the server


def severity_of(playbook: Playbook, key: str) -> Severity:
    try:
        return playbook.severity(key)
    except KeyError:
        raise InvalidInput(
            f"unknown severity {key!r}; expected one of {', '.join(playbook.severity_keys())}",
            field="severity",
        ) from None


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("title must not be empty", field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"title is {len(title)} characters; at most {TITLE_MAX}", field="title")
    return title


def clean_impact(impact: str) -> str:
    impact = impact.strip()
    if len(impact) > IMPACT_MAX:
        raise InvalidInput(
            f"impact is {len(impact)} characters; at most {IMPACT_MAX}", field="impact"
        )
    return impact


def check_service(playbook: Playbook, service: str) -> str:
    if playbook.service(service) is None:
        raise InvalidInput(
            f"unknown service {service!r}; the playbook's services are: "
            f"{', '.join(s.name for s in playbook.services) or '(none)'}",
            field="service",
        )
    return service


def check_past(when: datetime, field: str, now: datetime) -> datetime:
    if when.tzinfo is None:
        raise InvalidInput(f"{field} needs a UTC offset, e.g. 2026-11-02T09:00:00Z", field=field)
    if when > now + FUTURE_SKEW:
        raise InvalidInput(f"{field} cannot be in the future", field=field)
    return when


def check_order(impact_started_at: datetime | None, detected_at: datetime) -> None:
    if impact_started_at is not None and impact_started_at > detected_at:
        raise InvalidInput(
            "impact_started_at must not be after detected_at (impact starts before it is detected)",
            field="impact_started_at",
        )


def check_detected_first(incident: Incident, detected_at: datetime) -> None:
    """Detection comes before declaration, acknowledgement, mitigation and resolution."""
    for field in ("declared_at", "acknowledged_at", "mitigated_at", "resolved_at"):
        later = getattr(incident, field)
        if later is not None and detected_at > later:
            raise InvalidInput(
                f"detected_at must not be after {field} ({later.isoformat()})",
                field="detected_at",
            )
