"""Durations as people write them in a playbook ("15m", "2h", "1h30m") and back.

Playbooks state response times and cadences in the compact form of the seed table, so the
schema stores a ``timedelta`` but reads and writes that form. ``parse(format(x)) == x`` for every
duration ``parse`` can return.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNITS: dict[str, int] = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}

# Units in descending order, each at most once, optionally separated by spaces: "1h30m", "1d 2h".
_PATTERN = re.compile(
    r"^(?:(?P<w>\d+)w)?\s*(?:(?P<d>\d+)d)?\s*(?:(?P<h>\d+)h)?\s*(?:(?P<m>\d+)m)?\s*(?:(?P<s>\d+)s)?$"
)

DURATION_PATTERN = r"^(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?$"
"""The compact form as a regular expression (JSON Schema); ``parse_duration`` also takes spaces."""


def _invalid(text: object) -> ValueError:
    return ValueError(f'expected a duration like "15m", got "{text}"')


def parse_duration(text: str | int | float) -> timedelta:
    """Read "90s", "15m", "2h", "1d", "1w", "1h30m" or a whole number of seconds; must be > 0."""
    if isinstance(text, bool):
        raise _invalid(text)
    if isinstance(text, int | float):
        if isinstance(text, float) and not text.is_integer():
            raise _invalid(text)
        seconds = int(text)
    elif isinstance(text, str):
        stripped = text.strip()
        if stripped.isdigit():
            seconds = int(stripped)
        else:
            match = _PATTERN.match(stripped)
            if match is None or not any(match.groupdict().values()):
                raise _invalid(text)
            seconds = sum(int(v) * _UNITS[u] for u, v in match.groupdict().items() if v)
    else:
        raise _invalid(text)
    if seconds <= 0:
        raise _invalid(text)
    return timedelta(seconds=seconds)


def format_duration(td: timedelta) -> str:
    """The compact form of ``td``: weeks or (from 7 days) whole days, else hours/minutes/seconds.

    "48h" stays "48h" (the seed's post-mortem deadline); "14d" becomes "2w", "10d" stays "10d".
    Sub-second parts are dropped; zero is "0s" and negative durations get a leading "-".
    """
    total = int(td.total_seconds())
    if total < 0:
        return "-" + format_duration(timedelta(seconds=-total))
    if total == 0:
        return "0s"
    if total % _UNITS["w"] == 0:
        return f"{total // _UNITS['w']}w"
    if total % _UNITS["d"] == 0 and total >= _UNITS["w"]:
        return f"{total // _UNITS['d']}d"
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (seconds, "s")]
    return "".join(f"{value}{unit}" for value, unit in parts if value)


def _coerce(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        if value <= timedelta(0) or value.microseconds:
            raise _invalid(format_duration(value))
        return value
    if isinstance(value, str | int | float):
        return parse_duration(value)
    raise _invalid(value)


Duration = Annotated[
    timedelta,
    BeforeValidator(_coerce),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": ["15m", "1h30m"]}),
]
"""A positive whole-second duration that reads and serializes as "15m"."""
