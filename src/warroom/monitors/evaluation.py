"""Testing parsed conditions against an Observation; every failure says why in words."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from warroom.monitors.conditions import Condition, Field, Selector, Value, parse
from warroom.monitors.observation import Observation

DEFAULT_CONDITIONS: dict[str, tuple[str, ...]] = {
    "http": ("[STATUS] < 400",),
    "metrics": ("[STATUS] < 400",),
    "websocket": ("[CONNECTED] == true",),
    "tcp": ("[CONNECTED] == true",),
    "sql": ("[CONNECTED] == true",),
    "heartbeat": (),
}
"""What a monitor checks when its playbook entry lists no conditions."""

PreviousValues = dict[str, list[float]]
"""Selector key → [value, unix time] from the previous scrape, for rates."""


class _Missing(Exception):
    """A value the condition needs is not there; the message says which."""


@dataclass(frozen=True)
class ConditionResult:
    """One condition's outcome: True, False, or None while a rate waits for a second scrape."""

    condition: str
    ok: bool | None
    actual: Any = None
    reason: str = ""


@dataclass
class Evaluation:
    """Whether every condition held, each condition's result, and values to remember."""

    ok: bool
    results: list[ConditionResult]
    error: str | None = None
    metric_values: PreviousValues = field(default_factory=dict)

    def reason(self) -> str | None:
        """The first reason this evaluation failed, in words; None when it passed."""
        if self.ok:
            return None
        if self.error:
            return self.error
        failed = next((r for r in self.results if r.ok is False), None)
        return failed.reason if failed else "failed"


def _json(obs: Observation) -> Any:
    if obs.data is not None:
        return obs.data
    if obs.body is None:
        raise _Missing("there is no body")
    if obs.body_truncated:
        raise _Missing("the body is too large to read as JSON")
    try:
        return json.loads(obs.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Missing(f"the body is not JSON ({exc})") from None


def _walk(value: Any, path: tuple[str | int, ...]) -> Any:
    walked = "[BODY]"
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                raise _Missing(f"{walked} has no item [{part}]")
            value = value[part]
            walked += f"[{part}]"
        else:
            if not isinstance(value, dict) or part not in value:
                raise _Missing(f"{walked} has no field {part!r}")
            value = value[part]
            walked += f".{part}"
    return value


def _field_value(f: Field, obs: Observation) -> Any:
    if f.name == "STATUS":
        value: Any = obs.status
    elif f.name == "RESPONSE_TIME":
        value = obs.response_time_ms
    elif f.name == "CERT_EXPIRY":
        value = obs.cert_expiry_s
        if value is None:
            raise _Missing("no TLS certificate was seen (is the URL https?)")
    elif f.name == "CONNECTED":
        value = obs.connected
    elif f.name == "REPLY":
        value = obs.reply
    elif f.path:
        value = _walk(_json(obs), f.path)
    elif f.length:
        value = _json_or_text(obs)
    else:
        value = obs.body_text()
    if value is None and f.name != "BODY":
        raise _Missing(f"[{f.name}] is unknown for this probe")
    if f.length:
        if not isinstance(value, list | dict | str):
            raise _Missing(f"len() needs a list, object or text, got {_show(value)}")
        return len(value)
    return value


def _json_or_text(obs: Observation) -> Any:
    try:
        return _json(obs)
    except _Missing:
        return obs.body_text()


def _sum(sel: Selector, obs: Observation) -> float:
    if obs.samples is None:
        raise _Missing("no metrics were scraped")
    values = [
        s.value
        for s in obs.samples
        if s.name == sel.metric and all(m.matches(s.labels) for m in sel.matchers)
    ]
    if not values:
        raise _Missing(f"no sample matches {sel.key}")
    return sum(values)


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return json.dumps(value[:80] + ("…" if len(value) > 80 else ""))
    return json.dumps(value)[:80] if not isinstance(value, float) else f"{value:g}"


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare(actual: Any, op: str, expected: Value) -> bool | str:
    """True/False, or text saying why the two cannot be compared."""
    if op == "~=":
        text = actual if isinstance(actual, str) else json.dumps(actual)
        return re.search(str(expected), text) is not None
    if isinstance(expected, float):
        number = _number(actual)
        if number is None:
            return f"{_show(actual)} is not a number"
        ops = {
            "==": number == expected,
            "!=": number != expected,
            "<": number < expected,
            "<=": number <= expected,
            ">": number > expected,
            ">=": number >= expected,
        }
        return ops[op]
    if isinstance(expected, str) and not isinstance(actual, str | type(None)):
        actual = json.dumps(actual)
    equal = actual == expected
    return equal if op == "==" else not equal


def _check(
    cond: Condition, obs: Observation, previous: PreviousValues, now: float, seen: PreviousValues
) -> ConditionResult:
    try:
        if isinstance(cond.left, Selector):
            actual: Any = _sum(cond.left, obs)
            seen[cond.left.key] = [actual, now]
            if cond.left.rate:
                before = previous.get(cond.left.key)
                if before is None or now <= before[1]:
                    return ConditionResult(cond.text, None, None, "rate needs a second scrape")
                # A counter that went down was reset: count from zero.
                delta = actual - before[0] if actual >= before[0] else actual
                actual = delta / (now - before[1])
        else:
            actual = _field_value(cond.left, obs)
    except _Missing as exc:
        return ConditionResult(cond.text, False, None, f"{cond.text}: {exc}")
    outcome = _compare(actual, cond.op, cond.right)
    if isinstance(outcome, str):
        return ConditionResult(cond.text, False, actual, f"{cond.text}: {outcome}")
    reason = "" if outcome else f"{cond.text} (actual: {_show(actual)})"
    return ConditionResult(cond.text, outcome, actual, reason)


def evaluate(
    conditions: tuple[str, ...] | list[str],
    obs: Observation,
    *,
    previous: PreviousValues | None = None,
    now: float = 0.0,
) -> Evaluation:
    """Test every condition (all must hold); a probe error fails the evaluation with its reason."""
    seen: PreviousValues = {}
    results = [_check(parse(c), obs, previous or {}, now, seen) for c in conditions]
    if obs.error:
        return Evaluation(False, results, obs.error, seen)
    ok = all(r.ok is not False for r in results)
    return Evaluation(ok, results, None, seen)
