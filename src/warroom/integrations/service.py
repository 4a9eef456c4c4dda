"""Creating, listing, revoking and resolving integration keys.

Keys are 128-bit random hex strings (the shape of a PagerDuty routing key, so senders that
check it accept ours); like API tokens they are stored as SHA-256 hashes and shown once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from warroom.integrations.models import KINDS, Integration
from warroom.playbook import Playbook

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
MAX_RATE_LIMIT = 1_000_000


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def create(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    service: str,
    kind: str,
    name: str | None = None,
    signing_secret: str | None = None,
    rate_limit: int | None = None,
    created_by: str = "warroom",
) -> tuple[Integration, str]:
    """A new integration and its key, which is never shown again."""
    if kind not in KINDS:
        raise InvalidInput(
            f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}", field="kind"
        )
    if playbook.service(service) is None:
        raise InvalidInput(
            f"unknown service {service!r}; the playbook's services are: "
            f"{', '.join(s.name for s in playbook.services) or '(none)'}",
            field="service",
        )
    name = name or _free_name(session, f"{service}-{kind}")
    if not NAME_PATTERN.match(name):
        raise InvalidInput(
            f"integration name {name!r} must be 1-80 lowercase letters, digits, '.', '_' or '-'",
            field="name",
        )
    if signing_secret is not None and kind != "sentry":
        raise InvalidInput("only sentry integrations check signatures", field="signing_secret")
    if signing_secret is not None and not 1 <= len(signing_secret) <= 128:
        raise InvalidInput("signing_secret must be 1-128 characters", field="signing_secret")
    if rate_limit is not None and not 1 <= rate_limit <= MAX_RATE_LIMIT:
        raise InvalidInput(
            f"rate_limit must be between 1 and {MAX_RATE_LIMIT} events/s", field="rate_limit"
        )
    if session.scalar(select(Integration.id).where(Integration.name == name)) is not None:
        raise Conflict(f"an integration named {name!r} already exists", field="name")
    key = secrets.token_hex(16)
    integration = Integration(
        name=name,
        kind=kind,
        service=service,
        key_hash=hash_key(key),
        prefix=key[:8],
        signing_secret=signing_secret,
        rate_limit=rate_limit,
        created_at=now,
        created_by=created_by,
    )
    session.add(integration)
    session.flush()
    return integration, key


def _free_name(session: Session, base: str) -> str:
    taken = set(session.scalars(select(Integration.name).where(Integration.name.like(f"{base}%"))))
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def list_integrations(session: Session) -> list[Integration]:
    """Every integration, oldest first (never their keys)."""
    return list(session.scalars(select(Integration).order_by(Integration.id)))


def get(session: Session, name: str) -> Integration:
    """The integration with this name."""
    integration = session.scalar(select(Integration).where(Integration.name == name))
    if integration is None:
        raise NotFound(f"no integration named {name!r}")
    return integration


def revoke(session: Session, *, name: str, now: datetime) -> Integration:
    """Stop a key working; alerts it sent stay."""
    integration = get(session, name)
    if integration.revoked_at is None:
        integration.revoked_at = now
    return integration


def authenticate(session: Session, key: str, *, kind: str | None = None) -> Integration:
    """The integration a key belongs to: NotFound if unknown (or of another kind),
    Unauthenticated if revoked."""
    integration = session.scalar(select(Integration).where(Integration.key_hash == hash_key(key)))
    if integration is None or (kind is not None and integration.kind != kind):
        raise NotFound("unknown integration key")
    if integration.revoked_at is not None:
        raise Unauthenticated(f"integration key of {integration.name!r} was revoked")
    return integration


def get_by_key(session: Session, key: str) -> Integration:
    """The integration a key belongs to, revoked or not."""
    integration = session.scalar(select(Integration).where(Integration.key_hash == hash_key(key)))
    if integration is None:
        raise NotFound("unknown integration key")
    return integration
