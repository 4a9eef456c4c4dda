"""/api/v1/action-items: create, list (overdue, by owner, as the seed's Markdown table), edit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from warroom.actions import service as actions
from warroom.actions.models import TITLE_MAX, ActionItem
from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.api.schemas import Strict
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.playbook import Playbook

router = APIRouter(prefix="/api/v1/action-items", tags=["action-items"])
Status = Literal["todo", "in_progress", "done", "wont_do"]
Kind = Literal["preventive", "process", "monitoring"]


class ActionItemIn(Strict):
    incident: str = Field(description="The incident it comes from, e.g. INC-7")
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    owner: str | None = Field(default=None, description="A playbook person's handle")
    due_on: date | None = Field(default=None, description="Due date, YYYY-MM-DD, not past")
    kind: Kind
    status: Status = "todo"


class ActionItemPatch(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    owner: str | None = None
    due_on: date | None = None
    kind: Kind | None = None
    status: Status | None = None


class ActionItemOut(BaseModel):
    id: int
    incident: str
    title: str
    owner: str
    due_on: date
    status: str
    kind: str
    overdue: bool
    created_at: datetime
    created_by: str
    updated_at: datetime
    completed_at: datetime | None


class ActionItemPage(BaseModel):
    items: list[ActionItemOut]
    total: int


def _refs(session: SessionDep, playbook: Playbook, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.scalars(select(Incident).where(Incident.id.in_(list(ids))))
    return {i.id: incidents.ref_of(i, playbook) for i in rows}


def item_out(item: ActionItem, ref: str, today: date) -> ActionItemOut:
    """The API body of an action item."""
    return ActionItemOut(
        id=item.id,
        incident=ref,
        title=item.title,
        owner=item.owner,
        due_on=item.due_on,
        status=item.status,
        kind=item.kind,
        overdue=actions.is_overdue(item, today),
        created_at=item.created_at,
        created_by=item.created_by,
        updated_at=item.updated_at,
        completed_at=item.completed_at,
    )


@router.get("", response_model=ActionItemPage, responses={200: {"content": {"text/markdown": {}}}})
def list_items(
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    overdue: bool = False,
    owner: str | None = None,
    status: Annotated[list[str] | None, Query()] = None,
    incident: str | None = None,
    limit: Annotated[int, Query(ge=1, le=actions.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    format: Annotated[str | None, Query(pattern="^(json|markdown)$")] = None,
) -> ActionItemPage | Response:
    incident_id = incidents.get(session, incident, playbook=playbook).id if incident else None
    page = actions.list_items(
        session,
        playbook=playbook,
        today=now.date(),
        overdue=overdue,
        owner=owner,
        statuses=status or (),
        incident_id=incident_id,
        limit=limit,
        offset=offset,
    )
    refs = _refs(session, playbook, {i.incident_id for i in page.items})
    wants_markdown = format == "markdown" or (
        format is None and "text/markdown" in request.headers.get("accept", "")
    )
    if wants_markdown:
        text = actions.tracking_table(page.items, refs=refs)
        return Response(text, media_type="text/markdown; charset=utf-8")
    return ActionItemPage(
        items=[item_out(i, refs[i.incident_id], now.date()) for i in page.items],
        total=page.total,
    )


@router.post("", status_code=201, response_model=ActionItemOut)
def create(
    body: ActionItemIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> ActionItemOut:
    incident = incidents.get(session, body.incident, playbook=playbook)
    item = actions.create(
        session,
        playbook=playbook,
        incident=incident,
        title=body.title,
        owner=body.owner,
        due_on=body.due_on,
        kind=body.kind,
        status=body.status,
        actor=actor.label,
        now=now,
    )
    return item_out(item, incidents.ref_of(incident, playbook), now.date())


@router.get("/{item_id}", response_model=ActionItemOut)
def show(
    item_id: int, session: SessionDep, playbook: PlaybookDep, now: NowDep, _actor: Viewer
) -> ActionItemOut:
    item = actions.get(session, item_id)
    ref = _refs(session, playbook, {item.incident_id})[item.incident_id]
    return item_out(item, ref, now.date())


@router.patch("/{item_id}", response_model=ActionItemOut)
def edit(
    item_id: int,
    body: ActionItemPatch,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> ActionItemOut:
    item = actions.get(session, item_id)
    actions.update(
        session,
        playbook=playbook,
        item=item,
        actor=actor.label,
        now=now,
        changes=body.model_dump(exclude_unset=True),
    )
    ref = _refs(session, playbook, {item.incident_id})[item.incident_id]
    return item_out(item, ref, now.date())
