"""The anti-flap state machine, step by step."""

from __future__ import annotations

from warroom.monitors.state import Step, advance


def _run(results: list[tuple[bool, bool]], n: int = 3, m: int = 2) -> list[Step]:
    steps: list[Step] = []
    state, failures, successes, alert_open = "unknown", 0, 0, False
    for ok, degraded in results:
        step = advance(
            state=state,
            failures=failures,
            successes=successes,
            alert_open=alert_open,
            ok=ok,
            degraded=degraded,
            failures_to_alert=n,
            successes_to_resolve=m,
        )
        steps.append(step)
        state, failures, successes, alert_open = (
            step.state,
            step.failures,
            step.successes,
            step.alert_open,
        )
    return steps


def test_flapping_never_alerts() -> None:
    steps = _run([(False, False), (True, False)] * 5)
    assert all(s.alert is None for s in steps)
    assert {s.state for s in steps} == {"up"}


def test_trigger_on_third_failure_resolve_on_second_success() -> None:
    steps = _run([(False, False)] * 4 + [(True, False)] * 2)
    assert [s.alert for s in steps] == [None, None, "trigger", None, None, "resolve"]
    assert [s.state for s in steps] == ["up", "up", "down", "down", "down", "up"]


def test_a_failure_while_recovering_restarts_the_count() -> None:
    steps = _run(
        [(False, False)] * 3 + [(True, False), (False, False), (True, False), (True, False)]
    )
    assert [s.alert for s in steps][3:] == [None, None, None, "resolve"]


def test_degraded_is_a_state_not_an_alert() -> None:
    steps = _run([(True, True), (True, False)], n=1, m=1)
    assert [s.state for s in steps] == ["degraded", "up"]
    assert all(s.alert is None for s in steps)


def test_thresholds_of_one() -> None:
    steps = _run([(False, False), (True, False)], n=1, m=1)
    assert [s.alert for s in steps] == ["trigger", "resolve"]
