"""/api/v1/integrations (admin): create, list and revoke integration keys."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from warroom.api.deps import Admin, NowDep, PlaybookDep, SessionDep
from warroom.api.routes.intake_support import intake_of
from warroom.integrations import service as integrations
from warroom.integrations.models import Integration

router = APIRouter(prefix="/api/v1/integrations", tags=["integrations"])


class IntegrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    service: str = Field(description="The service its alerts belong to")
    kind: Literal["pagerduty", "alertmanager", "sentry", "generic"]
    name: str | None = Field(default=None, description="Unique name; SERVICE-KIND by default")
    signing_secret: str | None = Field(
        default=None, description="Sentry client secret: signatures are checked when set"
    )
    rate_limit: int | None = Field(
        default=None, ge=1, description="Requests per second for this key; the server's default"
    )


class IntegrationOut(BaseModel):
    name: str
    kind: str
    service: str
    prefix: str
    signs: bool
    rate_limit: int | None
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    intake_url: str


class IntegrationCreatedOut(IntegrationOut):
    key: str = Field(description="The integration key; shown only this once")


def _path(kind: str, key: str) -> str:
    return "/v2/enqueue" if kind == "pagerduty" else f"/api/v1/intake/{kind}/{key}"


def _out(integration: Integration, key: str = "KEY") -> IntegrationOut:
    return IntegrationOut(
        name=integration.name,
        kind=integration.kind,
        service=integration.service,
        prefix=integration.prefix,
        signs=integration.signing_secret is not None,
        rate_limit=integration.rate_limit,
        created_at=integration.created_at,
        created_by=integration.created_by,
        revoked_at=integration.revoked_at,
        intake_url=_path(integration.kind, key),
    )


@router.get("", response_model=list[IntegrationOut])
def list_integrations(session: SessionDep, _actor: Admin) -> list[IntegrationOut]:
    return [_out(i) for i in integrations.list_integrations(session)]


@router.post("", status_code=201, response_model=IntegrationCreatedOut)
def create_integration(
    body: IntegrationIn, session: SessionDep, playbook: PlaybookDep, now: NowDep, actor: Admin
) -> IntegrationCreatedOut:
    integration, key = integrations.create(
        session,
        playbook=playbook,
        now=now,
        service=body.service,
        kind=body.kind,
        name=body.name,
        signing_secret=body.signing_secret,
        rate_limit=body.rate_limit,
        created_by=actor.label,
    )
    return IntegrationCreatedOut(**_out(integration, key).model_dump(), key=key)


@router.delete("/{name}", status_code=204)
def revoke_integration(
    name: str, request: Request, session: SessionDep, now: NowDep, _actor: Admin
) -> Response:
    integrations.revoke(session, name=name, now=now)
    session.commit()
    intake_of(request).forget_keys()
    return Response(status_code=204)
