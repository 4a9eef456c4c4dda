"""A one-off check's outcome: what was checked, whether it passed, a line, and the numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CheckKind = Literal["http", "metrics", "ws", "sql", "load"]
CHECK_KINDS: tuple[str, ...] = ("http", "metrics", "ws", "sql", "load")


@dataclass
class CheckReport:
    """What `warroom check ...` prints, and what --incident attaches to the timeline."""

    kind: CheckKind
    target: str
    ok: bool
    summary: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the API's request body for /checks)."""
        return {
            "kind": self.kind,
            "target": self.target,
            "ok": self.ok,
            "summary": self.summary,
            "data": self.data,
        }
