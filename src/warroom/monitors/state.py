"""The anti-flap state machine: N failures in a row open an alert, M successes resolve it.

A single failed check never pages and a single success never closes an outage: the monitor's
state moves to ``down`` only on the N-th consecutive failure and back on the M-th consecutive
success. ``degraded`` is a passing check slower than the monitor's threshold; it shows on the
state but never raises an alert by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

State = Literal["unknown", "up", "degraded", "down"]
AlertAction = Literal["trigger", "resolve"]


@dataclass(frozen=True)
class Step:
    """Where one result moves a monitor: new state, counters, and the alert to send if any."""

    state: State
    failures: int
    successes: int
    alert_open: bool
    alert: AlertAction | None = None


def advance(
    *,
    state: str,
    failures: int,
    successes: int,
    alert_open: bool,
    ok: bool,
    degraded: bool,
    failures_to_alert: int,
    successes_to_resolve: int,
) -> Step:
    """The step one result takes from the current counters (pure; no I/O)."""
    if not ok:
        failures, successes = failures + 1, 0
        if not alert_open and failures >= failures_to_alert:
            return Step("down", failures, successes, True, "trigger")
        # Until the threshold the monitor keeps its last settled state.
        kept: State = "down" if alert_open else ("up" if state == "unknown" else state)  # type: ignore[assignment]
        return Step(kept, failures, successes, alert_open)
    failures, successes = 0, successes + 1
    healthy: State = "degraded" if degraded else "up"
    if alert_open:
        if successes >= successes_to_resolve:
            return Step(healthy, failures, successes, False, "resolve")
        return Step("down", failures, successes, True)
    return Step(healthy, failures, successes, False)
