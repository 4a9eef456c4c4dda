"""Reading schedules: who is on call now or at a time, and the shifts over a span."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.errors import InvalidInput, NotFound
from warroom.oncall.rotation import Shift, shifts, who
from warroom.playbook import Playbook
from warroom.playbook.oncall import Schedule

MAX_SPAN = timedelta(days=366)


@dataclass(frozen=True)
class OnCall:
    schedule: str
    person: str | None
    layer: str | None  # None when an override (or nobody) covers the moment
    at: datetime


def get_schedule(playbook: Playbook, name: str) -> Schedule:
    """The schedule called ``name``; NotFound naming the known ones."""
    for schedule in playbook.schedules:
        if schedule.name == name:
            return schedule
    known = ", ".join(s.name for s in playbook.schedules) or "none are defined"
    raise NotFound(f"no schedule {name!r}; schedules: {known}")


def _aware(when: datetime, field: str) -> datetime:
    if when.tzinfo is None:
        raise InvalidInput(f"{field} needs a UTC offset, e.g. 2026-11-02T09:00:00Z", field=field)
    return when


def on_call(playbook: Playbook, *, at: datetime, schedule: str | None = None) -> list[OnCall]:
    """Who is on call at ``at``: on one schedule, or on every schedule."""
    _aware(at, "at")
    chosen = [get_schedule(playbook, schedule)] if schedule else list(playbook.schedules)
    out = []
    for item in chosen:
        person, layer = who(item, at)
        out.append(OnCall(schedule=item.name, person=person, layer=layer, at=at))
    return out


def person_on_call(playbook: Playbook, *, schedule: str, at: datetime) -> str | None:
    """The handle on call on ``schedule`` at ``at`` (None when nobody is)."""
    return who(get_schedule(playbook, schedule), at)[0]


def schedule_shifts(
    playbook: Playbook,
    *,
    schedule: str,
    start: datetime,
    end: datetime,
    person: str | None = None,
) -> list[Shift]:
    """The shifts of ``schedule`` over [start, end), optionally only ``person``'s."""
    _aware(start, "from")
    _aware(end, "to")
    if end <= start:
        raise InvalidInput("the span ends before it starts ('to' must be after 'from')", field="to")
    if end - start > MAX_SPAN:
        raise InvalidInput("a span is at most 366 days", field="to")
    found = get_schedule(playbook, schedule)
    if person is not None:
        handle = person.removeprefix("@").lower()
        if playbook.person(handle) is None:
            raise NotFound(f"no person @{handle} in the playbook")
        return [s for s in shifts(found, start, end) if s.person == handle]
    return shifts(found, start, end)


def person_shifts(
    playbook: Playbook, *, person: str, start: datetime, end: datetime
) -> list[tuple[str, Shift]]:
    """(schedule, shift) for every shift ``person`` has on any schedule over [start, end)."""
    handle = person.removeprefix("@").lower()
    if playbook.person(handle) is None:
        raise NotFound(f"no person @{handle} in the playbook")
    found = [
        (schedule.name, shift)
        for schedule in playbook.schedules
        for shift in schedule_shifts(
            playbook, schedule=schedule.name, start=start, end=end, person=handle
        )
    ]
    return sorted(found, key=lambda pair: pair[1].start)
