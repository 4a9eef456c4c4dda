"""The playbook's ``schedules`` section: rotations in layers, restrictions and overrides.

A schedule has layers; each layer rotates its members in turns of a fixed length (hours, days
or weeks) starting at a handoff time written in the schedule's time zone, optionally only
within time-of-day/day-of-week restrictions. Later layers sit on top of earlier ones; an
override (someone covers a span) beats every layer. Turns of whole days hand off at the same
wall-clock time across daylight-saving changes. This module must not import ``schema``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, time, timedelta
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    model_validator,
)

from warroom.errors import Problem
from warroom.playbook.durations import Duration

HANDLE = r"^[a-z0-9][a-z0-9._-]{0,39}$"
SLUG = r"^[a-z0-9][a-z0-9_-]*$"

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

T = TypeVar("T")

LineOf = Callable[[str, int | None], int | None]


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise ValueError(
            f'unknown timezone "{name}"; use an IANA name like "UTC" or "Europe/London"'
        ) from None
    return name


def _whole_hours(value: timedelta) -> timedelta:
    if value.total_seconds() % 3600:
        raise ValueError("a turn is a whole number of hours, days or weeks (e.g. 12h, 1d, 1w)")
    return value


def non_empty(items: tuple[T, ...]) -> tuple[T, ...]:
    """An AfterValidator: a list that must have items (reported once, unlike min_length,
    which pydantic repeats when an item itself is invalid)."""
    if not items:
        raise ValueError("must not be empty")
    return items


OncallHandle = Annotated[str, StringConstraints(pattern=HANDLE)]
OncallSlug = Annotated[str, StringConstraints(pattern=SLUG, max_length=80)]
ZoneName = Annotated[str, AfterValidator(_zone)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Restriction(_Model):
    """A window, in the schedule's time zone, in which a layer is on duty."""

    days: tuple[Weekday, ...] = WEEKDAYS
    """Days the window starts on (mon ... sun); every day when unset."""
    start: time
    """Start of the window, e.g. "09:00"."""
    end: time
    """End of the window, e.g. "17:00"; an end at or before the start runs past midnight."""

    @model_validator(mode="after")
    def _not_empty(self) -> Restriction:
        if self.start == self.end:
            raise ValueError("start and end are the same time; the window would be empty")
        return self


class Layer(_Model):
    """One rotation: members take turns of ``turn`` starting at ``handoff``."""

    name: OncallSlug
    """Name of the layer, unique within the schedule."""
    members: Annotated[tuple[OncallHandle, ...], AfterValidator(non_empty)]
    """Handles of the people who take turns, in order."""
    turn: Annotated[Duration, AfterValidator(_whole_hours)]
    """Length of each turn: hours, days or weeks (12h, 1d, 1w)."""
    handoff: datetime
    """When the first member's first turn starts, in the schedule's time zone (e.g.
    2026-11-02T09:00). Turns of whole days keep this wall-clock time across DST changes."""
    restrictions: tuple[Restriction, ...] = ()
    """Windows in which the layer is on duty; always when empty."""


class Override(_Model):
    """Someone covers a span, whoever the layers say."""

    person: OncallHandle
    """Handle of the person covering."""
    start: datetime
    """Start of the span (schedule's time zone unless an offset is given)."""
    end: datetime
    """End of the span."""


class Schedule(_Model):
    """An on-call schedule."""

    name: OncallSlug
    """Unique schedule name, used by escalation targets and the API."""
    description: str = ""
    """What the schedule covers."""
    timezone: ZoneName = "UTC"
    """IANA zone for handoff times, restrictions and overrides without an offset."""
    layers: Annotated[tuple[Layer, ...], AfterValidator(non_empty)]
    """Rotations, bottom first: a later layer wins where it is on duty."""
    overrides: tuple[Override, ...] = ()
    """Spans covered by someone else; a later override wins over an earlier one."""


def _items(value: object) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if isinstance(item, Mapping):
                yield i, item


def _handles(data: Mapping[str, Any]) -> set[str]:
    return {p["handle"] for _i, p in _items(data.get("people")) if isinstance(p.get("handle"), str)}


def _moment(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, datetime) else None


def schedule_problems(data: Mapping[str, Any], line_of: LineOf) -> list[Problem]:
    """Unique schedule and layer names; members and override people are people; spans ordered."""
    problems: list[Problem] = []

    def add(path: str, message: str) -> None:
        problems.append(Problem(path, message, line_of(path, None)))

    people = _handles(data)
    known = ", ".join(sorted(people)) or "none are defined"
    seen: dict[str, int] = {}
    for i, schedule in _items(data.get("schedules")):
        name = schedule.get("name")
        if isinstance(name, str):
            if name in seen:
                add(
                    f"schedules[{i}].name",
                    f'duplicate schedule "{name}" (also schedules[{seen[name]}])',
                )
            seen.setdefault(name, i)
        layer_names: set[str] = set()
        for j, layer in _items(schedule.get("layers")):
            base = f"schedules[{i}].layers[{j}]"
            if isinstance(layer.get("name"), str):
                if layer["name"] in layer_names:
                    add(f"{base}.name", f'duplicate layer "{layer["name"]}" in this schedule')
                layer_names.add(layer["name"])
            members = layer.get("members")
            if isinstance(members, list | tuple):
                for k, member in enumerate(members):
                    if isinstance(member, str) and member not in people:
                        add(
                            f"{base}.members[{k}]",
                            f'unknown person "{member}"; people are: {known}',
                        )
        for j, override in _items(schedule.get("overrides")):
            base = f"schedules[{i}].overrides[{j}]"
            person = override.get("person")
            if isinstance(person, str) and person not in people:
                add(f"{base}.person", f'unknown person "{person}"; people are: {known}')
            start, end = _moment(override.get("start")), _moment(override.get("end"))
            if start is not None and end is not None:
                try:
                    backwards = end <= start
                except TypeError:  # one with an offset, one without
                    backwards = False
                if backwards:
                    add(f"{base}.end", "the override ends before (or when) it starts")
    return problems
