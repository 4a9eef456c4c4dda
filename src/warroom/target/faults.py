"""The fault switchboard: which faults exist, which are on, with what settings, until when.

A fault is switched on with optional settings (a share of failing requests, an added latency)
and an optional duration after which it clears itself. Expiry is read from an injected clock,
so a fault is off the first time anyone looks after its time is up.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from warroom.clock import Clock
from warroom.playbook import parse_duration


@dataclass(frozen=True)
class FaultKind:
    """One fault the target can simulate, and which settings it takes."""

    name: str
    description: str
    takes_rate: bool = False
    takes_latency: bool = False
    default_rate: float = 0.0
    default_latency: float = 0.0


FAULTS: dict[str, FaultKind] = {
    kind.name: kind
    for kind in (
        FaultKind("down", "every route answers 503 (except the fault switch)"),
        FaultKind("db-errors", "database status fails, the pool is exhausted, data routes 500"),
        FaultKind(
            "error-rate", "a share of data requests answer 500", takes_rate=True, default_rate=0.3
        ),
        FaultKind("slow", "every request is delayed", takes_latency=True, default_latency=0.8),
        FaultKind("cache-stale", "the cache misses until it is warmed or cleared"),
        FaultKind("ws-down", "WebSocket connections are refused"),
        FaultKind(
            "bad-release",
            "a bad release: a share of data requests 500 until rolled back",
            takes_rate=True,
            default_rate=0.5,
        ),
    )
}

MAX_LATENCY_SECONDS = 60.0
_LATENCY = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s)$")


class FaultInputError(ValueError):
    """A fault switch request that cannot be applied; ``field`` says which part was wrong."""

    def __init__(self, field: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.details: dict[str, Any] = {"field": field, **(details or {})}


def fault_kind(name: str) -> FaultKind:
    """The fault called ``name``, or a FaultInputError listing the known ones."""
    kind = FAULTS.get(name.strip().lower()) if isinstance(name, str) else None
    if kind is None:
        known = ", ".join(FAULTS)
        raise FaultInputError(
            "fault", f"unknown fault {name!r}; known faults: {known}", {"faults": list(FAULTS)}
        )
    return kind


def parse_latency(text: str | int | float) -> float:
    """Read "800ms", "1.5s" or a plain number of milliseconds as seconds (0 < x <= 60s)."""
    seconds: float | None = None
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text) / 1000
    elif isinstance(text, str):
        stripped = text.strip()
        match = _LATENCY.match(stripped)
        if match:
            value = float(match.group(1))
            seconds = value / 1000 if match.group(2) == "ms" else value
        elif re.fullmatch(r"\d+(?:\.\d+)?", stripped):
            seconds = float(stripped) / 1000
    if seconds is None or not 0 < seconds <= MAX_LATENCY_SECONDS:
        raise FaultInputError(
            "latency",
            f'expected a latency like "800ms" or "1.5s" (at most 60s), got {text!r}',
        )
    return seconds


def parse_rate(value: object) -> float:
    """A share of requests: a number above 0 and at most 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise FaultInputError("rate", f"expected a rate above 0 and at most 1, got {value!r}")
    return float(value)


def parse_fault_duration(value: object) -> timedelta:
    """How long a fault stays on: "10m", "90s", "1h" (the playbook's duration format)."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise FaultInputError("duration", f'expected a duration like "10m", got {value!r}')
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise FaultInputError("duration", str(exc)) from None


@dataclass(frozen=True)
class ActiveFault:
    """A fault that is on: since when, until when (if it clears itself), and its settings."""

    kind: FaultKind
    since: datetime
    until: datetime | None
    rate: float
    latency: float

    def as_json(self) -> dict[str, Any]:
        """What GET /__faults shows for a fault that is on."""
        return {
            "name": self.kind.name,
            "on": True,
            "description": self.kind.description,
            "since": self.since.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "rate": self.rate if self.kind.takes_rate else None,
            "latency_ms": round(self.latency * 1000) if self.kind.takes_latency else None,
        }


class FaultBoard:
    """Which faults are on; safe to share between the server loop and other threads."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._active: dict[str, ActiveFault] = {}
        self._lock = threading.Lock()

    def switch_on(
        self,
        name: str,
        *,
        duration: timedelta | None = None,
        rate: float | None = None,
        latency: float | None = None,
    ) -> ActiveFault:
        """Turn a fault on (or change its settings); settings it does not take are refused."""
        kind = fault_kind(name)
        if rate is not None and not kind.takes_rate:
            takers = ", ".join(k.name for k in FAULTS.values() if k.takes_rate)
            raise FaultInputError("rate", f"{kind.name} takes no rate (only {takers} do)")
        if latency is not None and not kind.takes_latency:
            raise FaultInputError("latency", f"{kind.name} takes no latency (only slow does)")
        now = self.clock.now()
        fault = ActiveFault(
            kind=kind,
            since=now,
            until=now + duration if duration is not None else None,
            rate=rate if rate is not None else kind.default_rate,
            latency=latency if latency is not None else kind.default_latency,
        )
        with self._lock:
            self._active[kind.name] = fault
        return fault

    def switch_off(self, name: str) -> bool:
        """Turn a fault off; whether it was on."""
        kind = fault_kind(name)
        with self._lock:
            self._expire()
            return self._active.pop(kind.name, None) is not None

    def get(self, name: str) -> ActiveFault | None:
        """The fault if it is on now (an expired fault is switched off here)."""
        with self._lock:
            self._expire()
            return self._active.get(name)

    def is_on(self, name: str) -> bool:
        """Whether the fault is on now."""
        return self.get(name) is not None

    def active(self) -> list[ActiveFault]:
        """The faults that are on now, in the order of FAULTS."""
        with self._lock:
            self._expire()
            return [self._active[name] for name in FAULTS if name in self._active]

    def as_json(self) -> dict[str, Any]:
        """Every known fault, on or off, for GET /__faults."""
        on = {fault.kind.name: fault for fault in self.active()}
        return {
            "faults": [
                on[kind.name].as_json()
                if kind.name in on
                else {"name": kind.name, "on": False, "description": kind.description}
                for kind in FAULTS.values()
            ]
        }

    def _expire(self) -> None:
        now = self.clock.now()
        for name in [n for n, f in self._active.items() if f.until is not None and f.until <= now]:
            del self._active[name]
