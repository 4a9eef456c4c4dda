"""Who is on call: rotations, layers, restrictions and overrides, correct across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from warroom.errors import InvalidInput, NotFound
from warroom.oncall import service as oncall
from warroom.oncall.ics import calendar
from warroom.oncall.rotation import shifts, who
from warroom.playbook import Playbook, default_playbook
from warroom.playbook.oncall import Schedule


def _schedule(**fields: Any) -> Schedule:
    return Schedule.model_validate({"name": "s", **fields})


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_london_handoff_stays_at_nine_across_the_autumn_change() -> None:
    # Clocks go back on Sunday 2026-10-25 at 02:00 BST (01:00 UTC).
    schedule = _schedule(
        timezone="Europe/London",
        layers=[
            {
                "name": "daily",
                "members": ["alice", "bob"],
                "turn": "1d",
                "handoff": "2026-10-23T09:00",
            }
        ],
    )
    got = shifts(schedule, _utc(2026, 10, 23, 8), _utc(2026, 10, 27, 9))
    assert [(s.person, s.start, s.end - s.start) for s in got] == [
        ("alice", _utc(2026, 10, 23, 8), timedelta(days=1)),  # 09:00 BST = 08:00 UTC
        ("bob", _utc(2026, 10, 24, 8), timedelta(hours=25)),  # the long day
        ("alice", _utc(2026, 10, 25, 9), timedelta(days=1)),  # 09:00 GMT = 09:00 UTC
        ("bob", _utc(2026, 10, 26, 9), timedelta(days=1)),
    ]
    for shift in got:
        assert shift.start.astimezone(ZoneInfo("Europe/London")).hour == 9


def test_daily_london_spring_change_makes_a_short_turn() -> None:
    schedule = _schedule(
        timezone="Europe/London",
        layers=[
            {
                "name": "daily",
                "members": ["alice", "bob"],
                "turn": "1d",
                "handoff": "2027-03-27T09:00",
            }
        ],
    )
    got = shifts(schedule, _utc(2027, 3, 27, 9), _utc(2027, 3, 29, 8))
    assert [(s.person, s.start, s.end) for s in got] == [
        ("alice", _utc(2027, 3, 27, 9), _utc(2027, 3, 28, 8)),  # 23 hours
        ("bob", _utc(2027, 3, 28, 8), _utc(2027, 3, 29, 8)),
    ]


def test_weekly_new_york_rotation_across_the_november_change() -> None:
    # Clocks go back on Sunday 2026-11-01 at 02:00 EDT; handoffs are Mondays 10:00 local.
    schedule = _schedule(
        timezone="America/New_York",
        layers=[
            {
                "name": "weekly",
                "members": ["alice", "bob"],
                "turn": "1w",
                "handoff": "2026-10-26T10:00",
            }
        ],
    )
    got = shifts(schedule, _utc(2026, 10, 26, 14), _utc(2026, 11, 9, 15))
    assert [(s.person, s.start, s.end) for s in got] == [
        ("alice", _utc(2026, 10, 26, 14), _utc(2026, 11, 2, 15)),  # 10:00 EDT → 10:00 EST
        ("bob", _utc(2026, 11, 2, 15), _utc(2026, 11, 9, 15)),
    ]
    assert who(schedule, _utc(2026, 11, 2, 14, 59)) == ("alice", "weekly")
    assert who(schedule, _utc(2026, 11, 2, 15, 0)) == ("bob", "weekly")


def test_hourly_turns_count_elapsed_time_across_the_change() -> None:
    schedule = _schedule(
        timezone="America/New_York",
        layers=[
            {
                "name": "halves",
                "members": ["alice", "bob"],
                "turn": "12h",
                "handoff": "2026-10-31T08:00",
            }
        ],
    )
    got = shifts(schedule, _utc(2026, 10, 31, 12), _utc(2026, 11, 2, 0))
    assert [s.end - s.start for s in got] == [timedelta(hours=12)] * 3
    assert [s.person for s in got] == ["alice", "bob", "alice"]


def test_layers_restrictions_and_overrides() -> None:
    schedule = _schedule(
        timezone="Europe/London",
        layers=[
            {
                "name": "base",
                "members": ["alice", "bob"],
                "turn": "1w",
                "handoff": "2026-11-02T09:00",
            },
            {
                "name": "nights",
                "members": ["carol"],
                "turn": "1w",
                "handoff": "2026-11-02T09:00",
                "restrictions": [
                    {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "22:00", "end": "06:00"}
                ],
            },
        ],
        overrides=[{"person": "bob", "start": "2026-11-04T12:00", "end": "2026-11-04T18:00"}],
    )
    assert who(schedule, _utc(2026, 11, 3, 12)) == ("alice", "base")
    assert who(schedule, _utc(2026, 11, 3, 23)) == ("carol", "nights")
    assert who(schedule, _utc(2026, 11, 4, 5, 59)) == ("carol", "nights")  # Tuesday night
    assert who(schedule, _utc(2026, 11, 4, 6)) == ("alice", "base")
    assert who(schedule, _utc(2026, 11, 4, 13)) == ("bob", None)  # the override
    assert who(schedule, _utc(2026, 11, 7, 23)) == ("alice", "base")  # Saturday: no nights
    day = shifts(schedule, _utc(2026, 11, 4, 0), _utc(2026, 11, 5, 0))
    assert [(s.person, s.start.hour, s.end.hour) for s in day] == [
        ("carol", 0, 6),
        ("alice", 6, 12),
        ("bob", 12, 18),
        ("alice", 18, 22),
        ("carol", 22, 0),
    ]


def test_service_validates_spans_and_names() -> None:
    playbook = default_playbook()
    start = _utc(2026, 11, 2, 9)
    with pytest.raises(NotFound, match="no schedule 'nope'; schedules: primary"):
        oncall.on_call(playbook, at=start, schedule="nope")
    with pytest.raises(InvalidInput, match="ends before it starts"):
        oncall.schedule_shifts(playbook, schedule="primary", start=start, end=start)
    with pytest.raises(InvalidInput, match="at most 366 days"):
        oncall.schedule_shifts(
            playbook, schedule="primary", start=start, end=start + timedelta(days=400)
        )
    with pytest.raises(InvalidInput, match="UTC offset"):
        oncall.on_call(playbook, at=datetime(2026, 11, 2, 9))
    with pytest.raises(NotFound, match="mallory"):
        oncall.schedule_shifts(
            playbook,
            schedule="primary",
            start=start,
            end=start + timedelta(days=1),
            person="mallory",
        )
    [now] = oncall.on_call(playbook, at=start)
    assert (now.schedule, now.person) == ("primary", "alice")


def test_ics_feed_parses_with_icalendar() -> None:
    playbook = default_playbook()
    start = _utc(2026, 10, 19, 8)
    got = oncall.schedule_shifts(
        playbook, schedule="primary", start=start, end=start + timedelta(weeks=3)
    )
    text = calendar(name="primary on-call", shifts=got, schedule="primary", now=start)
    parsed = icalendar.Calendar.from_ical(text)
    events = list(parsed.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == [
        "On call: @alice (primary)",
        "On call: @bob (primary)",
        "On call: @alice (primary)",
    ]
    # Monday 09:00 London: 08:00 UTC before the clocks go back on Oct 25 (BST), 09:00 after.
    assert events[0].decoded("DTSTART") == _utc(2026, 10, 19, 8)
    assert events[0].decoded("DTEND") == _utc(2026, 10, 26, 9)
    assert events[1].decoded("DTEND") == _utc(2026, 11, 2, 9)
    assert len({str(e["UID"]) for e in events}) == 3
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_the_default_playbook_is_a_valid_schedule_source(playbook: Playbook) -> None:
    assert oncall.person_on_call(playbook, schedule="primary", at=_utc(2026, 11, 9, 9)) == "bob"
