"""Silences (maintenance windows): matching alerts are recorded but open no incident."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from warroom.alerts.models import Silence
from warroom.errors import InvalidInput, NotFound
from warroom.playbook import Playbook

OPS = ("=", "!=", "=~", "!~")
MAX_LENGTH = timedelta(days=366)
COMMENT_MAX = 2000


def matcher_holds(matcher: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Alertmanager semantics: a missing label is the empty string; regexes match whole values."""
    value = labels.get(matcher["name"], "")
    op = matcher["op"]
    if op == "=":
        return value == matcher["value"]
    if op == "!=":
        return value != matcher["value"]
    found = re.fullmatch(matcher["value"], value) is not None
    return found if op == "=~" else not found


def silencing(
    silences: Sequence[Silence], *, service: str | None, labels: Mapping[str, str]
) -> Silence | None:
    """The first silence that covers an alert of ``service`` with ``labels``, if any."""
    for silence in silences:
        if silence.service is not None and silence.service != service:
            continue
        if all(matcher_holds(m, labels) for m in silence.matchers):
            return silence
    return None


def active(session: Session, *, now: datetime) -> list[Silence]:
    """Silences in force at ``now``."""
    # Most of the time there is none: a bare Core probe is far cheaper than an ORM load.
    if session.connection().scalar(_ANY_UNEXPIRED, {"now": now}) is None:
        return []
    return list(session.scalars(_ACTIVE, {"now": now}))


_ANY_UNEXPIRED = select(Silence.id).where(Silence.ends_at > bindparam("now")).limit(1)
_ACTIVE = (
    select(Silence)
    .where(Silence.starts_at <= bindparam("now"), Silence.ends_at > bindparam("now"))
    .order_by(Silence.id)
)


def parse_matcher(text: str) -> dict[str, str]:
    """'alertname=InstanceDown', 'env!=dev', 'instance=~10\\..*' → a matcher."""
    found = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*", text)
    if found is None:
        raise InvalidInput(
            f"matcher {text!r} is not NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX",
            field="matchers",
        )
    name, op, value = found.groups()
    return _checked({"name": name, "op": op, "value": value.strip('"')})


def _checked(matcher: Mapping[str, Any]) -> dict[str, str]:
    name, op, value = matcher.get("name"), matcher.get("op", "="), matcher.get("value")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise InvalidInput(f"matcher label name {name!r} is not a label name", field="matchers")
    if op not in OPS:
        raise InvalidInput(f"matcher op {op!r}; expected one of {', '.join(OPS)}", field="matchers")
    if not isinstance(value, str):
        raise InvalidInput("matcher value must be a string", field="matchers")
    if op in ("=~", "!~"):
        try:
            re.compile(value)
        except re.error as exc:
            raise InvalidInput(f"matcher regex {value!r}: {exc}", field="matchers") from None
    return {"name": name, "op": op, "value": value}


def create(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    actor: str,
    ends_at: datetime,
    starts_at: datetime | None = None,
    service: str | None = None,
    matchers: Sequence[Mapping[str, Any]] = (),
    comment: str = "",
) -> Silence:
    """A maintenance window for ``service`` (every service when None) and the label matchers."""
    starts = starts_at or now
    if starts.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("starts_at and ends_at need a UTC offset", field="ends_at")
    if ends_at <= starts:
        raise InvalidInput("ends_at must be after starts_at", field="ends_at")
    if ends_at <= now:
        raise InvalidInput("ends_at is in the past; the silence would never apply", field="ends_at")
    if ends_at - starts > MAX_LENGTH:
        raise InvalidInput("a silence lasts at most 366 days", field="ends_at")
    if service is not None and playbook.service(service) is None:
        raise InvalidInput(f"unknown service {service!r}", field="service")
    if service is None and not matchers:
        raise InvalidInput(
            "a silence needs a service or at least one matcher (it would silence everything)",
            field="matchers",
        )
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(f"comment is longer than {COMMENT_MAX} characters", field="comment")
    silence = Silence(
        service=service,
        matchers=[_checked(m) for m in matchers],
        starts_at=starts,
        ends_at=ends_at,
        comment=comment.strip(),
        created_by=actor,
        created_at=now,
    )
    session.add(silence)
    session.flush()
    return silence


def list_silences(
    session: Session, *, now: datetime, include_expired: bool = False
) -> list[Silence]:
    """Silences, newest first; only current and future ones unless ``include_expired``."""
    query = select(Silence)
    if not include_expired:
        query = query.where(Silence.ends_at > now)
    return list(session.scalars(query.order_by(Silence.id.desc())))


def expire(session: Session, *, silence_id: int, now: datetime) -> Silence:
    """End a silence now (a window that finished early)."""
    silence = session.get(Silence, silence_id)
    if silence is None:
        raise NotFound(f"no silence {silence_id}")
    if silence.ends_at > now:
        silence.ends_at = max(now, silence.starts_at)
    return silence
