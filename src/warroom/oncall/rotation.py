"""Who a schedule puts on call at an instant, and the shifts over a span, DST-correct.

Turns of whole days step through the calendar in the schedule's zone (a 09:00 handoff stays at
09:00 local time when the clocks change, so that turn is an hour shorter or longer); turns of
hours step through elapsed time. A handoff in a skipped hour happens when the clocks jump.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from warroom.playbook.oncall import WEEKDAYS, Layer, Override, Restriction, Schedule

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Shift:
    """Someone (or nobody) on call from ``start`` to ``end`` (UTC)."""

    person: str | None
    start: datetime
    end: datetime
    layer: str | None  # the layer that put them there; None for an override or a gap


def local_to_utc(moment: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` (or an aware time) as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _calendar_turns(layer: Layer) -> bool:
    return layer.turn % DAY == timedelta(0)


def handoff(layer: Layer, zone: ZoneInfo, k: int) -> datetime:
    """The start of turn ``k`` (0 is the first; negative turns run before it), in UTC."""
    if _calendar_turns(layer):
        return local_to_utc(layer.handoff.replace(tzinfo=None) + k * layer.turn, zone)
    return local_to_utc(layer.handoff, zone) + k * layer.turn


def turn_at(layer: Layer, zone: ZoneInfo, at: datetime) -> int:
    """The number of the turn that contains ``at``."""
    first = local_to_utc(layer.handoff, zone)
    k = (at - first) // layer.turn
    # Calendar turns drift from elapsed time by the DST offsets: settle on the exact turn.
    while handoff(layer, zone, k) > at:
        k -= 1
    while handoff(layer, zone, k + 1) <= at:
        k += 1
    return k


def _in_window(window: Restriction, local: datetime) -> bool:
    day = WEEKDAYS[local.weekday()]
    previous = WEEKDAYS[(local.weekday() - 1) % 7]
    now = local.time()
    if window.start < window.end:
        return day in window.days and window.start <= now < window.end
    # Past midnight: the evening part on a listed day, the morning part the day after one.
    return (day in window.days and now >= window.start) or (
        previous in window.days and now < window.end
    )


def on_duty(layer: Layer, zone: ZoneInfo, at: datetime) -> bool:
    """Whether the layer's restrictions (if any) cover ``at``."""
    if not layer.restrictions:
        return True
    local = at.astimezone(zone)
    return any(_in_window(window, local) for window in layer.restrictions)


def layer_person(layer: Layer, zone: ZoneInfo, at: datetime) -> str | None:
    """The member on this layer at ``at``, or None outside its restrictions."""
    if not on_duty(layer, zone, at):
        return None
    return layer.members[turn_at(layer, zone, at) % len(layer.members)]


def _override_span(override: Override, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return local_to_utc(override.start, zone), local_to_utc(override.end, zone)


def who(schedule: Schedule, at: datetime) -> tuple[str | None, str | None]:
    """(person, layer name) on call at ``at``; the layer is None for an override."""
    zone = ZoneInfo(schedule.timezone)
    for override in reversed(schedule.overrides):
        start, end = _override_span(override, zone)
        if start <= at < end:
            return override.person, None
    for layer in reversed(schedule.layers):
        person = layer_person(layer, zone, at)
        if person is not None:
            return person, layer.name
    return None, None


def _window_edges(
    window: Restriction, zone: ZoneInfo, start: datetime, end: datetime
) -> set[datetime]:
    edges = set()
    day = start.astimezone(zone).date() - DAY
    last = end.astimezone(zone).date() + DAY
    while day <= last:
        for moment in (window.start, window.end):
            edges.add(local_to_utc(datetime.combine(day, moment), zone))
        day += DAY
    return edges


def _edges(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Every instant in [start, end) at which who is on call may change, with ``start``."""
    zone = ZoneInfo(schedule.timezone)
    edges = {start}
    for layer in schedule.layers:
        k = turn_at(layer, zone, start)
        while (moment := handoff(layer, zone, k)) < end:
            edges.add(moment)
            k += 1
        for window in layer.restrictions:
            edges |= _window_edges(window, zone, start, end)
    for override in schedule.overrides:
        edges |= set(_override_span(override, zone))
    return sorted(e for e in edges if start <= e < end)


def shifts(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """Who is on call over [start, end), as consecutive shifts (gaps have person None)."""
    out: list[Shift] = []
    edges = _edges(schedule, start, end)
    for i, moment in enumerate(edges):
        until = edges[i + 1] if i + 1 < len(edges) else end
        person, layer = who(schedule, moment)
        if out and out[-1].person == person and out[-1].layer == layer:
            out[-1] = Shift(person, out[-1].start, until, layer)
        else:
            out.append(Shift(person, moment, until, layer))
    return out
