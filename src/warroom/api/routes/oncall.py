"""/api/v1/schedules, /api/v1/oncall, a person's on-call feed, /api/v1/notifications and an
incident's escalation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel

from warroom.api.deps import NowDep, PlaybookDep, SessionDep, Viewer
from warroom.escalation import service as escalation
from warroom.incidents import service as incidents
from warroom.notify import service as notify
from warroom.oncall import service as oncall
from warroom.oncall.ics import calendar, combined
from warroom.oncall.rotation import Shift, who
from warroom.playbook import redact_url
from warroom.playbook.oncall import Schedule

router = APIRouter(prefix="/api/v1", tags=["on-call"])

FEED_BEFORE = timedelta(days=7)
FEED_AFTER = timedelta(days=90)


class OnCallOut(BaseModel):
    schedule: str
    person: str | None
    layer: str | None
    at: datetime


class ShiftOut(BaseModel):
    person: str | None
    start: datetime
    end: datetime
    layer: str | None


class ScheduleOut(BaseModel):
    name: str
    description: str
    timezone: str
    layers: list[dict[str, Any]]
    overrides: list[dict[str, Any]]
    on_call_now: OnCallOut


class ShiftsOut(BaseModel):
    schedule: str
    start: datetime
    end: datetime
    shifts: list[ShiftOut]


class NotificationOut(BaseModel):
    id: int
    dedup_key: str
    incident_id: int | None
    person: str | None
    channel: str | None
    target: str  # redacted
    title: str
    reason: str
    semantics: str
    status: str
    attempts: int
    not_before: datetime
    created_at: datetime
    finished_at: datetime | None
    last_error: str | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int
    limit: int
    offset: int


class EscalationOut(BaseModel):
    incident: str
    policy: str
    description: str
    state: str
    next_level: int | None
    levels: int
    cycle: int
    repeat: int
    next_at: datetime | None
    ack_timeout: str
    started_at: datetime
    stop_reason: str | None


def _schedule_out(schedule: Schedule, now: datetime) -> ScheduleOut:
    data = schedule.model_dump(mode="json")
    person, layer = who(schedule, now)
    return ScheduleOut(
        name=schedule.name,
        description=schedule.description,
        timezone=schedule.timezone,
        layers=data["layers"],
        overrides=data["overrides"],
        on_call_now=OnCallOut(schedule=schedule.name, person=person, layer=layer, at=now),
    )


def _shift_out(shift: Shift) -> ShiftOut:
    return ShiftOut(person=shift.person, start=shift.start, end=shift.end, layer=shift.layer)


@router.get("/schedules", response_model=list[ScheduleOut])
def list_schedules(playbook: PlaybookDep, now: NowDep, _actor: Viewer) -> list[ScheduleOut]:
    return [_schedule_out(s, now) for s in playbook.schedules]


# Declared before /schedules/{name} so "primary.ics" is not taken for a schedule name.
@router.get("/schedules/{name}.ics", response_class=Response)
def schedule_feed(
    name: str,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    person: Annotated[str | None, Query(description="Only this person's shifts")] = None,
) -> Response:
    """The schedule's shifts as an iCalendar feed (a week back to 90 days ahead by default)."""
    start = start or now - FEED_BEFORE
    end = end or now + FEED_AFTER
    shifts = oncall.schedule_shifts(playbook, schedule=name, start=start, end=end, person=person)
    title = f"{name} on-call" + (f" (@{person.removeprefix('@').lower()})" if person else "")
    body = calendar(name=title, shifts=shifts, schedule=name, now=now)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{name}.ics"'},
    )


@router.get("/people/{handle}/oncall.ics", response_class=Response)
def person_feed(
    handle: str,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> Response:
    """One person's shifts on every schedule, as an iCalendar feed."""
    start = start or now - FEED_BEFORE
    end = end or now + FEED_AFTER
    shifts = oncall.person_shifts(playbook, person=handle, start=start, end=end)
    body = combined(name=f"@{handle.removeprefix('@').lower()} on-call", shifts=shifts, now=now)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="oncall.ics"'},
    )


@router.get("/schedules/{name}", response_model=ScheduleOut)
def show_schedule(name: str, playbook: PlaybookDep, now: NowDep, _actor: Viewer) -> ScheduleOut:
    return _schedule_out(oncall.get_schedule(playbook, name), now)


@router.get("/schedules/{name}/oncall", response_model=OnCallOut)
def schedule_on_call(
    name: str,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    at: Annotated[AwareDatetime | None, Query(description="When; now by default")] = None,
) -> OnCallOut:
    found = oncall.on_call(playbook, at=at or now, schedule=name)[0]
    return OnCallOut(schedule=found.schedule, person=found.person, layer=found.layer, at=found.at)


@router.get("/schedules/{name}/shifts", response_model=ShiftsOut)
def schedule_shifts(
    name: str,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    person: Annotated[str | None, Query()] = None,
) -> ShiftsOut:
    start = start or now
    end = end or start + timedelta(days=14)
    shifts = oncall.schedule_shifts(playbook, schedule=name, start=start, end=end, person=person)
    return ShiftsOut(schedule=name, start=start, end=end, shifts=[_shift_out(s) for s in shifts])


@router.get("/oncall", response_model=list[OnCallOut])
def on_call_now(
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    at: Annotated[AwareDatetime | None, Query()] = None,
    schedule: Annotated[str | None, Query()] = None,
) -> list[OnCallOut]:
    return [
        OnCallOut(schedule=o.schedule, person=o.person, layer=o.layer, at=o.at)
        for o in oncall.on_call(playbook, at=at or now, schedule=schedule)
    ]


@router.get("/notifications", response_model=NotificationPage)
def list_notifications(
    session: SessionDep,
    playbook: PlaybookDep,
    _actor: Viewer,
    incident: Annotated[str | None, Query(description="Only this incident's, e.g. INC-4")] = None,
    status: Annotated[list[str] | None, Query(description="queued, sending, sent ...")] = None,
    limit: Annotated[int, Query(ge=1, le=notify.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NotificationPage:
    """The outbox, newest first; targets are redacted."""
    incident_id = incidents.parse_ref(incident, playbook) if incident else None
    rows, total = notify.list_notifications(
        session, incident_id=incident_id, statuses=status or (), limit=limit, offset=offset
    )
    items = [
        NotificationOut(
            id=r.id,
            dedup_key=r.dedup_key,
            incident_id=r.incident_id,
            person=r.person,
            channel=r.channel,
            target=redact_url(r.target),
            title=r.title,
            reason=r.reason,
            semantics=r.semantics,
            status=r.status,
            attempts=r.attempts,
            not_before=r.not_before,
            created_at=r.created_at,
            finished_at=r.finished_at,
            last_error=r.last_error,
        )
        for r in rows
    ]
    return NotificationPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/incidents/{ref}/escalation", response_model=EscalationOut)
def incident_escalation(
    ref: str, session: SessionDep, playbook: PlaybookDep, _actor: Viewer
) -> EscalationOut:
    incident = incidents.get(session, ref, playbook=playbook)
    row = escalation.get(session, incident_id=incident.id)
    state = escalation.describe(row, playbook)
    return EscalationOut(incident=incidents.ref_of(incident, playbook), **state)
