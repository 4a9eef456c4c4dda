"""Timers: schedule a row with a due time under a unique key; engines claim the due ones.

Other domains use these for their deadlines (post-mortem due, action items): ``schedule`` a
timer of their own ``kind``, and have an engine job ``claim_due`` that kind and ``complete``
(or ``schedule`` again) each timer in the same transaction as the work it triggers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warroom.reminders.models import Timer, TimerState


def schedule(
    session: Session,
    *,
    kind: str,
    key: str,
    due_at: datetime,
    now: datetime,
    incident_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Timer:
    """Create the timer ``key``, or move it to ``due_at`` (pending again) if it exists."""
    timer = session.scalar(select(Timer).where(Timer.key == key).with_for_update())
    if timer is None:
        timer = Timer(
            kind=kind,
            key=key,
            incident_id=incident_id,
            due_at=due_at,
            state=TimerState.PENDING.value,
            data=data or {},
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(timer)
            return timer
        except IntegrityError:  # scheduled concurrently: update that one instead
            found = session.scalar(select(Timer).where(Timer.key == key).with_for_update())
            assert found is not None
            timer = found
    timer.due_at = due_at
    timer.state = TimerState.PENDING.value
    if data is not None:
        timer.data = data
    timer.updated_at = now
    return timer


def cancel(session: Session, *, key: str, now: datetime) -> bool:
    """Mark the timer ``key`` done without firing it; False when there is none pending."""
    timer = session.scalar(select(Timer).where(Timer.key == key).with_for_update())
    if timer is None or timer.state != TimerState.PENDING.value:
        return False
    complete(timer, now=now)
    return True


def claim_due(
    session: Session, *, kinds: Sequence[str], now: datetime, limit: int = 200
) -> list[Timer]:
    """Pending timers of ``kinds`` due by ``now``, locked (other engines skip them)."""
    return list(
        session.scalars(
            select(Timer)
            .where(
                Timer.state == TimerState.PENDING.value,
                Timer.kind.in_(list(kinds)),
                Timer.due_at <= now,
            )
            .order_by(Timer.due_at, Timer.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def complete(timer: Timer, *, now: datetime) -> None:
    """The timer has fired for good."""
    timer.state = TimerState.DONE.value
    timer.updated_at = now
