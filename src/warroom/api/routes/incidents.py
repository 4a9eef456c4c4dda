"""/api/v1/incidents: declare, list, read, edit, move, acknowledge, staff and annotate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from warroom.api import views
from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.api.schemas import (
    DeclareIn,
    IncidentOut,
    IncidentPage,
    RoleAssignmentOut,
    RoleHolderOut,
    RoleIn,
    RolesOut,
    TimelineEventOut,
    TimelineIn,
    TimelineOut,
    TransitionIn,
    UpdateIn,
)
from warroom.auth.service import Role
from warroom.drills import service as drills
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.roles import service as roles
from warroom.timeline import service as timeline

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


def _detail(
    session: SessionDep, incident: Incident, playbook: Playbook, now: NowDep
) -> IncidentOut:
    session.flush()
    holders = roles.current(session, incident_id=incident.id)
    drill = bool(drills.drill_incident_ids(session, [incident.id]))
    return views.incident_out(
        incident, playbook=playbook, holders=holders, now=now, detail=True, drill=drill
    )


@router.get("", response_model=IncidentPage)
def list_incidents(
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    status: Annotated[list[str] | None, Query(description="Filter by state (repeatable)")] = None,
    severity: Annotated[list[str] | None, Query(description="Filter by severity")] = None,
    service: Annotated[list[str] | None, Query(description="Filter by service")] = None,
    kind: Annotated[str | None, Query(description="incident or ticket")] = None,
    open: Annotated[bool, Query(description="Only unresolved ones")] = False,
    limit: Annotated[int, Query(ge=1, le=incidents.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> IncidentPage:
    page = incidents.list_incidents(
        session,
        playbook=playbook,
        statuses=status or (),
        severities=severity or (),
        services=service or (),
        kind=kind,
        open_only=open,
        limit=limit,
        offset=offset,
    )
    ids = [i.id for i in page.items]
    holders = views.current_roles(session, ids)
    drill_ids = drills.drill_incident_ids(session, ids)
    return IncidentPage(
        items=[
            views.incident_out(
                i, playbook=playbook, holders=holders[i.id], now=now, drill=i.id in drill_ids
            )
            for i in page.items
        ],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("", status_code=201, response_model=IncidentOut)
def declare(
    body: DeclareIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
    response: Response,
) -> IncidentOut:
    incident = incidents.declare(
        session,
        playbook=playbook,
        actor=actor.label,
        now=now,
        title=body.title,
        severity=body.severity,
        service=body.service,
        impact=body.impact,
        impact_started_at=body.impact_started_at,
        detected_at=body.detected_at,
        status=body.status,
        commander=body.commander,
        declarer=actor.person,
    )
    out = _detail(session, incident, playbook, now)
    response.headers["Location"] = f"/api/v1/incidents/{out.ref}"
    return out


@router.get("/{ref}", response_model=IncidentOut)
def show(
    ref: str, session: SessionDep, playbook: PlaybookDep, now: NowDep, _actor: Viewer
) -> IncidentOut:
    return _detail(session, incidents.get(session, ref, playbook=playbook), playbook, now)


@router.patch("/{ref}", response_model=IncidentOut)
def edit(
    ref: str,
    body: UpdateIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> IncidentOut:
    incident = incidents.get(session, ref, playbook=playbook, lock=True)
    incidents.update(
        session,
        playbook=playbook,
        incident=incident,
        actor=actor.label,
        now=now,
        changes=body.model_dump(exclude_unset=True),
    )
    return _detail(session, incident, playbook, now)


@router.post("/{ref}/transitions", response_model=IncidentOut)
def transition(
    ref: str,
    body: TransitionIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> IncidentOut:
    incident = incidents.get(session, ref, playbook=playbook, lock=True)
    incidents.transition(
        session,
        playbook=playbook,
        incident=incident,
        to=body.to,
        actor=actor.label,
        now=now,
        note=body.note,
        override_reason=body.override,
        actor_is_admin=actor.role is Role.ADMIN,
    )
    return _detail(session, incident, playbook, now)


@router.post("/{ref}/acknowledge", response_model=IncidentOut)
def acknowledge(
    ref: str, session: SessionDep, playbook: PlaybookDep, now: NowDep, actor: Responder
) -> IncidentOut:
    incident = incidents.get(session, ref, playbook=playbook, lock=True)
    incidents.acknowledge(session, playbook=playbook, incident=incident, actor=actor.label, now=now)
    return _detail(session, incident, playbook, now)


@router.get("/{ref}/roles", response_model=RolesOut)
def list_roles(ref: str, session: SessionDep, playbook: PlaybookDep, _actor: Viewer) -> RolesOut:
    incident = incidents.get(session, ref, playbook=playbook)
    current = roles.current(session, incident_id=incident.id)
    return RolesOut(
        current={role: views.role_holder(playbook, row) for role, row in current.items()},
        history=[
            RoleAssignmentOut(
                role=row.role,
                person=row.person,
                assigned_at=row.assigned_at,
                assigned_by=row.assigned_by,
                relieved_at=row.relieved_at,
                relieved_by=row.relieved_by,
            )
            for row in roles.history(session, incident_id=incident.id)
        ],
    )


@router.put("/{ref}/roles/{role}", response_model=RoleHolderOut)
def assign_role(
    ref: str,
    role: str,
    body: RoleIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> RoleHolderOut:
    incident = incidents.get(session, ref, playbook=playbook, lock=True)
    row = roles.assign(
        session,
        playbook=playbook,
        incident=incident,
        role=role,
        person=body.person,
        actor=actor.label,
        now=now,
    )
    return views.role_holder(playbook, row)


@router.delete("/{ref}/roles/{role}", status_code=204)
def relieve_role(
    ref: str,
    role: str,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> Response:
    incident = incidents.get(session, ref, playbook=playbook, lock=True)
    incidents.relieve_role(
        session, playbook=playbook, incident=incident, role=role, actor=actor.label, now=now
    )
    return Response(status_code=204)


@router.get(
    "/{ref}/timeline",
    response_model=TimelineOut,
    responses={200: {"content": {"text/markdown": {}}}},
)
def read_timeline(
    ref: str,
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    _actor: Viewer,
    format: Annotated[str | None, Query(pattern="^(json|markdown)$")] = None,
) -> TimelineOut | Response:
    incident = incidents.get(session, ref, playbook=playbook)
    events = timeline.events(session, incident_id=incident.id)
    reference = incidents.ref_of(incident, playbook)
    wants_markdown = format == "markdown" or (
        format is None and "text/markdown" in request.headers.get("accept", "")
    )
    if wants_markdown:
        text = timeline.to_markdown(ref=reference, title=incident.title, events=events)
        return Response(text, media_type="text/markdown; charset=utf-8")
    return TimelineOut(ref=reference, events=[views.event_out(e) for e in events])


@router.post("/{ref}/timeline", status_code=201, response_model=TimelineEventOut)
def add_to_timeline(
    ref: str,
    body: TimelineIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> TimelineEventOut:
    incident = incidents.get(session, ref, playbook=playbook)
    event = incidents.add_entry(
        session,
        incident=incident,
        kind=body.kind,
        body=body.body,
        actor=actor.label,
        now=now,
        at=body.at,
    )
    session.flush()
    return views.event_out(event)
