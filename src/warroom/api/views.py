"""Building response bodies from domain objects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.api.schemas import IncidentOut, RoleHolderOut, TimelineEventOut, WarRoomOut
from warroom.incidents import messages
from warroom.incidents import service as incidents
from warroom.incidents.lifecycle import Kind
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.roles.models import RoleAssignment
from warroom.timeline.models import TimelineEvent


def current_roles(
    session: Session, incident_ids: Sequence[int]
) -> dict[int, dict[str, RoleAssignment]]:
    """Current role holders for many incidents in one query."""
    result: dict[int, dict[str, RoleAssignment]] = {i: {} for i in incident_ids}
    if not incident_ids:
        return result
    rows = session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.incident_id.in_(list(incident_ids)),
            RoleAssignment.relieved_at.is_(None),
        )
    )
    for row in rows:
        result[row.incident_id][row.role] = row
    return result


def role_holder(playbook: Playbook, row: RoleAssignment) -> RoleHolderOut:
    person = playbook.person(row.person)
    role = playbook.roles.get(row.role)
    return RoleHolderOut(
        role=row.role,
        role_name=role.name if role else row.role,
        person=row.person,
        name=person.name if person else row.person,
        since=row.assigned_at,
    )


def incident_out(
    incident: Incident,
    *,
    playbook: Playbook,
    holders: dict[str, RoleAssignment],
    now: datetime,
    detail: bool = False,
    drill: bool = False,
) -> IncidentOut:
    kind = incidents.kind_of(incident, playbook)
    due = incidents.ack_due_at(incident, playbook)
    declared = kind is Kind.INCIDENT and incident.war_room_channel is not None
    war_room = messages.war_room(incident, playbook) if declared else None
    declaration = None
    if detail and declared:
        declaration = messages.declaration_message(
            incident,
            playbook,
            holders={role: row.person for role, row in holders.items()},
            now=now,
        )
    return IncidentOut(
        ref=incidents.ref_of(incident, playbook),
        id=incident.id,
        title=incident.title,
        kind=kind.value,
        severity=incident.severity,
        severity_name=playbook.severity(incident.severity).name,
        status=incident.status,
        service=incident.service,
        impact=incident.impact,
        created_by=incident.created_by,
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        impact_started_at=incident.impact_started_at,
        detected_at=incident.detected_at,
        declared_at=incident.declared_at,
        acknowledged_at=incident.acknowledged_at,
        acknowledged_by=incident.acknowledged_by,
        acknowledge_by=due,
        acknowledgement_overdue=(
            incident.acknowledged_at is None and incidents.is_open(incident) and now > due
        ),
        mitigated_at=incident.mitigated_at,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
        allowed_transitions=[s.value for s in incidents.allowed_transitions(incident, playbook)],
        roles={role: role_holder(playbook, row) for role, row in holders.items()},
        war_room=WarRoomOut(**war_room) if war_room else None,
        drill=drill,
        declaration_message=declaration,
    )


def event_out(event: TimelineEvent) -> TimelineEventOut:
    return TimelineEventOut(
        id=event.id,
        at=event.at,
        recorded_at=event.recorded_at,
        kind=event.kind,
        actor=event.actor,
        body=event.body,
        data=event.data,
    )
