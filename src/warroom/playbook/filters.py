"""The small text helpers templates use as filters; plain Python so the domain can use them too."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from warroom.playbook.durations import format_duration

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: object, max_len: int = 40) -> str:
    """Lowercase ASCII words joined by "-", cut at a word boundary within ``max_len``.

    Used for war-room channel names (``#incident-20261102-checkout-is-down``); never empty, so a
    title of only punctuation or non-Latin script still gives "incident".
    """
    if max_len < 1:
        raise ValueError(f"slug max_len must be at least 1, got {max_len}")
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        boundary = slug.rfind("-", 0, max_len + 1)
        # A single word longer than max_len has no boundary to cut at: cut it.
        slug = slug[:boundary] if boundary > 0 else slug[:max_len].rstrip("-")
    return slug or "incident"


def format_datetime(
    value: datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z", tz: str | tzinfo | None = None
) -> str:
    """An aware datetime as text, optionally converted to ``tz`` (an IANA name); None is "—"."""
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        raise TypeError(f"datetime filter expects a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime filter expects a timezone-aware datetime")
    if tz is not None:
        value = value.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    return value.strftime(fmt)


def duration_text(value: timedelta | int | float | None) -> str:
    """A timedelta (or seconds) in the playbook's compact form, "15m"; None is "—"."""
    if value is None:
        return "—"
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_duration(timedelta(seconds=value))
    raise TypeError(f"duration filter expects a timedelta, got {type(value).__name__}")
