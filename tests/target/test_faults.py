"""The fault switchboard on its own: settings, refusals and expiry by the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.clock import FrozenClock
from warroom.target.faults import (
    FAULTS,
    FaultBoard,
    FaultInputError,
    parse_fault_duration,
    parse_latency,
    parse_rate,
)


def test_the_faults_of_the_issue_are_all_known() -> None:
    assert list(FAULTS) == [
        "down",
        "db-errors",
        "error-rate",
        "slow",
        "cache-stale",
        "ws-down",
        "bad-release",
    ]


def test_a_fault_takes_default_settings_and_clears_itself_when_its_time_is_up(
    clock: FrozenClock,
) -> None:
    board = FaultBoard(clock)
    fault = board.switch_on("error-rate", duration=timedelta(minutes=10))
    assert fault.rate == 0.3
    assert fault.until == clock.now() + timedelta(minutes=10)
    clock.advance(timedelta(minutes=9, seconds=59))
    assert board.is_on("error-rate")
    clock.advance(timedelta(seconds=1))
    assert not board.is_on("error-rate")
    assert board.active() == []


def test_switching_on_again_replaces_the_settings(clock: FrozenClock) -> None:
    board = FaultBoard(clock)
    board.switch_on("slow", duration=timedelta(minutes=1))
    board.switch_on("slow", latency=0.05)
    fault = board.get("slow")
    assert fault is not None
    assert fault.latency == 0.05
    assert fault.until is None


def test_switching_off_says_whether_it_was_on(clock: FrozenClock) -> None:
    board = FaultBoard(clock)
    assert board.switch_off("down") is False
    board.switch_on("down")
    assert board.switch_off("down") is True


def test_settings_a_fault_does_not_take_are_refused(clock: FrozenClock) -> None:
    board = FaultBoard(clock)
    with pytest.raises(FaultInputError, match="down takes no rate"):
        board.switch_on("down", rate=0.5)
    with pytest.raises(FaultInputError, match="error-rate takes no latency"):
        board.switch_on("error-rate", latency=1.0)
    assert board.active() == []


def test_an_unknown_fault_lists_the_known_ones(clock: FrozenClock) -> None:
    with pytest.raises(FaultInputError) as caught:
        FaultBoard(clock).switch_on("meteor")
    assert "known faults: down, db-errors" in caught.value.message
    assert caught.value.details["faults"] == list(FAULTS)


@pytest.mark.parametrize(
    ("text", "seconds"), [("800ms", 0.8), ("1.5s", 1.5), ("250", 0.25), (40, 0.04), ("60s", 60)]
)
def test_latencies_read_in_milliseconds_or_seconds(text: str | int, seconds: float) -> None:
    assert parse_latency(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "fast", "0ms", "-5ms", "61s", "10m", True])
def test_bad_latencies_are_refused(text: object) -> None:
    with pytest.raises(FaultInputError, match="latency like"):
        parse_latency(text)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, -0.1, 1.5, "0.3", True, None])
def test_bad_rates_are_refused(value: object) -> None:
    with pytest.raises(FaultInputError, match="rate above 0 and at most 1"):
        parse_rate(value)


def test_durations_use_the_playbook_format() -> None:
    assert parse_fault_duration("1h30m") == timedelta(minutes=90)
    assert parse_fault_duration(90) == timedelta(seconds=90)
    for bad in ("soon", "0s", "-1m", 1.5, True):
        with pytest.raises(FaultInputError, match="duration"):
            parse_fault_duration(bad)
