"""The status page over HTTP: the public Statuspage v2 JSON documents (no login, cached), and
the responders' component controls under /api/v1/statuspage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.incidents import service as incidents
from warroom.statuspage import automatic, components, documents, publication
from warroom.statuspage.snapshot import Snapshot
from warroom.web.public import invalidate, json_bytes, public_route

public = APIRouter()
router = APIRouter(prefix="/api/v1/statuspage", tags=["status page"])

MaintenanceSet = Literal["all", "upcoming", "active"]


def _json(build: Callable[[Snapshot], dict[str, Any]]) -> Callable[[Snapshot], bytes]:
    return lambda snap: json_bytes(build(snap))


def _maintenances(which: MaintenanceSet) -> Callable[[Snapshot], bytes]:
    return _json(lambda snap: documents.maintenances(snap, which=which))


DOCUMENTS: dict[str, Callable[[Snapshot], bytes]] = {
    "status.json": _json(documents.status),
    "summary.json": _json(documents.summary),
    "components.json": _json(documents.components),
    "incidents.json": _json(documents.incidents),
    "incidents/unresolved.json": _json(lambda snap: documents.incidents(snap, unresolved=True)),
    "scheduled-maintenances.json": _maintenances("all"),
    "scheduled-maintenances/upcoming.json": _maintenances("upcoming"),
    "scheduled-maintenances/active.json": _maintenances("active"),
}
"""The Statuspage v2 documents by path under /api/v2, served from the page cache."""

public.routes.extend(
    public_route(f"/api/v2/{path}", path, build, "application/json")
    for path, build in DOCUMENTS.items()
)


# -- responders ----------------------------------------------------------------------------


class ComponentOut(BaseModel):
    """A component with its status, who owns it (automation or a responder) and why."""

    key: str
    id: str
    name: str
    group: str | None
    status: str
    suggested_status: str
    automatic: bool = Field(description="True while automation sets the status")
    reason: str = Field(description="Why the status is what it is")
    updated_at: str
    updated_by: str | None


class ComponentIn(BaseModel):
    """A new component status set by hand, or ``{"automatic": true}`` to hand it back."""

    model_config = ConfigDict(extra="forbid")
    status: str | None = None
    automatic: bool = False

    @model_validator(mode="after")
    def _one(self) -> ComponentIn:
        if (self.status is None) == (not self.automatic):
            raise ValueError(
                'give either "status" (set it by hand) or "automatic": true (hand it back)'
            )
        return self


class VisibilityIn(BaseModel):
    """Hide (private) or show a published incident."""

    model_config = ConfigDict(extra="forbid")
    private: bool


class VisibilityOut(BaseModel):
    """A published incident's visibility."""

    ref: str
    public_id: str
    private: bool


def _component_list(session: SessionDep, playbook: PlaybookDep) -> list[ComponentOut]:
    suggested = automatic.suggestions(session, playbook=playbook)
    rows = components.states(session)
    return [
        ComponentOut(
            key=v.key,
            id=v.id,
            name=v.name,
            group=v.group,
            status=v.status,
            suggested_status=suggested.get(v.key, "operational"),
            automatic=v.automatic,
            reason=v.reason,
            updated_at=v.updated_at.isoformat(),
            updated_by=rows[v.key].updated_by if v.key in rows else None,
        )
        for v in components.views(playbook, rows)
    ]


@router.get("/components", response_model=list[ComponentOut])
def list_components(
    session: SessionDep, playbook: PlaybookDep, _actor: Viewer
) -> list[ComponentOut]:
    """Components with their status, whether automation owns it and why, and the status open
    incidents and monitors suggest."""
    return _component_list(session, playbook)


@router.put("/components/{key}", response_model=ComponentOut)
def set_component(
    key: str,
    body: ComponentIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
    request: Request,
    background: BackgroundTasks,
) -> ComponentOut:
    """Set a component's status by hand (held against automation), or hand it back."""
    if body.status is None:
        automatic.hand_back(session, playbook=playbook, key=key, actor=actor.label, now=now)
    else:
        automatic.set_by_responder(
            session, playbook=playbook, key=key, status=body.status, actor=actor.label, now=now
        )
    session.flush()
    background.add_task(invalidate(request))
    return next(c for c in _component_list(session, playbook) if c.key == key)


@router.put("/incidents/{ref}/visibility", response_model=VisibilityOut)
def set_visibility(
    ref: str,
    body: VisibilityIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Responder,
    request: Request,
    background: BackgroundTasks,
) -> VisibilityOut:
    """Hide a published incident from the public page (private: true), or show it again."""
    incident = incidents.get(session, ref, playbook=playbook)
    label = incidents.ref_of(incident, playbook)
    row = publication.set_private(
        session, incident_id=incident.id, ref=label, private=body.private, now=now
    )
    background.add_task(invalidate(request))
    return VisibilityOut(ref=label, public_id=row.public_id, private=row.private)


def _all_routers() -> list[APIRouter]:
    from warroom.api.routes import maintenance, subscriptions, updates
    from warroom.web import public as pages
    from warroom.web import subscribe

    return [
        public,
        router,
        updates.router,
        maintenance.router,
        subscriptions.router,
        pages.router,
        subscribe.router,
    ]


routers = _all_routers()
"""Every router of the communication feature, for create_app."""
