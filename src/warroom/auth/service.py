"""API tokens and who is acting: create, verify, revoke; roles viewer < responder < admin.

Tokens are 256-bit random strings, so a fast SHA-256 hash is enough at rest (a slow password
hash buys nothing against guessing and would cost every request) and lets us look one up by
its hash.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.auth.models import ApiToken
from warroom.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from warroom.playbook import Playbook

TOKEN_PREFIX = "wr_"
LAST_USED_GRANULARITY = timedelta(minutes=1)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


class Role(StrEnum):
    VIEWER = "viewer"
    RESPONDER = "responder"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return [Role.VIEWER, Role.RESPONDER, Role.ADMIN].index(self)


@dataclass(frozen=True)
class Actor:
    """Who is doing something: a token, and the person it belongs to if any."""

    name: str
    role: Role
    person: str | None = None

    @property
    def label(self) -> str:
        """How the timeline names this actor: the person's handle, else the token."""
        return f"@{self.person}" if self.person else f"token:{self.name}"

    def require(self, role: Role) -> None:
        if self.role.rank < role.rank:
            raise Forbidden(
                f"this action needs the {role.value} role; token '{self.name}' has "
                f"{self.role.value}",
                required=role.value,
                actual=self.role.value,
            )


SYSTEM = Actor(name="warroom", role=Role.ADMIN)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session,
    *,
    name: str,
    role: Role | str,
    person: str | None,
    playbook: Playbook,
    now: datetime,
    created_by: str = "warroom",
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never shown again."""
    if not NAME_PATTERN.match(name):
        raise InvalidInput(
            f"token name {name!r} must be 1-80 letters, digits, '.', '_' or '-'", field="name"
        )
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(
            f"unknown role {role!r}; expected one of admin, responder, viewer", field="role"
        ) from None
    if person is not None and playbook.person(person) is None:
        raise InvalidInput(
            f"unknown person {person!r}; the playbook's people are: "
            f"{', '.join(p.handle for p in playbook.people) or '(none)'}",
            field="person",
        )
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise Conflict(f"a token named {name!r} already exists", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        role=role.value,
        person=person,
        token_hash=hash_token(secret),
        prefix=secret[:10],
        created_at=now,
        created_by=created_by,
    )
    session.add(token)
    session.flush()
    return token, secret


def authenticate(session: Session, secret: str | None, *, now: datetime) -> Actor:
    """The actor behind a bearer token, or Unauthenticated."""
    if not secret:
        raise Unauthenticated("missing bearer token (send 'Authorization: Bearer <token>')")
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None:
        raise Unauthenticated("invalid token")
    if token.revoked_at is not None:
        raise Unauthenticated(f"token '{token.name}' was revoked")
    # Record use at most once a minute, so reads do not turn into a write per request.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        token.last_used_at = now
    return Actor(name=token.name, role=Role(token.role), person=token.person)


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(session: Session, *, name: str, now: datetime) -> ApiToken:
    token = session.scalar(select(ApiToken).where(ApiToken.name == name))
    if token is None:
        raise NotFound(f"no token named {name!r}")
    if token.revoked_at is None:
        token.revoked_at = now
    return token


def has_admin_token(session: Session) -> bool:
    count = session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.role == Role.ADMIN.value, ApiToken.revoked_at.is_(None))
    )
    return bool(count)
