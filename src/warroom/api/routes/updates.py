"""/api/v1/incidents/{ref}/public-updates and /internal-updates: preview and post updates."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.incidents import service as incidents
from warroom.statuspage.models import PublicUpdate
from warroom.updates import internal, public
from warroom.updates.public import Draft
from warroom.web.public import invalidate

router = APIRouter(prefix="/api/v1/incidents", tags=["updates"])


class PublicUpdateIn(BaseModel):
    """A public update to preview or post."""

    model_config = ConfigDict(extra="forbid")
    template: str | None = Field(None, description="Status page template, e.g. identified")
    status: str | None = Field(
        None, description="investigating|identified|monitoring|resolved|postmortem"
    )
    body: str | None = Field(None, description="The (edited) text; the template's when absent")
    components: dict[str, str] = Field(
        default_factory=dict, description="Component statuses to set, e.g. {api: partial_outage}"
    )
    impact: str | None = Field(None, description="none|minor|major|critical")
    publish: bool = Field(False, description="Publish a P2/P3 ticket on the public page")
    name: str | None = Field(
        None, description="The incident's title on the public page (default: its own title)"
    )


class PreviewOut(BaseModel):
    """The update as it would be posted."""

    ref: str
    status: str
    template: str | None
    body: str
    components: dict[str, str]


class PublicUpdateOut(BaseModel):
    """A posted public update."""

    ref: str
    id: str
    status: str
    body: str
    created_at: datetime
    actor: str
    affected_components: list[dict[str, str]]


class InternalUpdateIn(BaseModel):
    """An internal update (the seed's UPDATE block)."""

    model_config = ConfigDict(extra="forbid")
    status: str | None = None
    current_state: str | None = None
    next_steps: str | None = None
    eta: str | None = None
    need: str | None = None
    body: str | None = Field(None, description="An edited text instead of the template's")
    dry_run: bool = Field(False, description="Render only; post nothing")


class InternalUpdateOut(BaseModel):
    """The rendered internal update and whether it was posted."""

    ref: str
    body: str
    fields: dict[str, str | None]
    posted: bool
    event_id: int | None
    at: datetime | None


def _preview_out(draft: Draft) -> PreviewOut:
    return PreviewOut(
        ref=draft.ref,
        status=draft.status,
        template=draft.template,
        body=draft.body,
        components=draft.components,
    )


def _update_out(ref: str, row: PublicUpdate) -> PublicUpdateOut:
    return PublicUpdateOut(
        ref=ref,
        id=row.public_id,
        status=row.status,
        body=row.body,
        created_at=row.created_at,
        actor=row.actor,
        affected_components=row.affected_components,
    )


@router.post("/{ref}/public-updates/preview", response_model=PreviewOut)
def preview_public(
    ref: str,
    body: PublicUpdateIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Responder,
) -> PreviewOut:
    """The update as it would be posted (template filled in); nothing is stored."""
    draft = public.preview(
        session,
        playbook=playbook,
        ref=ref,
        now=now,
        template=body.template,
        status=body.status,
        body=body.body,
        components=body.components,
        publish=body.publish,
    )
    return _preview_out(draft)


@router.post("/{ref}/public-updates", status_code=201, response_model=PublicUpdateOut)
def post_public(
    ref: str,
    body: PublicUpdateIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
    request: Request,
    background: BackgroundTasks,
) -> PublicUpdateOut:
    """Post a public update to the status page (and the timeline)."""
    row = public.post(
        session,
        playbook=playbook,
        ref=ref,
        actor=actor.label,
        now=now,
        template=body.template,
        status=body.status,
        body=body.body,
        components=body.components,
        impact=body.impact,
        publish=body.publish,
        name=body.name,
    )
    background.add_task(invalidate(request))
    incident = incidents.get(session, ref, playbook=playbook)
    return _update_out(incidents.ref_of(incident, playbook), row)


@router.get("/{ref}/public-updates", response_model=list[PublicUpdateOut])
def list_public(
    ref: str, session: SessionDep, playbook: PlaybookDep, _actor: Viewer
) -> list[PublicUpdateOut]:
    """The incident's public updates, newest first."""
    incident = incidents.get(session, ref, playbook=playbook)
    label = incidents.ref_of(incident, playbook)
    return [_update_out(label, row) for row in public.list_updates(session, incident=incident)]


@router.post("/{ref}/internal-updates", status_code=201, response_model=InternalUpdateOut)
def post_internal(
    ref: str,
    body: InternalUpdateIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
    response: Response,
) -> InternalUpdateOut:
    """Post an internal update (``dry_run``: render it only, 200)."""
    draft, event = internal.post(
        session,
        playbook=playbook,
        ref=ref,
        actor=actor.label,
        now=now,
        dry_run=body.dry_run,
        status=body.status,
        current_state=body.current_state,
        next_steps=body.next_steps,
        eta=body.eta,
        need=body.need,
        body=body.body,
    )
    if event is None:
        response.status_code = 200
    return InternalUpdateOut(
        ref=draft.ref,
        body=draft.body,
        fields=draft.fields,
        posted=event is not None,
        event_id=event.id if event else None,
        at=event.at if event else None,
    )
