"""Recording and reading the timeline. Events are only ever added, never changed or removed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import InvalidInput
from warroom.timeline.models import BODY_MAX, MANUAL_KINDS, EventKind, TimelineEvent

# A scribe may backdate an entry (something happened before it was written down), never
# into the future; allow a little clock skew between a client and the server.
FUTURE_SKEW = timedelta(minutes=2)

_SECRET_PATTERNS = [
    # warroom's own tokens
    (re.compile(r"\bwr_[A-Za-z0-9_-]{20,}"), "wr_***"),
    # Authorization headers pasted into notes
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 ***"),
    # key=value secrets
    (
        re.compile(r"(?i)\b(password|passwd|secret|token|api[_-]?key|apikey)(\s*[=:]\s*)\S+"),
        r"\1\2***",
    ),
    # credentials in URLs: scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@"), r"\1***@"),
]

# Something every pattern above needs: most text has none of them, and checking for these is
# far cheaper than running the four substitutions (alert intake redacts every event). Literal
# markers (case matters), then words any case of which the patterns accept ("api" covers
# api_key, api-key and apikey).
_MARKERS = ("wr_", "://")
_WORDS = ("bearer", "basic", "passw", "secret", "token", "api")
_MAYBE_SECRET = re.compile("|".join(_MARKERS) + "|(?i:" + "|".join(_WORDS) + ")")


def _maybe_secret(text: str) -> bool:
    """Whether ``text`` holds something a pattern needs. For ASCII text, substring tests of
    the lowered text: a tenth of the cost of the case-insensitive search, which stays for other
    text (where case folding knows more equivalences than ``lower``: dotless i for i)."""
    if not text.isascii():
        return _MAYBE_SECRET.search(text) is not None
    if any(map(text.__contains__, _MARKERS)):
        return True
    return any(map(text.lower().__contains__, _WORDS))


def redact_text(text: str) -> str:
    """Mask secrets people paste into notes (tokens, passwords, credentials in URLs)."""
    if not _maybe_secret(text):
        return text
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def record(
    session: Session,
    *,
    incident_id: int,
    kind: EventKind,
    actor: str,
    now: datetime,
    body: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> TimelineEvent:
    """Append one event. ``at`` defaults to ``now``; it may be earlier, not later."""
    if at is not None and at > now + FUTURE_SKEW:
        raise InvalidInput(
            f"an event cannot be dated in the future ({at.isoformat()} is after {now.isoformat()})",
            field="at",
        )
    if len(body) > BODY_MAX:
        raise InvalidInput(f"body is {len(body)} characters; at most {BODY_MAX}", field="body")
    event = TimelineEvent(
        incident_id=incident_id,
        kind=kind.value,
        actor=actor,
        body=redact_text(body),
        data=data or {},
        at=at or now,
        recorded_at=now,
    )
    session.add(event)
    return event


def add_entry(
    session: Session,
    *,
    incident_id: int,
    kind: str,
    body: str,
    actor: str,
    now: datetime,
    at: datetime | None = None,
    not_before: datetime | None = None,
) -> TimelineEvent:
    """A note, decision or action written by a person, dated ``at`` (not before ``not_before``)."""
    try:
        event_kind = EventKind(kind)
    except ValueError:
        event_kind = None
    if event_kind not in MANUAL_KINDS:
        raise InvalidInput(
            f"cannot add a {kind!r} entry by hand; use one of: "
            f"{', '.join(sorted(k.value for k in MANUAL_KINDS))}",
            field="kind",
        )
    if not body.strip():
        raise InvalidInput("body must not be empty", field="body")
    if at is not None and not_before is not None and at < not_before:
        raise InvalidInput(
            f"an entry cannot be dated before {not_before.isoformat()} (a day before the "
            f"incident began)",
            field="at",
        )
    assert event_kind is not None
    return record(
        session,
        incident_id=incident_id,
        kind=event_kind,
        actor=actor,
        now=now,
        body=body.strip(),
        at=at,
    )


def events(
    session: Session, *, incident_id: int, kinds: Sequence[str] | None = None
) -> list[TimelineEvent]:
    """The incident's events in the order they happened (ties in the order recorded)."""
    query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
    if kinds:
        query = query.where(TimelineEvent.kind.in_(list(kinds)))
    return list(session.scalars(query.order_by(TimelineEvent.at, TimelineEvent.id)))


def to_markdown(*, ref: str, title: str, events: Sequence[TimelineEvent]) -> str:
    """The timeline as a Markdown table, ready for a post-mortem document."""
    lines = [
        f"## Timeline — {ref}: {_md_cell(title)}",
        "",
        "| Time (UTC) | Who | What | Details |",
        "|---|---|---|---|",
    ]
    for event in events:
        lines.append(
            f"| {event.at:%Y-%m-%d %H:%M:%S} | {_md_cell(event.actor)} "
            f"| {event.kind.replace('_', ' ')} | {_md_cell(event.body)} |"
        )
    if not events:
        lines.append("| | | (no events) | |")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")
