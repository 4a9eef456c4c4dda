"""/api/v1/alerts (list, show, manual report) and /api/v1/silences (maintenance windows)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from warroom.alerts import queries
from warroom.alerts import silences as silence_service
from warroom.alerts.models import Alert, Silence
from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.playbook import Playbook

router = APIRouter(prefix="/api/v1", tags=["alerts"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReportIn(_In):
    summary: str = Field(min_length=1, max_length=1024, description="What is wrong")
    service: str = Field(description="The affected service, from the playbook")
    severity: Literal["critical", "error", "warning", "info"] = Field(
        default="error", description="How bad it looks to the reporter; triage sets P0-P3"
    )
    dedup_key: str | None = Field(
        default=None, min_length=1, max_length=255, description="Repeat reports of one problem"
    )
    labels: dict[str, str] = Field(default_factory=dict)
    links: list[dict[str, str]] = Field(default_factory=list)


class AlertOut(BaseModel):
    id: int
    status: str
    source: str
    integration: str | None
    dedup_key: str
    fingerprint: str
    summary: str
    source_severity: str
    severity: str
    rule: str | None
    service: str | None
    group_key: str | None
    labels: dict[str, str]
    links: list[dict[str, Any]]
    incident: str | None
    silence_id: int | None
    count: int
    first_seen_at: datetime
    last_seen_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    raw: dict[str, Any] | None = None


class AlertPage(BaseModel):
    items: list[AlertOut]
    total: int
    limit: int
    offset: int


class Matcher(_In):
    name: str = Field(description="Label name")
    op: Literal["=", "!=", "=~", "!~"] = "="
    value: str = Field(description="Value, or a regular expression for =~ and !~")


class SilenceIn(_In):
    service: str | None = Field(default=None, description="Only this service; all when unset")
    matchers: list[Matcher] = Field(default_factory=list, description="All must match")
    starts_at: AwareDatetime | None = Field(default=None, description="Now when unset")
    ends_at: AwareDatetime
    comment: str = Field(default="", max_length=2000)


class SilenceOut(BaseModel):
    id: int
    service: str | None
    matchers: list[dict[str, str]]
    starts_at: datetime
    ends_at: datetime
    comment: str
    created_by: str
    created_at: datetime
    active: bool


def alert_out(
    alert: Alert, playbook: Playbook, names: dict[int, str], *, raw: bool = False
) -> AlertOut:
    prefix = playbook.organization.incident_prefix
    return AlertOut(
        id=alert.id,
        status=alert.status,
        source=alert.source,
        integration=names.get(alert.integration_id) if alert.integration_id else None,
        dedup_key=alert.dedup_key,
        fingerprint=alert.fingerprint,
        summary=alert.summary,
        source_severity=alert.source_severity,
        severity=alert.severity,
        rule=alert.rule,
        service=alert.service,
        group_key=alert.group_key,
        labels=alert.labels,
        links=alert.links,
        incident=f"{prefix}-{alert.incident_id}" if alert.incident_id else None,
        silence_id=alert.silence_id,
        count=alert.count,
        first_seen_at=alert.first_seen_at,
        last_seen_at=alert.last_seen_at,
        acknowledged_at=alert.acknowledged_at,
        resolved_at=alert.resolved_at,
        raw=alert.raw if raw else None,
    )


def _silence_out(silence: Silence, now: datetime) -> SilenceOut:
    return SilenceOut(
        id=silence.id,
        service=silence.service,
        matchers=silence.matchers,
        starts_at=silence.starts_at,
        ends_at=silence.ends_at,
        comment=silence.comment,
        created_by=silence.created_by,
        created_at=silence.created_at,
        active=silence.starts_at <= now < silence.ends_at,
    )


@router.get("/alerts", response_model=AlertPage, response_model_exclude_none=False)
def list_alerts(
    session: SessionDep,
    playbook: PlaybookDep,
    _actor: Viewer,
    status: Annotated[
        list[str] | None, Query(description="triggered, acknowledged, resolved")
    ] = None,
    service: Annotated[list[str] | None, Query(description="Filter by service")] = None,
    integration: Annotated[
        list[str] | None, Query(description="Filter by integration name")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AlertPage:
    page = queries.list_alerts(
        session,
        statuses=status or (),
        services=service or (),
        integrations=integration or (),
        limit=limit,
        offset=offset,
    )
    return AlertPage(
        items=[alert_out(a, playbook, page.integrations) for a in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/alerts/{alert_id}", response_model=AlertOut)
def show_alert(
    alert_id: int, session: SessionDep, playbook: PlaybookDep, _actor: Viewer
) -> AlertOut:
    alert = queries.get(session, alert_id)
    return alert_out(alert, playbook, queries.integration_names(session, [alert]), raw=True)


@router.post("/alerts", status_code=201, response_model=AlertOut)
def report_alert(
    body: ReportIn, session: SessionDep, playbook: PlaybookDep, now: NowDep, actor: Responder
) -> AlertOut:
    """A manual report; it goes through the same triage as every alert."""
    alert = queries.report(
        session,
        playbook=playbook,
        now=now,
        actor=actor.label,
        summary=body.summary,
        service_name=body.service,
        severity=body.severity,
        dedup_key=body.dedup_key,
        labels=body.labels,
        links=[dict(link) for link in body.links],
    )
    session.flush()
    return alert_out(alert, playbook, {}, raw=True)


@router.get("/silences", response_model=list[SilenceOut])
def list_silences(
    session: SessionDep, now: NowDep, _actor: Viewer, expired: bool = False
) -> list[SilenceOut]:
    return [
        _silence_out(s, now)
        for s in silence_service.list_silences(session, now=now, include_expired=expired)
    ]


@router.post("/silences", status_code=201, response_model=SilenceOut)
def create_silence(
    body: SilenceIn, session: SessionDep, playbook: PlaybookDep, now: NowDep, actor: Responder
) -> SilenceOut:
    silence = silence_service.create(
        session,
        playbook=playbook,
        now=now,
        actor=actor.label,
        ends_at=body.ends_at,
        starts_at=body.starts_at,
        service=body.service,
        matchers=[m.model_dump() for m in body.matchers],
        comment=body.comment,
    )
    return _silence_out(silence, now)


@router.delete("/silences/{silence_id}", status_code=204)
def expire_silence(
    silence_id: int, session: SessionDep, now: NowDep, _actor: Responder
) -> Response:
    silence_service.expire(session, silence_id=silence_id, now=now)
    return Response(status_code=204)
