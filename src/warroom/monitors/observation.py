"""What a probe saw: the facts conditions are tested against, free of any judgement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BODY_LIMIT = 1_048_576
"""Bytes of a body a probe keeps; the rest is read and dropped so a huge body cannot hurt."""


@dataclass(frozen=True)
class Sample:
    """One sample of a Prometheus exposition."""

    name: str
    labels: dict[str, str]
    value: float


@dataclass
class Observation:
    """The outcome of one probe: what was reached, how fast, and what came back."""

    connected: bool
    response_time_ms: float | None = None
    status: int | None = None
    body: bytes | None = None
    body_truncated: bool = False
    cert_expiry_s: float | None = None
    reply: str | None = None
    samples: list[Sample] | None = None
    data: Any = None
    """Structured data for [BODY] when the probe has no raw body (SQL rows)."""
    error: str | None = None
    """Why the probe could not complete (unreachable, timeout, TLS, malformed exposition)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Phase timings in milliseconds (dns, connect, tls, first_byte, total) when known."""

    def body_text(self) -> str:
        """The body as text (undecodable bytes replaced), or ``data`` rendered, or ""."""
        if self.body is not None:
            return self.body.decode("utf-8", errors="replace")
        return "" if self.data is None else str(self.data)
