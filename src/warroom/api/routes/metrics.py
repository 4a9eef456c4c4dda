"""/api/v1/metrics, /api/v1/reports/{monthly,quarterly} and the Prometheus page at /metrics."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from warroom.api.deps import NowDep, PlaybookDep, SessionDep, Viewer
from warroom.drills.service import not_a_drill
from warroom.metrics import html, markdown, period, review
from warroom.metrics import service as metrics
from warroom.metrics.period import Period

router = APIRouter(tags=["metrics"])
DEFAULT_SPAN = timedelta(days=30)
Format = Annotated[str | None, Query(pattern="^(json|markdown|html)$")]
IncludeDrills = Annotated[
    bool, Query(description="Count incidents produced by game-day drills too")
]


@router.get("/api/v1/metrics")
def incident_metrics(
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    since: Annotated[
        str | None, Query(alias="from", description="Start (2026-11-01 or an ISO time)")
    ] = None,
    until: Annotated[str | None, Query(alias="to", description="End, exclusive; now")] = None,
    service: str | None = None,
    include_drills: IncludeDrills = False,
) -> dict[str, Any]:
    end = period.parse_instant(until, "to") if until else now
    start = period.parse_instant(since, "from") if since else end - DEFAULT_SPAN
    result = metrics.compute(
        session,
        playbook=playbook,
        start=start,
        end=end,
        now=now,
        service=service,
        where=() if include_drills else (not_a_drill(),),
    )
    return asdict(result)


def _review(
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    span: Period,
    service: str | None,
    format: str | None,
) -> Any:
    built = review.build(  # drills are practice: reviews never count them
        session, playbook=playbook, period=span, now=now, service=service, where=(not_a_drill(),)
    )
    accept = request.headers.get("accept", "")
    if format == "html" or (format is None and "text/html" in accept):
        return Response(html.render(built), media_type="text/html; charset=utf-8")
    if format == "markdown" or (format is None and "text/markdown" in accept):
        return Response(markdown.render(built), media_type="text/markdown; charset=utf-8")
    return asdict(built)


@router.get("/api/v1/reports/monthly")
def monthly(
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    month: Annotated[str, Query(description="The month, e.g. 2026-11")],
    service: str | None = None,
    format: Format = None,
) -> Any:
    return _review(request, session, playbook, now, period.month(month), service, format)


@router.get("/api/v1/reports/quarterly")
def quarterly(
    request: Request,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    quarter: Annotated[str, Query(description="The quarter, e.g. 2026Q4")],
    service: str | None = None,
    format: Format = None,
) -> Any:
    return _review(request, session, playbook, now, period.quarter(quarter), service, format)


@router.get("/metrics", include_in_schema=False)
def prometheus(request: Request) -> Response:
    """Prometheus exposition; like /health it needs no token and shows only aggregate counts."""
    registry = request.app.state.observability.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
