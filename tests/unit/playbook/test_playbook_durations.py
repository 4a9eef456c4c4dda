from datetime import timedelta

import pytest
from pydantic import BaseModel

from warroom.playbook import format_duration, parse_duration
from warroom.playbook.durations import Duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("24h", timedelta(hours=24)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        (" 15m ", timedelta(minutes=15)),
        (900, timedelta(minutes=15)),
        ("900", timedelta(minutes=15)),
        (60.0, timedelta(minutes=1)),
    ],
)
def test_parse_accepts_compact_forms_and_seconds(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["fast", "", "0", "0m", 0, -5, "-5m", "15 m", "m", "30m1h", "1.5h", 1.5, "15M", True]
)
def test_parse_rejects_everything_else(text):
    with pytest.raises(ValueError, match=r'expected a duration like "15m", got "'):
        parse_duration(text)


def test_parse_error_message_is_exact():
    with pytest.raises(ValueError, match="fast") as info:
        parse_duration("fast")
    assert str(info.value) == 'expected a duration like "15m", got "fast"'


@pytest.mark.parametrize(
    ("td", "text"),
    [
        (timedelta(minutes=15), "15m"),
        (timedelta(hours=2), "2h"),
        (timedelta(hours=24), "24h"),
        (timedelta(hours=48), "48h"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(seconds=90), "1m30s"),
        (timedelta(days=7), "1w"),
        (timedelta(days=14), "2w"),
        (timedelta(days=10), "10d"),
        (timedelta(days=3), "72h"),
        (timedelta(days=10, hours=2), "242h"),
        (timedelta(0), "0s"),
        (timedelta(minutes=-5), "-5m"),
        (timedelta(seconds=61, microseconds=500), "1m1s"),
    ],
)
def test_format_is_compact(td, text):
    assert format_duration(td) == text


@pytest.mark.parametrize("seconds", [1, 59, 60, 61, 3599, 3600, 5400, 86400, 172800, 604800, 10**7])
def test_round_trip(seconds):
    td = timedelta(seconds=seconds)
    assert parse_duration(format_duration(td)) == td


class _Model(BaseModel):
    d: Duration


def test_duration_type_reads_and_serializes_compact_form():
    model = _Model(d="1h30m")
    assert model.d == timedelta(minutes=90)
    assert model.model_dump() == {"d": "1h30m"}
    assert model.model_dump_json() == '{"d":"1h30m"}'
    assert _Model(d=timedelta(hours=2)).d == timedelta(hours=2)


def test_duration_type_rejects_non_positive_timedelta():
    with pytest.raises(ValueError, match="expected a duration"):
        _Model(d=timedelta(0))
