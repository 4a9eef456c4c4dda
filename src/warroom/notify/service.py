"""Enqueueing notifications: the outbox's front door, used by every domain that tells people.

Nothing here sends: ``enqueue`` stores one queued row and the engine's delivery job sends it.
Every notification has an idempotency key (``dedup_key``); enqueueing a key that is already in
the outbox stores nothing and returns None, so a retried request or a re-run job never pages
twice. ``notify_person`` expands to the person's contact methods per their notification rules;
``notify_channel`` targets a named channel of the playbook.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.errors import InvalidInput, NotFound
from warroom.notify.models import DEDUP_KEY_MAX, TITLE_MAX, Notification, Semantics, Status
from warroom.playbook import Playbook, redact_url
from warroom.playbook.notify import DEFAULT_AT_MOST_ONCE

MAX_PAGE = 200
# Reasons whose notifications lose their point once the incident is acknowledged or resolved:
# a delayed SMS for a page someone already answered is not sent.
CANCELLED_BY_ACK = frozenset({"page", "escalation"})
CANCELLED_BY_RESOLVE = CANCELLED_BY_ACK | {"reminder"}


def scheme_of(url: str) -> str:
    return url.partition("://")[0].lower()


def semantics_for(url: str, at_most_once: Sequence[str] = DEFAULT_AT_MOST_ONCE) -> Semantics:
    """At-most-once for phone-like schemes (SMS, calls), at-least-once for everything else."""
    scheme = scheme_of(url)
    # Apprise spells the TLS variant of a scheme with a trailing "s" (json/jsons).
    if scheme in at_most_once or (scheme.endswith("s") and scheme[:-1] in at_most_once):
        return Semantics.AT_MOST_ONCE
    return Semantics.AT_LEAST_ONCE


def derive_key(*parts: str) -> str:
    """Join key parts with "/"; keys longer than the column keep a prefix and a digest."""
    key = "/".join(parts)
    if len(key) <= DEDUP_KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{key[: DEDUP_KEY_MAX - 33]}#{digest}"


def _clean(title: str, body: str, reason: str, dedup_key: str, target: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("a notification needs a title", field="title")
    if not reason.strip() or len(reason) > 32:
        raise InvalidInput("reason must be 1 to 32 characters", field="reason")
    if not dedup_key.strip() or len(dedup_key) > DEDUP_KEY_MAX:
        raise InvalidInput(f"dedup_key must be 1 to {DEDUP_KEY_MAX} characters", field="dedup_key")
    if "://" not in target:
        raise InvalidInput(
            f"target {redact_url(target)!r} is not an Apprise URL (scheme://...)", field="target"
        )
    return title[: TITLE_MAX - 1] + "…" if len(title) > TITLE_MAX else title


def planned(
    *,
    now: datetime,
    target: str,
    title: str,
    body: str,
    reason: str,
    dedup_key: str,
    incident_id: int | None = None,
    person: str | None = None,
    channel: str | None = None,
    not_before: datetime | None = None,
    at_most_once: Sequence[str] = DEFAULT_AT_MOST_ONCE,
) -> dict[str, Any]:
    """The outbox row for one message, checked but not stored (see ``enqueue_many``)."""
    return {
        "dedup_key": dedup_key,
        "incident_id": incident_id,
        "person": person,
        "channel": channel,
        "target": target,
        "title": _clean(title, body, reason, dedup_key, target),
        "body": body,
        "reason": reason,
        "semantics": semantics_for(target, at_most_once).value,
        "status": Status.QUEUED.value,
        "attempts": 0,
        "not_before": not_before or now,
        "created_at": now,
    }


def enqueue(
    session: Session,
    *,
    now: datetime,
    target: str,
    title: str,
    body: str,
    reason: str,
    dedup_key: str,
    incident_id: int | None = None,
    person: str | None = None,
    channel: str | None = None,
    not_before: datetime | None = None,
    at_most_once: Sequence[str] = DEFAULT_AT_MOST_ONCE,
) -> Notification | None:
    """Queue one message to one Apprise URL; None when ``dedup_key`` is already in the outbox."""
    values = planned(
        now=now,
        target=target,
        title=title,
        body=body,
        reason=reason,
        dedup_key=dedup_key,
        incident_id=incident_id,
        person=person,
        channel=channel,
        not_before=not_before,
        at_most_once=at_most_once,
    )
    statement = _insert_ignoring_duplicates(session).values(**values).returning(Notification)
    # The caller's pending rows need not be written first; they are flushed in one batch later.
    with session.no_autoflush:
        return session.scalars(statement).first()


def enqueue_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Store planned rows in one statement; rows whose dedup key exists are skipped."""
    if rows:
        session.execute(_insert_ignoring_duplicates(session), list(rows))


def _insert_ignoring_duplicates(session: Session) -> Any:
    """INSERT ... ON CONFLICT (dedup_key) DO NOTHING for the session's database.

    A concurrent enqueue of the same key (another engine, another request) loses quietly in
    one round trip, instead of failing the caller's whole transaction.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(Notification).on_conflict_do_nothing(index_elements=["dedup_key"])
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(Notification).on_conflict_do_nothing(index_elements=["dedup_key"])


def plan_person(
    *,
    playbook: Playbook,
    now: datetime,
    person: str,
    title: str,
    body: str,
    reason: str,
    dedup_key: str,
    incident_id: int | None = None,
) -> list[dict[str, Any]]:
    """The rows ``notify_person`` would store, for callers that store many at once."""
    handle = person.removeprefix("@").lower()
    who = playbook.person(handle)
    if who is None:
        raise NotFound(f"no person @{handle} in the playbook")
    labels = [method.label for method in who.contact]
    return [
        planned(
            now=now,
            target=who.contact[index].url,
            title=title,
            body=body,
            reason=reason,
            dedup_key=derive_key(dedup_key, handle, str(index)),
            incident_id=incident_id,
            person=handle,
            not_before=now + delay if delay > timedelta(0) else now,
            at_most_once=playbook.notify.at_most_once,
        )
        for index, delay in playbook.notify.rules_for(handle, labels)
    ]


def notify_person(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    person: str,
    title: str,
    body: str,
    reason: str,
    dedup_key: str,
    incident_id: int | None = None,
) -> list[Notification]:
    """Queue a message to each of the person's contact methods their notification rules use.

    Each gets the key ``dedup_key/handle/N`` (N the contact method's position) and is due
    after the rule's delay. An unknown person is NotFound; a person without contact methods
    gets nothing (an empty list); keys already in the outbox are skipped.
    """
    queued = []
    for values in plan_person(
        playbook=playbook,
        now=now,
        person=person,
        title=title,
        body=body,
        reason=reason,
        dedup_key=dedup_key,
        incident_id=incident_id,
    ):
        statement = _insert_ignoring_duplicates(session).values(**values).returning(Notification)
        with session.no_autoflush:
            row = session.scalars(statement).first()
        if row is not None:
            queued.append(row)
    return queued


def notify_channel(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    channel: str,
    title: str,
    body: str,
    reason: str,
    dedup_key: str,
    incident_id: int | None = None,
) -> Notification | None:
    """Queue a message to a named channel of the playbook (``notify.channels``)."""
    url = playbook.notify.channels.get(channel)
    if url is None:
        known = ", ".join(sorted(playbook.notify.channels)) or "none are defined"
        raise InvalidInput(
            f"unknown notification channel {channel!r}; channels: {known}", field="channel"
        )
    return enqueue(
        session,
        now=now,
        target=url,
        title=title,
        body=body,
        reason=reason,
        dedup_key=derive_key(dedup_key, "channel", channel),
        incident_id=incident_id,
        channel=channel,
        at_most_once=playbook.notify.at_most_once,
    )


def list_notifications(
    session: Session,
    *,
    incident_id: int | None = None,
    statuses: Sequence[str] = (),
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Notification], int]:
    """Outbox rows newest first, with the total matching count."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    known = {s.value for s in Status}
    for status in statuses:
        if status not in known:
            raise InvalidInput(
                f"unknown status {status!r}; expected one of {', '.join(sorted(known))}",
                field="status",
            )
    query = select(Notification)
    if incident_id is not None:
        query = query.where(Notification.incident_id == incident_id)
    if statuses:
        query = query.where(Notification.status.in_(list(statuses)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(limit).offset(offset))
    return list(rows), total
