"""Assigning and handing over the incident roles (IC, Technical Lead, Comms Lead, Scribe)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import Conflict, InvalidInput
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.roles.models import RoleAssignment
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

INCIDENT_COMMANDER = "incident_commander"

# Short names people type on the command line.
ALIASES = {
    "ic": "incident_commander",
    "commander": "incident_commander",
    "tl": "technical_lead",
    "tech": "technical_lead",
    "cl": "communications_lead",
    "comms": "communications_lead",
}


def resolve_role(playbook: Playbook, role: str) -> str:
    key = ALIASES.get(role.lower(), role.lower().replace("-", "_"))
    if key not in playbook.roles:
        raise InvalidInput(
            f"unknown role {role!r}; expected one of: {', '.join(playbook.roles)}", field="role"
        )
    return key


def current(session: Session, *, incident_id: int) -> dict[str, RoleAssignment]:
    """Who holds each role now."""
    rows = session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.incident_id == incident_id, RoleAssignment.relieved_at.is_(None))
        .order_by(RoleAssignment.id)
    )
    return {row.role: row for row in rows}


def history(session: Session, *, incident_id: int) -> list[RoleAssignment]:
    """Every assignment, oldest first, including those handed over."""
    return list(
        session.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.incident_id == incident_id)
            .order_by(RoleAssignment.assigned_at, RoleAssignment.id)
        )
    )


def assign(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    role: str,
    person: str,
    actor: str,
    now: datetime,
) -> RoleAssignment:
    """Give a role to a person, handing it over from whoever held it."""
    role = resolve_role(playbook, role)
    handle = person.removeprefix("@").lower()
    who = playbook.person(handle)
    if who is None:
        raise InvalidInput(
            f"unknown person {person!r}; the playbook's people are: "
            f"{', '.join(p.handle for p in playbook.people) or '(none)'}",
            field="person",
        )
    if incident.closed_at is not None:
        raise Conflict(f"incident {incident.id} is closed; roles can no longer change")
    holder = current(session, incident_id=incident.id).get(role)
    if holder is not None and holder.person == handle:
        return holder
    role_name = playbook.roles[role].name
    if holder is not None:
        holder.relieved_at = now
        holder.relieved_by = actor
        body = f"{role_name} handed over from @{holder.person} to @{handle}"
    else:
        body = f"@{handle} is {role_name}"
    assignment = RoleAssignment(
        incident_id=incident.id,
        role=role,
        person=handle,
        assigned_at=now,
        assigned_by=actor,
    )
    session.add(assignment)
    incident.updated_at = now
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.ROLE_ASSIGNED,
        actor=actor,
        now=now,
        body=body,
        data={"role": role, "person": handle, "previous": holder.person if holder else None},
    )
    session.flush()
    return assignment


def relieve(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    role: str,
    actor: str,
    now: datetime,
    ic_required: bool,
) -> RoleAssignment:
    """Take a role from its holder without a successor."""
    role = resolve_role(playbook, role)
    holder = current(session, incident_id=incident.id).get(role)
    if holder is None:
        raise Conflict(f"nobody holds the {playbook.roles[role].name} role", role=role)
    if role == INCIDENT_COMMANDER and ic_required:
        raise Conflict(
            "a declared incident must keep an Incident Commander; hand the role over to "
            "someone else instead",
            role=role,
        )
    holder.relieved_at = now
    holder.relieved_by = actor
    incident.updated_at = now
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.ROLE_RELIEVED,
        actor=actor,
        now=now,
        body=f"@{holder.person} is no longer {playbook.roles[role].name}",
        data={"role": role, "person": holder.person},
    )
    return holder
