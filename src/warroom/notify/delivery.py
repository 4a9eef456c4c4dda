"""Delivering the outbox: claim due rows, mark them sending, send, record the outcome.

The order is what makes a crash safe: a claimed row is marked ``sending`` with a deadline and
committed BEFORE the provider is called, and its outcome is committed right after. A row still
``sending`` past its deadline belongs to an engine that died mid-send: an at-least-once row
(webhook, email, chat) is queued again, an at-most-once row (SMS, phone) is failed, because
sending it twice is worse than reporting that it may not have arrived. Rows are claimed with
``FOR UPDATE SKIP LOCKED`` so several engines on PostgreSQL never take the same one.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.incidents.lifecycle import OPEN_STATES
from warroom.incidents.models import Incident
from warroom.notify.models import Notification, Semantics, Status
from warroom.notify.sender import Sender
from warroom.notify.service import CANCELLED_BY_ACK, CANCELLED_BY_RESOLVE
from warroom.playbook import Playbook, redact_url
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

ACTOR = "warroom"
_OPEN = frozenset(s.value for s in OPEN_STATES)


def recover_interrupted(session: Session, *, playbook: Playbook, now: datetime) -> int:
    """Settle rows left ``sending`` past their deadline by an engine that stopped."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.status == Status.SENDING.value, Notification.deadline < now)
        .order_by(Notification.id)
        .limit(500)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.deadline = None
        if row.semantics == Semantics.AT_MOST_ONCE.value:
            _fail(session, row, now, "interrupted while sending; not retried (at-most-once)")
        elif row.attempts >= playbook.notify.retry.attempts:
            _fail(session, row, now, "interrupted while sending on the last attempt")
        else:
            row.status = Status.QUEUED.value
            row.not_before = now
            row.last_error = "interrupted while sending; retrying (at-least-once)"
    return len(rows)


def claim(
    session: Session, *, playbook: Playbook, now: datetime, limit: int
) -> tuple[list[Notification], int]:
    """Take up to ``limit`` due rows, cancel the ones nobody needs, mark the rest ``sending``.

    Returns the rows to send and how many were cancelled.
    """
    rows = session.scalars(
        select(Notification)
        .where(Notification.status == Status.QUEUED.value, Notification.not_before <= now)
        .order_by(Notification.not_before, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    live = [row for row in rows if not _cancel_if_moot(session, row, now)]
    deadline = now + playbook.notify.send_timeout
    for row in live:
        row.status = Status.SENDING.value
        row.deadline = deadline
        row.attempts += 1
    return live, len(rows) - len(live)


def _cancel_if_moot(session: Session, row: Notification, now: datetime) -> bool:
    if row.incident_id is None or row.reason not in CANCELLED_BY_RESOLVE:
        return False
    incident = session.get(Incident, row.incident_id)
    if incident is None:
        return False
    why = None
    if incident.status not in _OPEN and row.reason in CANCELLED_BY_RESOLVE:
        why = f"not sent: the incident was {incident.status} first"
    elif (
        row.reason in CANCELLED_BY_ACK
        and incident.acknowledged_at is not None
        and incident.acknowledged_at >= row.created_at
    ):
        why = f"not sent: acknowledged by {incident.acknowledged_by or 'someone'} first"
    if why is None:
        return False
    row.status = Status.CANCELLED.value
    row.finished_at = now
    row.last_error = why
    return True


def record(
    session: Session,
    *,
    playbook: Playbook,
    row: Notification,
    now: datetime,
    ok: bool,
    temporary: bool,
    error: str | None,
) -> None:
    """Store one attempt's outcome: sent, queued again after a backoff, or failed for good."""
    row.deadline = None
    if ok:
        row.status = Status.SENT.value
        row.finished_at = now
        row.last_error = None
        return
    retry = playbook.notify.retry
    if temporary and row.attempts < retry.attempts:
        row.status = Status.QUEUED.value
        row.not_before = now + retry.delay(row.attempts)
        row.last_error = error
        return
    why = error or "the provider refused the message"
    if temporary:
        why = f"{why} (gave up after {row.attempts} attempts)"
    _fail(session, row, now, why)


def _fail(session: Session, row: Notification, now: datetime, why: str) -> None:
    row.status = Status.FAILED.value
    row.finished_at = now
    row.last_error = why
    if row.incident_id is None:
        return
    who = f"@{row.person}" if row.person else f"channel {row.channel or '?'}"
    timeline.record(
        session,
        incident_id=row.incident_id,
        kind=EventKind.NOTIFICATION_FAILED,
        actor=ACTOR,
        now=now,
        body=f"Could not notify {who} ({row.reason}: {row.title}): {why}",
        data={
            "notification_id": row.id,
            "person": row.person,
            "channel": row.channel,
            "target": redact_url(row.target),
            "reason": row.reason,
            "attempts": row.attempts,
            "error": why,
        },
    )


def deliver_due(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    sender: Sender,
    limit: int = 50,
    workers: int = 8,
) -> int:
    """One delivery pass: recover, claim (committed), send, commit each outcome as it comes.

    This is the one place outside an edge that commits, by design: the claim must be durable
    before the provider is called. Sends run on ``workers`` threads (a slow provider must not
    hold up the others); only this thread touches the session. Returns the number of rows
    settled or attempted.
    """
    done = recover_interrupted(session, playbook=playbook, now=now)
    claimed, cancelled = claim(session, playbook=playbook, now=now, limit=limit)
    jobs = [(row.id, row.target, row.title, row.body, row.dedup_key) for row in claimed]
    session.commit()
    if not jobs:
        return done + cancelled
    with ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = {
            pool.submit(sender.send, target=target, title=title, body=body, key=key): row_id
            for row_id, target, title, body, key in jobs
        }
        for future in as_completed(futures):
            result = future.result()
            row = session.get(Notification, futures[future])
            if row is None or row.status != Status.SENDING.value:
                continue
            record(
                session,
                playbook=playbook,
                row=row,
                now=now,
                ok=result.ok,
                temporary=result.temporary,
                error=result.error,
            )
            session.commit()
    return done + len(jobs) + cancelled
