"""/api/v1/incidents/{ref}/postmortem and /api/v1/postmortems: the post-mortem and its document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select

from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.api.schemas import Strict
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.postmortems import document
from warroom.postmortems import service as postmortems
from warroom.postmortems.models import SECTION_MAX, Postmortem

router = APIRouter(tags=["postmortems"])
MARKDOWN = "text/markdown; charset=utf-8"


class PostmortemIn(Strict):
    summary: str | None = Field(default=None, max_length=SECTION_MAX)
    impact: str | None = Field(default=None, max_length=SECTION_MAX)
    root_cause: str | None = Field(default=None, max_length=SECTION_MAX)
    went_well: str | None = Field(default=None, max_length=SECTION_MAX)
    could_improve: str | None = Field(default=None, max_length=SECTION_MAX)
    notes: str | None = Field(default=None, max_length=SECTION_MAX)
    owner: str | None = Field(default=None, description="A playbook person's handle")
    meeting_at: AwareDatetime | None = Field(default=None, description="When the meeting is")
    status: str | None = Field(default=None, description="draft or complete")


class PostmortemOut(BaseModel):
    ref: str
    status: str
    owner: str | None
    created_at: datetime
    updated_at: datetime
    updated_by: str
    due_at: datetime
    overdue: bool
    meeting_at: datetime | None
    completed_at: datetime | None
    reminded_at: datetime | None
    escalated_at: datetime | None
    summary: str
    impact: str
    root_cause: str
    went_well: str
    could_improve: str
    notes: str


class PostmortemListOut(BaseModel):
    items: list[PostmortemOut]


def postmortem_out(
    postmortem: Postmortem, incident: Incident, playbook: Playbook, now: datetime
) -> PostmortemOut:
    """The API body of a post-mortem."""
    return PostmortemOut(
        ref=incidents.ref_of(incident, playbook),
        status=postmortem.status,
        owner=postmortem.owner,
        created_at=postmortem.created_at,
        updated_at=postmortem.updated_at,
        updated_by=postmortem.updated_by,
        due_at=postmortem.due_at,
        overdue=postmortem.status == postmortems.DRAFT and now > postmortem.due_at,
        meeting_at=postmortem.meeting_at,
        completed_at=postmortem.completed_at,
        reminded_at=postmortem.reminded_at,
        escalated_at=postmortem.escalated_at,
        summary=postmortem.summary,
        impact=postmortem.impact,
        root_cause=postmortem.root_cause,
        went_well=postmortem.went_well,
        could_improve=postmortem.could_improve,
        notes=postmortem.notes,
    )


@router.get("/api/v1/postmortems", response_model=PostmortemListOut)
def list_postmortems(
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    status: Annotated[str | None, Query(pattern="^(draft|complete)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PostmortemListOut:
    query = select(Postmortem, Incident).join(Incident, Incident.id == Postmortem.incident_id)
    if status is not None:
        query = query.where(Postmortem.status == status)
    rows = session.execute(query.order_by(Postmortem.due_at.desc()).limit(limit)).all()
    return PostmortemListOut(items=[postmortem_out(p, i, playbook, now) for p, i in rows])


@router.post("/api/v1/incidents/{ref}/postmortem", status_code=201, response_model=PostmortemOut)
def create(
    ref: str, session: SessionDep, playbook: PlaybookDep, now: NowDep, actor: Responder
) -> PostmortemOut:
    incident = incidents.get(session, ref, playbook=playbook, lock=True)
    postmortem = postmortems.create(
        session, playbook=playbook, incident=incident, actor=actor.label, now=now
    )
    return postmortem_out(postmortem, incident, playbook, now)


@router.get(
    "/api/v1/incidents/{ref}/postmortem",
    response_model=PostmortemOut,
    responses={200: {"content": {"text/markdown": {}}}},
)
def show(
    ref: str,
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    format: Annotated[str | None, Query(pattern="^(json|markdown)$")] = None,
) -> PostmortemOut | Response:
    incident = incidents.get(session, ref, playbook=playbook)
    postmortem = postmortems.get(session, incident=incident, playbook=playbook)
    wants_markdown = format == "markdown" or (
        format is None and "text/markdown" in request.headers.get("accept", "")
    )
    if wants_markdown:
        text = document.render(session, playbook=playbook, postmortem=postmortem, incident=incident)
        return Response(text, media_type=MARKDOWN)
    return postmortem_out(postmortem, incident, playbook, now)


@router.patch("/api/v1/incidents/{ref}/postmortem", response_model=PostmortemOut)
def edit(
    ref: str,
    body: PostmortemIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> PostmortemOut:
    incident = incidents.get(session, ref, playbook=playbook, lock=True)
    postmortem = postmortems.get(session, incident=incident, playbook=playbook)
    postmortems.update(
        session,
        playbook=playbook,
        postmortem=postmortem,
        actor=actor.label,
        now=now,
        changes=body.model_dump(exclude_unset=True),
    )
    return postmortem_out(postmortem, incident, playbook, now)
