"""/api/v1/maintenances: schedule, start, verify and complete maintenance windows."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, BackgroundTasks, Request
from pydantic import BaseModel, ConfigDict, Field

from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.statuspage import maintenance
from warroom.statuspage.models import Maintenance
from warroom.updates import subscriptions
from warroom.web.public import invalidate

router = APIRouter(prefix="/api/v1/maintenances", tags=["maintenance"])

Step = Literal["start", "verify", "complete"]
STEP_STATUS = {"start": "in_progress", "verify": "verifying", "complete": "completed"}


class MaintenanceIn(BaseModel):
    """A maintenance window to schedule."""

    model_config = ConfigDict(extra="forbid")
    name: str
    scheduled_for: datetime
    scheduled_until: datetime
    components: list[str] = Field(min_length=1)
    body: str | None = None


class StepIn(BaseModel):
    """The text of a maintenance step (a default when absent)."""

    model_config = ConfigDict(extra="forbid")
    body: str | None = None


class MaintenanceOut(BaseModel):
    """A maintenance window."""

    id: str
    name: str
    status: str
    components: list[str]
    scheduled_for: datetime
    scheduled_until: datetime
    started_at: datetime | None
    completed_at: datetime | None


def _out(row: Maintenance) -> MaintenanceOut:
    return MaintenanceOut(
        id=row.public_id,
        name=row.name,
        status=row.status,
        components=list(row.components),
        scheduled_for=row.scheduled_for,
        scheduled_until=row.scheduled_until,
        started_at=row.started_at,
        completed_at=row.resolved_at,
    )


@router.get("", response_model=list[MaintenanceOut])
def list_maintenances(session: SessionDep, _actor: Viewer) -> list[MaintenanceOut]:
    """Recent and upcoming maintenance windows."""
    return [_out(row) for row in maintenance.list_all(session)]


@router.post("", status_code=201, response_model=MaintenanceOut)
def create(
    body: MaintenanceIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
    request: Request,
    background: BackgroundTasks,
) -> MaintenanceOut:
    """Schedule maintenance on some components."""
    row = maintenance.create(
        session,
        playbook=playbook,
        actor=actor.label,
        now=now,
        name=body.name,
        scheduled_for=body.scheduled_for,
        scheduled_until=body.scheduled_until,
        component_keys=body.components,
        body=body.body,
    )
    subscriptions.notify_maintenance_step(session, playbook=playbook, now=now, row=row)
    background.add_task(invalidate(request))
    return _out(row)


@router.post("/{public_id}/{step}", response_model=MaintenanceOut)
def advance(
    public_id: str,
    step: Step,
    body: StepIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
    request: Request,
    background: BackgroundTasks,
) -> MaintenanceOut:
    """Start, verify or complete a maintenance window."""
    row = maintenance.advance(
        session,
        playbook=playbook,
        public_id=public_id,
        to=STEP_STATUS[step],
        actor=actor.label,
        now=now,
        body=body.body,
    )
    subscriptions.notify_maintenance_step(session, playbook=playbook, now=now, row=row)
    background.add_task(invalidate(request))
    return _out(row)
