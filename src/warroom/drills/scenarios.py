"""The drill catalogue: the seed's four scenarios, plus the playbook's ``drills:`` section."""

from __future__ import annotations

from dataclasses import dataclass

from warroom.errors import InvalidInput
from warroom.playbook import Playbook


@dataclass(frozen=True)
class Scenario:
    """What a drill switches on in the target, and the severity the seed expects."""

    name: str
    description: str
    faults: tuple[str, ...]
    severity: str | None = None
    rate: float | None = None
    latency: str | None = None
    built_in: bool = True

    def fault_bodies(self, duration: str | None) -> list[dict[str, object]]:
        """The ``POST /__faults`` bodies that switch this scenario's faults on."""
        bodies: list[dict[str, object]] = []
        for fault in self.faults:
            body: dict[str, object] = {"fault": fault, "on": True}
            if duration:
                body["duration"] = duration  # a safety net: the target clears it by itself
            if self.rate is not None and fault in ("error-rate", "bad-release"):
                body["rate"] = self.rate
            if self.latency is not None and fault == "slow":
                body["latency"] = self.latency
            bodies.append(body)
        return bodies


BUILT_IN: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("outage", "Complete outage: every route answers 503", ("down",), "P0"),
        Scenario(
            "database",
            "Database connection errors: db status fails, the pool is exhausted",
            ("db-errors",),
            "P1",
        ),
        Scenario(
            "error-rate",
            "High error rate: a share of requests answer 500",
            ("error-rate",),
            "P2",
            rate=0.3,
        ),
        Scenario(
            "performance",
            "Performance degradation: slow responses and a stale cache",
            ("slow", "cache-stale"),
            "P2",
            latency="1500ms",
        ),
    )
}


def catalogue(playbook: Playbook) -> dict[str, Scenario]:
    """Every scenario by name: the built-in four, then the playbook's own."""
    found = dict(BUILT_IN)
    for d in playbook.drills:
        found[d.name] = Scenario(
            d.name, d.description, d.faults, d.severity, d.rate, d.latency, built_in=False
        )
    return found


def scenario(playbook: Playbook, name: str) -> Scenario:
    """The named scenario, or a ValidationFailed listing the known ones."""
    known = catalogue(playbook)
    try:
        return known[name]
    except KeyError:
        raise InvalidInput(
            f'unknown drill scenario "{name}"; known: {", ".join(known)}',
            field="scenario",
        ) from None
