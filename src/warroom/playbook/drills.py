"""The playbook's ``drills:`` section: custom game-day scenarios beside the four built in."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DRILL_NAME = r"^[a-z0-9][a-z0-9_-]*$"


class DrillScenario(BaseModel):
    """One drill: which fault to switch on in the practice target, and what should follow."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: Annotated[str, StringConstraints(pattern=DRILL_NAME, max_length=40)]
    """The scenario's name, as given to `warroom drill run NAME`."""
    description: str = ""
    """What the drill rehearses."""
    faults: Annotated[tuple[str, ...], Field(min_length=1)]
    """Faults of the practice target switched on together (down, db-errors, error-rate, ...)."""
    rate: Annotated[float, Field(gt=0, le=1)] | None = None
    """Share of failing requests, for error-rate and bad-release."""
    latency: str | None = None
    """Added latency for slow, e.g. 800ms."""
    severity: str | None = None
    """The severity the drill expects warroom to declare (a key of severities)."""


def drill_problems(data: dict[str, object]) -> list[tuple[str, str]]:
    """Cross-checks: unique names, known faults, known severities; (path, message) pairs."""
    from warroom.drills.scenarios import BUILT_IN
    from warroom.target.faults import FAULTS

    found: list[tuple[str, str]] = []
    drills = data.get("drills") or []
    severities = data.get("severities") or {}
    seen: set[str] = set()
    for i, raw in enumerate(drills if isinstance(drills, list) else []):
        if not isinstance(raw, dict):
            continue
        name = raw.get("name")
        if name in seen or name in BUILT_IN:
            found.append((f"drills[{i}].name", f'drill "{name}" is defined twice'))
        seen.add(str(name))
        for j, fault in enumerate(raw.get("faults") or []):
            if fault not in FAULTS:
                known = ", ".join(FAULTS)
                found.append(
                    (f"drills[{i}].faults[{j}]", f'unknown fault "{fault}"; one of {known}')
                )
        severity = raw.get("severity")
        if severity is not None and isinstance(severities, dict) and severity not in severities:
            found.append((f"drills[{i}].severity", f'unknown severity "{severity}"'))
    return found
