"""The FastAPI application: routes, the error map and the body-size limit."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.types import Receive, Scope, Send

from warroom import __version__
from warroom.api import errors, intake_fastpath, observability
from warroom.api.deps import AppState
from warroom.api.limits import BodySizeLimit
from warroom.api.routes import (
    alerts,
    incidents,
    intake,
    integrations,
    monitors,
    oncall,
    system,
    tokens,
)
from warroom.api.routes.drills import router as drills_router
from warroom.api.routes.postincident import routers as postincident_routers
from warroom.api.routes.statuspage import routers as statuspage_routers
from warroom.clock import Clock, SystemClock
from warroom.config import Settings
from warroom.db import make_engine, make_sessionmaker
from warroom.playbook import Playbook, default_playbook, load_playbook
from warroom.web.fastpath import PublicFastPath


class WarroomAPI(FastAPI):
    """FastAPI, with the intake POSTs answered before the framework's stack (see
    ``intake_fastpath``); the same endpoints stay routed below for anything else."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            found = intake_fastpath.match(scope["path"])
            if found is not None:
                await intake_fastpath.serve(self, found, scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings,
    *,
    playbook: Playbook | None = None,
    clock: Clock | None = None,
    engine: Engine | None = None,
) -> FastAPI:
    if playbook is None:
        playbook = load_playbook(settings.playbook) if settings.playbook else default_playbook()
    engine = engine or make_engine(settings.database_url)
    app = WarroomAPI(
        title="warroom",
        version=__version__,
        description="Incident response platform: your playbook, run as software.",
    )
    app.state.warroom = AppState(
        settings=settings,
        playbook=playbook,
        clock=clock or SystemClock(),
        sessions=make_sessionmaker(engine),
    )
    errors.install(app)
    observability.install(app)  # GET /metrics and the request-latency histogram
    # Intake first: the hot routes then skip matching every other route on each request.
    app.include_router(intake.router)
    app.include_router(system.router)
    app.include_router(incidents.router)
    app.include_router(tokens.router)
    for router in postincident_routers:
        app.include_router(router)
    app.include_router(alerts.router)
    app.include_router(integrations.router)
    app.include_router(monitors.router)
    for router in statuspage_routers:
        app.include_router(router)
    app.include_router(oncall.router)  # schedules, on-call, .ics, notifications, escalation
    app.include_router(drills_router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(PublicFastPath)
    return app


def app_from_environment() -> FastAPI:
    """The application as a worker process of ``warroom serve --workers N`` builds it: from the
    WARROOM_* environment the serving command resolved (uvicorn imports this by name)."""
    return create_app(Settings())
