"""iCalendar (RFC 5545) feeds of on-call shifts, one event per shift."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from warroom.oncall.rotation import Shift

PRODID = "-//warroom//on-call//EN"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return out


def calendar(*, name: str, shifts: Sequence[Shift], schedule: str, now: datetime) -> str:
    """A VCALENDAR with one VEVENT per shift of ``schedule`` that has someone on call."""
    return combined(name=name, shifts=[(schedule, shift) for shift in shifts], now=now)


def combined(*, name: str, shifts: Sequence[tuple[str, Shift]], now: datetime) -> str:
    """A VCALENDAR of (schedule, shift) pairs, e.g. one person's shifts on every schedule."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for schedule, shift in shifts:
        if shift.person is None:
            continue
        how = f"layer {shift.layer}" if shift.layer else "override"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{schedule}-{_stamp(shift.start)}-{shift.person}@warroom",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(shift.start)}",
            f"DTEND:{_stamp(shift.end)}",
            f"SUMMARY:{_escape(f'On call: @{shift.person} ({schedule})')}",
            f"DESCRIPTION:{_escape(f'@{shift.person} is on call on {schedule} ({how})')}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(line + "\r\n" for raw in lines for line in _fold(raw))
