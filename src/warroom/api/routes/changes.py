"""/api/v1/changes: record deployments and other changes, and list them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from warroom.api.deps import NowDep, Responder, SessionDep, Viewer
from warroom.api.schemas import Strict
from warroom.changes import service as changes
from warroom.changes.models import Change

router = APIRouter(prefix="/api/v1/changes", tags=["changes"])


class LinkIn(Strict):
    href: str = Field(min_length=1, max_length=2000)
    text: str | None = Field(default=None, max_length=200)


class ChangeIn(Strict):
    service: str | None = Field(default=None, max_length=64, description="Service changed")
    summary: str = Field(min_length=1, max_length=1024, description="What changed")
    version: str | None = Field(default=None, max_length=128, description="Version deployed")
    at: AwareDatetime | None = Field(default=None, description="When; now when omitted")
    source: str = Field(default="api", max_length=32, description="Where it was recorded")
    links: list[LinkIn] = Field(default_factory=list, max_length=20)
    details: dict[str, Any] = Field(default_factory=dict)


class ChangeOut(BaseModel):
    id: int
    service: str | None
    summary: str
    source: str
    version: str | None
    at: datetime
    recorded_at: datetime
    links: list[dict[str, Any]]
    details: dict[str, Any]


class ChangePageOut(BaseModel):
    items: list[ChangeOut]
    total: int


def change_out(change: Change) -> ChangeOut:
    """The API body of one change."""
    return ChangeOut(
        id=change.id,
        service=change.service,
        summary=change.summary,
        source=change.source,
        version=change.version,
        at=change.at,
        recorded_at=change.recorded_at,
        links=change.links,
        details=change.details,
    )


@router.post("", status_code=201, response_model=ChangeOut)
def record(body: ChangeIn, session: SessionDep, now: NowDep, _actor: Responder) -> ChangeOut:
    change = changes.record_change(
        session,
        now=now,
        service=body.service,
        summary=body.summary,
        source=body.source,
        version=body.version,
        at=body.at,
        links=[link.model_dump() for link in body.links],
        details=body.details,
    )
    return change_out(change)


@router.get("", response_model=ChangePageOut)
def list_changes(
    session: SessionDep,
    _actor: Viewer,
    since: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    service: str | None = None,
    limit: Annotated[int, Query(ge=1, le=changes.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ChangePageOut:
    page = changes.list_changes(
        session, since=since, until=until, service=service, limit=limit, offset=offset
    )
    return ChangePageOut(items=[change_out(c) for c in page.items], total=page.total)
