"""The conditions language: parsed once, when the playbook loads, into small typed trees.

A condition is ``LEFT OP RIGHT``. LEFT is a placeholder (``[STATUS]``, ``[RESPONSE_TIME]``,
``[BODY]`` with an optional path like ``.data.items[0].id``, ``[CERT_EXPIRY]``, ``[CONNECTED]``,
``[REPLY]``), ``len(...)`` of one, or for metrics monitors a Prometheus-style selector
``name{label="v",code=~"5.."}`` optionally followed by ``rate`` (per second, between scrapes).
OP is one of ``== != < <= > >= ~=`` (``~=`` is a regular-expression search). RIGHT is a number,
a duration (``7d``, ``300ms``), a quoted string, ``true``/``false``/``null`` or, for ``[BODY]``
only, a bare word (``UP``). Anything else is a ``ConditionError`` naming what was wrong: a value
that does not parse is never silently read as 0.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

Op = Literal["==", "!=", "<", "<=", ">", ">=", "~="]
Placeholder = Literal["STATUS", "RESPONSE_TIME", "BODY", "CERT_EXPIRY", "CONNECTED", "REPLY"]
Value = float | str | bool | None

PLACEHOLDERS: dict[str, str] = {
    "STATUS": "the HTTP status code",
    "RESPONSE_TIME": "the response time in milliseconds",
    "BODY": "the response body (JSON paths with .field and [index])",
    "CERT_EXPIRY": "time until the TLS certificate expires",
    "CONNECTED": "whether the connection was made (true/false)",
    "REPLY": "the text a WebSocket target replied",
}
NUMERIC = frozenset({"STATUS", "RESPONSE_TIME", "CERT_EXPIRY"})
ORDERING: frozenset[str] = frozenset({"<", "<=", ">", ">="})

_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
_OP = re.compile(r"\s*(==|!=|<=|>=|~=|<|>)\s*")
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|\})')
_PATH_PART = re.compile(r'\.([A-Za-z0-9_-]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')
_BAREWORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class ConditionError(ValueError):
    """A condition that does not parse; the message says where and why."""


@dataclass(frozen=True)
class Field:
    """A placeholder, its JSON path (for [BODY]) and whether ``len()`` wraps it."""

    name: Placeholder
    path: tuple[str | int, ...] = ()
    length: bool = False


@dataclass(frozen=True)
class Matcher:
    """One label matcher of a metric selector."""

    label: str
    op: Literal["=", "!=", "=~", "!~"]
    value: str

    def matches(self, labels: dict[str, str]) -> bool:
        """Whether a sample's labels satisfy this matcher (missing labels read as "")."""
        actual = labels.get(self.label, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = re.fullmatch(self.value, actual) is not None
        return found if self.op == "=~" else not found


@dataclass(frozen=True)
class Selector:
    """A metric selector: the sum of the matching samples, or its per-second rate."""

    metric: str
    matchers: tuple[Matcher, ...] = ()
    rate: bool = False

    @property
    def key(self) -> str:
        """A stable text for the selector, used to remember values between scrapes."""
        inner = ",".join(f'{m.label}{m.op}"{m.value}"' for m in self.matchers)
        return f"{self.metric}{{{inner}}}"


@dataclass(frozen=True)
class Condition:
    """One parsed condition."""

    text: str
    left: Field | Selector
    op: Op
    right: Value
    unit: Literal["ms", "s", ""] = ""
    """For durations on the right: what the number was converted to."""


def _fail(text: str, why: str) -> ConditionError:
    return ConditionError(f'invalid condition "{text}": {why}')


def _unquote(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw)


def _parse_path(text: str, rest: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    pos = 0
    while pos < len(rest):
        match = _PATH_PART.match(rest, pos)
        if match is None:
            raise _fail(text, f'cannot read the body path at "{rest[pos:]}"; use .field or [0]')
        name, index, quoted = match.groups()
        parts.append(int(index) if index is not None else (name or _unquote(quoted)))
        pos = match.end()
    return tuple(parts)


def _parse_field(text: str, left: str) -> Field:
    length = False
    if left.startswith("len(") and left.endswith(")"):
        length, left = True, left[4:-1].strip()
    match = re.match(r"^\[([A-Z_]+)\]", left)
    if match is None:
        raise _fail(text, f'expected a placeholder like [STATUS], got "{left}"')
    name = match.group(1)
    if name not in PLACEHOLDERS:
        known = ", ".join(f"[{p}]" for p in PLACEHOLDERS)
        raise _fail(text, f"unknown placeholder [{name}]; known: {known}")
    path = _parse_path(text, left[match.end() :])
    if path and name != "BODY":
        raise _fail(text, f"only [BODY] takes a path, not [{name}]")
    if length and name not in ("BODY", "REPLY"):
        raise _fail(text, f"len() applies to [BODY] or [REPLY], not [{name}]")
    return Field(name, path, length)  # type: ignore[arg-type]


def _parse_selector(text: str, left: str) -> Selector:
    rate = False
    if left.endswith(" rate") or left == "rate":
        rate, left = True, left[: -len("rate")].strip()
    name = _METRIC_NAME.match(left)
    if name is None or not left:
        raise _fail(text, f'expected a placeholder like [STATUS] or a metric name, got "{left}"')
    matchers: list[Matcher] = []
    pos = name.end()
    if pos < len(left) and left[pos] == "{":
        pos += 1
        if left[pos : pos + 1] == "}":
            pos += 1
        while pos < len(left) and left[pos - 1] != "}":
            match = _MATCHER.match(left, pos)
            if match is None:
                raise _fail(text, f'cannot read the label matchers at "{left[pos:]}"')
            label, op, raw, _end = match.groups()
            value = _unquote(raw)
            if op in ("=~", "!~"):
                try:
                    re.compile(value)
                except re.error as exc:
                    raise _fail(text, f'bad regular expression "{value}": {exc}') from None
            matchers.append(Matcher(label, op, value))  # type: ignore[arg-type]
            pos = match.end()
    if left[pos:].strip():
        raise _fail(text, f'unexpected "{left[pos:].strip()}" after the metric selector')
    return Selector(name.group(0), tuple(matchers), rate)


def _literal(text: str, raw: str) -> tuple[Value, Literal["ms", "s", ""], bool]:
    """(value, duration unit, was it a bare word)."""
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return _unquote(raw[1:-1]), "", False
    if raw in ("true", "false"):
        return raw == "true", "", False
    if raw == "null":
        return None, "", False
    if _NUMBER.match(raw):
        return float(raw), "", False
    duration = _DURATION.match(raw)
    if duration:
        return float(duration.group(1)) * _DURATION_UNITS[duration.group(2)], "s", False
    if _BAREWORD.match(raw):
        return raw, "", True
    raise _fail(text, f'cannot read the value "{raw}"; use a number, a duration or "text"')


def _split(text: str) -> tuple[str, Op, str]:
    # The operator is the first one outside quotes, brackets and braces.
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif depth == 0:
            match = _OP.match(text, i)
            if match and match.group(1) and text[i] in "=!<>~":
                left, right = text[:i].strip(), text[match.end() :].strip()
                return left, match.group(1), right  # type: ignore[return-value]
    raise _fail(text, "expected an operator: == != < <= > >= or ~=")


def _check_types(text: str, cond: Condition, bare: bool) -> None:
    left, op, right = cond.left, cond.op, cond.right
    if op == "~=" and not isinstance(right, str):
        raise _fail(text, "~= needs a quoted regular expression on the right")
    if op == "~=":
        assert isinstance(right, str)
        try:
            re.compile(right)
        except re.error as exc:
            raise _fail(text, f'bad regular expression "{right}": {exc}') from None
    numeric = isinstance(left, Selector) or left.length or left.name in NUMERIC
    if numeric and (not isinstance(right, float) or bare):
        raise _fail(text, f"the right side must be a number, got {right!r}")
    if op in ORDERING and not isinstance(right, float):
        raise _fail(text, f"{op} compares numbers; got {right!r}")
    if isinstance(left, Field):
        if bare and left.name != "BODY":
            raise _fail(text, f'quote the text: "{right}"')
        if left.name == "CERT_EXPIRY" and cond.unit != "s":
            raise _fail(text, 'give [CERT_EXPIRY] a duration, e.g. "7d" or "48h"')
        if left.name == "CONNECTED" and not isinstance(right, bool):
            raise _fail(text, "[CONNECTED] compares with true or false")


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Condition:
    """Parse one condition; ConditionError says what is wrong with it."""
    text = text.strip()
    if not text:
        raise ConditionError("a condition must not be empty")
    left_text, op, right_text = _split(text)
    if not left_text:
        raise _fail(text, f"nothing on the left of {op}")
    if not right_text:
        raise _fail(text, f"nothing on the right of {op}")
    is_field = left_text.startswith("[") or left_text.startswith("len(")
    left: Field | Selector = (
        _parse_field(text, left_text) if is_field else _parse_selector(text, left_text)
    )
    right, unit, bare = _literal(text, right_text)
    if (
        unit == "s"
        and isinstance(left, Field)
        and left.name == "RESPONSE_TIME"
        and isinstance(right, float)
    ):
        right, unit = right * 1000.0, "ms"  # [RESPONSE_TIME] counts milliseconds
    cond = Condition(text, left, op, right, unit)
    _check_types(text, cond, bare)
    return cond


def kind_problem(cond: Condition, kind: str) -> str | None:
    """Why ``cond`` cannot apply to a monitor of ``kind``, or None if it can."""
    allowed = {
        "http": {"STATUS", "RESPONSE_TIME", "BODY", "CERT_EXPIRY", "CONNECTED"},
        "metrics": {"STATUS", "RESPONSE_TIME", "CONNECTED"},
        "websocket": {"RESPONSE_TIME", "CONNECTED", "REPLY"},
        "tcp": {"RESPONSE_TIME", "CONNECTED"},
        "sql": {"RESPONSE_TIME", "CONNECTED", "BODY"},
        "heartbeat": set(),
    }.get(kind, set())
    if isinstance(cond.left, Selector):
        return None if kind == "metrics" else "metric expressions only apply to metrics monitors"
    if cond.left.name not in allowed:
        usable = ", ".join(f"[{p}]" for p in sorted(allowed)) or "none"
        return f"[{cond.left.name}] does not apply to {kind} monitors (usable: {usable})"
    return None
