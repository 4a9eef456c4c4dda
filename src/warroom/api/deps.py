"""Request dependencies as Annotated aliases: the session, the clock, the playbook, the actor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from warroom.auth import service as auth
from warroom.auth.service import Actor, Role
from warroom.clock import Clock
from warroom.config import Settings
from warroom.playbook import Playbook


@dataclass
class AppState:
    settings: Settings
    playbook: Playbook
    clock: Clock
    sessions: sessionmaker[Session]


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.warroom
    return state


StateDep = Annotated[AppState, Depends(app_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    session = state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the commit above happens before the response goes out, so a 2xx is only
# ever sent for work that is durably stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_playbook(state: StateDep) -> Playbook:
    return state.playbook


def get_now(state: StateDep) -> datetime:
    return state.clock.now()


PlaybookDep = Annotated[Playbook, Depends(get_playbook)]
NowDep = Annotated[datetime, Depends(get_now)]


# Declared as a security scheme so OpenAPI (and /docs) show bearer auth; errors are ours.
bearer_scheme = HTTPBearer(auto_error=False, description="An API token: wr_...")


def current_actor(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    session: SessionDep,
    now: NowDep,
) -> Actor:
    secret = credentials.credentials.strip() if credentials else None
    return auth.authenticate(session, secret or None, now=now)


def _requiring(role: Role):  # type: ignore[no-untyped-def]
    def dependency(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        actor.require(role)
        return actor

    return dependency


Viewer = Annotated[Actor, Depends(_requiring(Role.VIEWER))]
Responder = Annotated[Actor, Depends(_requiring(Role.RESPONDER))]
Admin = Annotated[Actor, Depends(_requiring(Role.ADMIN))]
