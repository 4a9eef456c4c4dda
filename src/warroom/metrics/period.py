"""Reading periods people type: instants, months like 2026-11, quarters like 2026Q4."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from warroom.errors import InvalidInput

MAX_SPAN = timedelta(days=3 * 366)


@dataclass(frozen=True)
class Period:
    """A half-open span of time [start, end) with a label such as "2026-11" or "2026Q4"."""

    start: datetime
    end: datetime
    label: str


def parse_instant(text: str, field: str) -> datetime:
    """``2026-11-01`` (midnight UTC) or an ISO 8601 time with a zone."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{field} {text!r} is not a date or time; use 2026-11-01 or 2026-11-01T09:00Z",
            field=field,
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput(
            f"{field} {text!r} has no time zone; add Z for UTC, e.g. {value}Z", field=field
        )
    return moment.astimezone(UTC)


def check_span(start: datetime, end: datetime) -> None:
    """``from`` must come before ``to``, and the span must be at most about three years."""
    if start >= end:
        raise InvalidInput(
            f"from ({start.isoformat()}) must be before to ({end.isoformat()})", field="from"
        )
    if end - start > MAX_SPAN:
        raise InvalidInput("the period may span at most three years", field="to")


def month(text: str) -> Period:
    """``2026-11`` → November 2026."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if match is None:
        raise InvalidInput(f"month {text!r} must look like 2026-11 (YYYY-MM)", field="month")
    year, number = int(match.group(1)), int(match.group(2))
    if not 1 <= number <= 12:
        raise InvalidInput(
            f"month {text!r}: {number} is not a month (expected 01 to 12)", field="month"
        )
    return month_of(year, number)


def month_of(year: int, number: int) -> Period:
    """The month ``number`` of ``year``, normalising overflow (month 13 is next January)."""
    year, number = year + (number - 1) // 12, (number - 1) % 12 + 1
    start = datetime(year, number, 1, tzinfo=UTC)
    after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return Period(start, after, f"{year:04d}-{number:02d}")


def quarter(text: str) -> Period:
    """``2026Q4`` (or ``2026-Q4``) → October to December 2026."""
    match = re.fullmatch(r"(\d{4})-?[Qq](\d)", text.strip())
    if match is None:
        raise InvalidInput(f"quarter {text!r} must look like 2026Q4", field="quarter")
    year, number = int(match.group(1)), int(match.group(2))
    if not 1 <= number <= 4:
        raise InvalidInput(
            f"quarter {text!r}: Q{number} is not a quarter (expected Q1 to Q4)", field="quarter"
        )
    return quarter_of(year, number)


def quarter_of(year: int, number: int) -> Period:
    """Quarter ``number`` of ``year``, normalising overflow."""
    year, number = year + (number - 1) // 4, (number - 1) % 4 + 1
    first = month_of(year, 3 * number - 2)
    last = month_of(year, 3 * number)
    return Period(first.start, last.end, f"{year:04d}Q{number}")


def previous(period: Period, count: int) -> list[Period]:
    """The ``count`` periods of the same kind ending with ``period``, oldest first."""
    if "Q" in period.label:
        year, number = int(period.label[:4]), int(period.label[5:])
        return [quarter_of(year, number - i) for i in reversed(range(count))]
    year, number = int(period.label[:4]), int(period.label[5:])
    return [month_of(year, number - i) for i in reversed(range(count))]
