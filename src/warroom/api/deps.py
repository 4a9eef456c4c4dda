"""Request dependencies as Annotated aliases: the session, the clock, the playbook, the actor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
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


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_actor(request: Request, session: SessionDep, now: NowDep) -> Actor:
    return auth.authenticate(session, _bearer(request), now=now)


def _requiring(role: Role):  # type: ignore[no-untyped-def]
    def dependency(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        actor.require(role)
        return actor

    return dependency


Viewer = Annotated[Actor, Depends(_requiring(Role.VIEWER))]
Responder = Annotated[Actor, Depends(_requiring(Role.RESPONDER))]
Admin = Annotated[Actor, Depends(_requiring(Role.ADMIN))]
