"""Publishing incidents: the public row an incident gets with its first public update, each
update as published, and the switch that hides an incident from the page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.errors import InvalidInput, NotFound
from warroom.incidents.models import Incident
from warroom.incidents.queries import ref_of
from warroom.playbook import Playbook
from warroom.statuspage import components, ids, version
from warroom.statuspage.models import NAME_MAX, PublicIncident, PublicUpdate
from warroom.statuspage.status import (
    check_component_status,
    check_impact,
    check_incident_status,
)


def _is_drill(session: Session, incident_id: int) -> bool:
    from warroom.drills import service as drills  # drills reads incidents; import late

    return bool(drills.drill_incident_ids(session, [incident_id]))


def get(session: Session, incident_id: int) -> PublicIncident | None:
    """The incident's public row, if it has ever been published."""
    return session.get(PublicIncident, incident_id)


def check_components(playbook: Playbook, changes: Mapping[str, str]) -> None:
    """Refuse unknown components and invalid statuses before anything is stored."""
    for key, status in changes.items():
        components.find(playbook, key)
        check_component_status(status, field=f"components.{key}")


def publish_update(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    status: str,
    body: str,
    component_changes: Mapping[str, str],
    actor: str,
    now: datetime,
    impact: str | None = None,
    name: str | None = None,
) -> PublicUpdate:
    """Add a public update (publishing the incident if it is not yet), applying component
    statuses. The caller has checked that the incident may be published."""
    check_incident_status(status)
    check_components(playbook, component_changes)
    if impact is not None:
        check_impact(impact)
    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise InvalidInput("name must not be empty", field="name")
        if len(name) > NAME_MAX:
            raise InvalidInput(f"name is {len(name)} characters; at most {NAME_MAX}", field="name")
    public = session.get(PublicIncident, incident.id, with_for_update=True)
    if public is None:
        public = PublicIncident(
            incident_id=incident.id,
            public_id=ids.new_id(),
            # The public title is the incident's unless the responder words it for the public.
            name=name or incident.title[:NAME_MAX],
            status=status,
            impact=impact
            or playbook.status_page.impact_by_severity.get(incident.severity, "minor"),
            # A drill practises posting updates; the world must not read them.
            private=_is_drill(session, incident.id),
            components=[],
            created_at=now,
            updated_at=now,
            started_at=incident.impact_started_at or incident.detected_at,
        )
        session.add(public)
    else:
        public.impact = impact or public.impact
        public.name = name or public.name
    affected = []
    ref = ref_of(incident, playbook)
    for key, new in component_changes.items():
        # Held against automation until this incident is resolved (automatic.py).
        old, _ = components.set_status(
            session,
            playbook=playbook,
            key=key,
            status=new,
            actor=actor,
            now=now,
            reason=f"set by {actor} in a public update of {ref}",
            held_for_incident_id=incident.id,
        )
        affected.append(
            {
                "code": ids.stable_id("component", key),
                "name": components.find(playbook, key).name,
                "old_status": old,
                "new_status": new,
            }
        )
    public.components = sorted({*public.components, *component_changes})
    public.status = status
    public.updated_at = now
    if status == "monitoring" and public.monitoring_at is None:
        public.monitoring_at = now
    if status in ("resolved", "postmortem"):
        public.resolved_at = public.resolved_at or now
    else:
        public.resolved_at = None
    update = PublicUpdate(
        public_id=ids.new_id(),
        incident_id=incident.id,
        status=status,
        body=body,
        affected_components=affected,
        created_at=now,
        actor=actor,
    )
    session.add(update)
    version.bump(session)
    session.flush()
    return update


def set_private(
    session: Session, *, incident_id: int, ref: str, private: bool, now: datetime
) -> PublicIncident:
    """Hide a published incident from every public page and document (or show it again)."""
    public = session.get(PublicIncident, incident_id, with_for_update=True)
    if public is None:
        raise NotFound(f"{ref} has not been published (post a public update first)")
    if public.private != private:
        public.private = private
        public.updated_at = now
        version.bump(session)
    return public
