"""/api/v1/tokens (admin) and /api/v1/whoami."""

from __future__ import annotations

from fastapi import APIRouter, Response

from warroom.api.deps import Admin, NowDep, PlaybookDep, SessionDep, Viewer
from warroom.api.schemas import TokenCreatedOut, TokenIn, TokenOut, WhoAmIOut
from warroom.auth import service as auth
from warroom.auth.models import ApiToken

router = APIRouter(prefix="/api/v1", tags=["tokens"])


def _out(token: ApiToken) -> TokenOut:
    return TokenOut(
        name=token.name,
        role=token.role,
        person=token.person,
        prefix=token.prefix,
        created_at=token.created_at,
        created_by=token.created_by,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.get("/whoami", response_model=WhoAmIOut)
def whoami(actor: Viewer) -> WhoAmIOut:
    return WhoAmIOut(name=actor.name, role=actor.role.value, person=actor.person)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(session: SessionDep, _actor: Admin) -> list[TokenOut]:
    return [_out(t) for t in auth.list_tokens(session)]


@router.post("/tokens", status_code=201, response_model=TokenCreatedOut)
def create_token(
    body: TokenIn, session: SessionDep, playbook: PlaybookDep, now: NowDep, actor: Admin
) -> TokenCreatedOut:
    token, secret = auth.create_token(
        session,
        name=body.name,
        role=body.role,
        person=body.person,
        playbook=playbook,
        now=now,
        created_by=actor.label,
    )
    return TokenCreatedOut(**_out(token).model_dump(), token=secret)


@router.delete("/tokens/{name}", status_code=204)
def revoke_token(name: str, session: SessionDep, now: NowDep, _actor: Admin) -> Response:
    auth.revoke_token(session, name=name, now=now)
    return Response(status_code=204)
