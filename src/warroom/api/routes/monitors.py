"""/api/v1/monitors (state, results, manage, run now), heartbeat push URLs, and incident checks.

The heartbeat URL takes no bearer token: jobs call it with curl from cron. Its secret is the
unguessable per-monitor token in the path (32 URL-safe characters), shown only to responders.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from warroom.api.deps import Admin, NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.auth.service import Actor, Role
from warroom.checks import service as checks
from warroom.monitors import scheduler, service
from warroom.monitors.alerting import IntakeSink
from warroom.monitors.models import Monitor, MonitorResult

router = APIRouter(tags=["monitors"])
MONITORS = "/api/v1/monitors"


class ResultOut(BaseModel):
    at: datetime
    ok: bool
    degraded: bool
    latency_ms: float | None
    status_code: int | None
    error: str | None
    details: dict[str, Any]


class MonitorOut(BaseModel):
    name: str
    kind: str
    origin: str = Field(description="playbook or api")
    enabled: bool
    service: str | None
    state: str = Field(description="unknown, up, degraded or down")
    alert_open: bool
    consecutive_failures: int
    consecutive_successes: int
    last_run_at: datetime | None
    next_run_at: datetime
    last_error: str | None
    state_changed_at: datetime | None
    heartbeat_url: str | None = Field(
        default=None, description="Push URL of a heartbeat monitor (responders only)"
    )
    uptime: dict[str, float | None] | None = None
    spec: dict[str, Any]
    results: list[ResultOut]


class MonitorList(BaseModel):
    items: list[MonitorOut]


class RunOut(BaseModel):
    monitor: MonitorOut
    ok: bool
    reason: str | None
    conditions: list[dict[str, Any]]


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: str = Field(description="http, metrics, ws, sql or load")
    target: str = Field(min_length=1, max_length=2000, description="What was checked")
    ok: bool
    summary: str = Field(min_length=1, max_length=2000, description="The result in a line")
    data: dict[str, Any] = Field(default_factory=dict, description="The check's numbers")


class CheckOut(BaseModel):
    id: int
    at: datetime
    kind: str
    actor: str
    body: str
    data: dict[str, Any]


def _result(row: MonitorResult) -> ResultOut:
    return ResultOut(
        at=row.at,
        ok=row.ok,
        degraded=row.degraded,
        latency_ms=row.latency_ms,
        status_code=row.status_code,
        error=row.error,
        details=row.details or {},
    )


def _out(
    session: SessionDep,
    row: Monitor,
    *,
    actor: Actor,
    request: Request,
    results: int,
    now: datetime | None = None,
) -> MonitorOut:
    spec = dict(row.spec)
    hook = None
    if row.heartbeat_token and actor.role.rank >= Role.RESPONDER.rank:
        hook = str(request.url_for("heartbeat_post", token=row.heartbeat_token))
    uptime = None
    if now is not None:
        uptime = {
            label: service.uptime(session, monitor=row.name, start=now - span, end=now)
            for label, span in (
                ("24h", timedelta(hours=24)),
                ("7d", timedelta(days=7)),
                ("30d", timedelta(days=30)),
            )
        }
    return MonitorOut(
        name=row.name,
        kind=row.kind,
        origin=row.origin,
        enabled=row.enabled,
        service=spec.get("service"),
        state=row.state,
        alert_open=row.alert_open,
        consecutive_failures=row.consecutive_failures,
        consecutive_successes=row.consecutive_successes,
        last_run_at=row.last_run_at,
        next_run_at=row.next_run_at,
        last_error=row.last_error,
        state_changed_at=row.state_changed_at,
        heartbeat_url=hook,
        uptime=uptime,
        spec=spec,
        results=[
            _result(r) for r in service.recent_results(session, monitor_id=row.id, limit=results)
        ]
        if results
        else [],
    )


@router.get(MONITORS, response_model=MonitorList)
def list_monitors(
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Viewer,
    results: Annotated[int, Query(ge=0, le=100, description="Recent results per monitor")] = 10,
) -> MonitorList:
    """Every monitor with its current state and recent results."""
    service.sync_playbook(session, playbook=playbook, now=now)
    rows = service.list_monitors(session)
    return MonitorList(
        items=[_out(session, r, actor=actor, request=request, results=results) for r in rows]
    )


@router.get(MONITORS + "/{name}", response_model=MonitorOut)
def get_monitor(
    name: str,
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Viewer,
    results: Annotated[int, Query(ge=0, le=500)] = 50,
) -> MonitorOut:
    """One monitor: state, uptime over 24h/7d/30d, and recent results."""
    service.sync_playbook(session, playbook=playbook, now=now)
    row = service.get(session, name)
    return _out(session, row, actor=actor, request=request, results=results, now=now)


@router.post(MONITORS, status_code=201, response_model=MonitorOut)
def create_monitor(
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Admin,
    body: Annotated[dict[str, Any], Body(description="A monitor, as in the playbook")],
) -> MonitorOut:
    """Add a monitor managed over the API (validated like a playbook entry)."""
    spec = service.validate_spec(body, playbook=playbook)
    row = service.create(session, spec=spec, now=now)
    return _out(session, row, actor=actor, request=request, results=0)


@router.put(MONITORS + "/{name}", response_model=MonitorOut)
def replace_monitor(
    name: str,
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Admin,
    body: Annotated[dict[str, Any], Body(description="The monitor's new settings")],
) -> MonitorOut:
    """Change an API-managed monitor (its name and kind stay); state and history are kept."""
    spec = service.validate_spec(body, playbook=playbook)
    row = service.replace(session, name=name, spec=spec, now=now)
    return _out(session, row, actor=actor, request=request, results=0)


@router.delete(MONITORS + "/{name}", status_code=204)
def delete_monitor(name: str, session: SessionDep, _actor: Admin) -> Response:
    """Remove an API-managed monitor and its history."""
    service.remove(session, name=name)
    return Response(status_code=204)


@router.post(MONITORS + "/{name}/run", response_model=RunOut)
def run_monitor(
    name: str,
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> RunOut:
    """Probe a monitor now; the result is stored and counts toward its alert thresholds."""
    service.sync_playbook(session, playbook=playbook, now=now)
    row, evaluation, _obs = scheduler.run_now(
        session, playbook=playbook, name=name, now=now, sink=IntakeSink()
    )
    return RunOut(
        monitor=_out(session, row, actor=actor, request=request, results=1),
        ok=evaluation.ok,
        reason=evaluation.reason(),
        conditions=[
            {"condition": r.condition, "ok": r.ok, "reason": r.reason} for r in evaluation.results
        ],
    )


def _beat(token: str, session: SessionDep, playbook: PlaybookDep, now: NowDep) -> dict[str, str]:
    row = service.beat(session, token=token, playbook=playbook, now=now, sink=IntakeSink())
    return {"status": "ok", "monitor": row.name}


@router.post("/api/v1/heartbeat/{token}", name="heartbeat_post")
def heartbeat_post(
    token: str, session: SessionDep, playbook: PlaybookDep, now: NowDep
) -> dict[str, str]:
    """A heartbeat monitor's push URL (no bearer token: the path is the secret)."""
    return _beat(token, session, playbook, now)


@router.get("/api/v1/heartbeat/{token}", name="heartbeat_get")
def heartbeat_get(
    token: str, session: SessionDep, playbook: PlaybookDep, now: NowDep
) -> dict[str, str]:
    """The same push URL for callers that can only GET."""
    return _beat(token, session, playbook, now)


@router.post("/api/v1/incidents/{ref}/checks", status_code=201, response_model=CheckOut)
def attach_check(
    ref: str,
    body: CheckIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> CheckOut:
    """Attach a one-off check's result (`warroom check ... --incident REF`) to the timeline."""
    event = checks.attach(
        session,
        playbook=playbook,
        ref=ref,
        actor=actor.label,
        now=now,
        kind=body.kind,
        target=body.target,
        ok=body.ok,
        summary=body.summary,
        data=body.data,
    )
    session.flush()
    return CheckOut(
        id=event.id,
        at=event.at,
        kind=event.kind,
        actor=event.actor,
        body=event.body,
        data=event.data,
    )
