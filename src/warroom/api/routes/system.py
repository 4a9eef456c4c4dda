"""Health and the effective playbook."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from warroom import __version__
from warroom.api.deps import PlaybookDep, StateDep, Viewer
from warroom.playbook import dump_playbook

router = APIRouter(tags=["system"])


@router.get("/health")
def health(state: StateDep) -> JSONResponse:
    """No auth: load balancers and monitors call it. Says only whether the database answers."""
    try:
        with state.sessions() as session:
            session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # any failure means unhealthy; the reason helps the operator
        database = f"error: {type(exc).__name__}"
    healthy = database == "ok"
    return JSONResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "version": __version__,
        },
        status_code=200 if healthy else 503,
    )


@router.get("/api/v1/playbook")
def playbook(playbook: PlaybookDep, _actor: Viewer) -> dict[str, Any]:
    """The effective playbook, with secrets in contact URLs redacted."""
    document: dict[str, Any] = yaml.safe_load(dump_playbook(playbook))
    return document
