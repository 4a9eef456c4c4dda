"""Finding incidents and the facts derived from them: references, kind, due times, lists."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.errors import InvalidInput, NotFound
from warroom.incidents import lifecycle
from warroom.incidents.lifecycle import OPEN_STATES, Kind, Status
from warroom.incidents.models import Incident
from warroom.incidents.validation import severity_of
from warroom.playbook import Playbook

MAX_PAGE = 200
MAX_ID = 2**31 - 1  # ids are 4-byte integers on PostgreSQL
_STATUS_VALUES = frozenset(s.value for s in Status)


# -- references -----------------------------------------------------------------------------


def ref_of(incident: Incident, playbook: Playbook) -> str:
    return f"{playbook.organization.incident_prefix}-{incident.id}"


def parse_ref(ref: str, playbook: Playbook) -> int:
    """'INC-42', 'inc-42' or '42' → 42."""
    match = re.fullmatch(r"(?:([A-Za-z]+)-)?(\d{1,12})", ref.strip())
    prefix = playbook.organization.incident_prefix
    if match is None or (match.group(1) and match.group(1).upper() != prefix):
        raise NotFound(f"no incident {ref!r}; references look like {prefix}-42")
    number = int(match.group(2))
    if number > MAX_ID:
        raise NotFound(f"no incident {prefix}-{number}")
    return number


def get(session: Session, ref: str | int, *, playbook: Playbook, lock: bool = False) -> Incident:
    """The incident with this reference; ``lock`` takes a row lock for an update."""
    incident_id = ref if isinstance(ref, int) else parse_ref(ref, playbook)
    query = select(Incident).where(Incident.id == incident_id)
    if lock:
        query = query.with_for_update()
    incident = session.scalar(query)
    if incident is None:
        raise NotFound(f"no incident {playbook.organization.incident_prefix}-{incident_id}")
    return incident


# -- derived facts --------------------------------------------------------------------------


def kind_of(incident: Incident, playbook: Playbook) -> Kind:
    """Declared incident or ticket, from the severity's ``declare`` flag in the playbook."""
    return Kind.INCIDENT if severity_of(playbook, incident.severity).declare else Kind.TICKET


def ack_due_at(incident: Incident, playbook: Playbook) -> datetime:
    """Acknowledgement is due the severity's response time after detection."""
    return incident.detected_at + severity_of(playbook, incident.severity).response_time


def allowed_transitions(incident: Incident, playbook: Playbook) -> list[Status]:
    return lifecycle.allowed(kind_of(incident, playbook), Status(incident.status))


def is_open(incident: Incident) -> bool:
    return Status(incident.status) in OPEN_STATES


# -- listing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[Incident]
    total: int
    limit: int
    offset: int


def list_incidents(
    session: Session,
    *,
    playbook: Playbook,
    statuses: Sequence[str] = (),
    severities: Sequence[str] = (),
    services: Sequence[str] = (),
    kind: str | None = None,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Incidents newest first, filtered and paginated."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must not be negative", field="offset")
    query = select(Incident)
    for value in statuses:
        if value not in _STATUS_VALUES:
            raise InvalidInput(
                f"unknown status {value!r}; expected one of {', '.join(Status)}", field="status"
            )
    for value in severities:
        severity_of(playbook, value)
    if statuses:
        query = query.where(Incident.status.in_(list(statuses)))
    if severities:
        query = query.where(Incident.severity.in_(list(severities)))
    if services:
        query = query.where(Incident.service.in_(list(services)))
    if kind is not None:
        try:
            wanted = Kind(kind)
        except ValueError:
            raise InvalidInput(
                f"unknown kind {kind!r}; expected incident or ticket", field="kind"
            ) from None
        keys = [
            k
            for k in playbook.severity_keys()
            if playbook.severity(k).declare == (wanted is Kind.INCIDENT)
        ]
        query = query.where(Incident.severity.in_(keys))
    if open_only:
        query = query.where(Incident.status.in_([s.value for s in OPEN_STATES]))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(Incident.id.desc()).limit(limit).offset(offset))
    return Page(items=list(items), total=total, limit=limit, offset=offset)
