"""An alert event as every intake hands it to the service, already in warroom's terms."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from warroom.alerts.models import DEDUP_KEY_MAX, SOURCE_SEVERITIES, SUMMARY_MAX
from warroom.errors import InvalidInput

Action = Literal["trigger", "acknowledge", "resolve"]
ACTIONS: tuple[Action, ...] = ("trigger", "acknowledge", "resolve")
LABEL_MAX = 64
LABEL_VALUE_MAX = 1024


@dataclass(frozen=True)
class AlertEvent:
    """One trigger, acknowledge or resolve for the alert ``dedup_key`` of a scope."""

    source: str
    dedup_key: str
    action: Action
    summary: str = ""
    severity: str = "error"
    service: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    integration_id: int | None = None
    group_key: str | None = None

    # Derived once, when the event is made: intake reads both several times per event.
    scope: str = field(init=False, repr=False, compare=False)
    """The space a dedup key is unique in: the integration, else the source."""
    fingerprint: str = field(init=False, repr=False, compare=False)
    """A stable identity of the alert across repeats: its scope and dedup key, hashed."""

    def __post_init__(self) -> None:
        scope = self.source if self.integration_id is None else f"integration:{self.integration_id}"
        digest = hashlib.sha256(f"{scope}\0{self.dedup_key}".encode()).hexdigest()[:32]
        object.__setattr__(self, "scope", scope)
        object.__setattr__(self, "fingerprint", digest)

    def validate(self) -> None:
        """Raise InvalidInput naming the first field that is wrong."""
        if self.action not in ACTIONS:
            raise InvalidInput(
                f"unknown action {self.action!r}; expected trigger, acknowledge or resolve",
                field="action",
            )
        if not self.source or len(self.source) > 40:
            raise InvalidInput("source must be 1-40 characters", field="source")
        if not self.dedup_key or len(self.dedup_key) > DEDUP_KEY_MAX:
            raise InvalidInput(f"dedup_key must be 1-{DEDUP_KEY_MAX} characters", field="dedup_key")
        if self.severity not in SOURCE_SEVERITIES:
            raise InvalidInput(
                f"unknown severity {self.severity!r}; expected one of "
                f"{', '.join(SOURCE_SEVERITIES)}",
                field="severity",
            )
        if len(self.summary) > SUMMARY_MAX:
            raise InvalidInput(
                f"summary is {len(self.summary)} characters; at most {SUMMARY_MAX}",
                field="summary",
            )
        if self.action == "trigger" and not self.summary.strip():
            raise InvalidInput("a trigger needs a summary", field="summary")
        for name, value in self.labels.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise InvalidInput("labels must map strings to strings", field="labels")
            if len(name) > LABEL_MAX or len(value) > LABEL_VALUE_MAX:
                raise InvalidInput(f"label {name[:LABEL_MAX]!r} is too long", field="labels")
        if self.group_key is not None and len(self.group_key) > 255:
            raise InvalidInput("group_key is longer than 255 characters", field="group_key")
        # PostgreSQL's text cannot hold NUL: refused here as bad input, on every database.
        for name, value in (
            ("summary", self.summary),
            ("source", self.source),
            ("dedup_key", self.dedup_key),
            ("service", self.service or ""),
            ("group_key", self.group_key or ""),
        ):
            if "\x00" in value:
                raise InvalidInput(f"{name} contains a NUL character", field=name)
        if any("\x00" in name or "\x00" in value for name, value in self.labels.items()):
            raise InvalidInput("a label contains a NUL character", field="labels")
