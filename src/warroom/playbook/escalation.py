"""The playbook's ``escalation_policies`` section: who is paged, level by level, per severity.

A policy is an ordered list of levels; each level pages its targets (people, a schedule's
current on-call, a team, or all hands) and waits ``delay`` for an acknowledgement before the
next level (the severity's response time when unset). After the last level the policy starts
again ``repeat`` more times. ``severities`` says which severities use the policy. This module
must not import ``schema``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from warroom.errors import Problem
from warroom.playbook.durations import Duration
from warroom.playbook.oncall import non_empty

HANDLE = r"^[a-z0-9][a-z0-9._-]{0,39}$"
SLUG = r"^[a-z0-9][a-z0-9_-]*$"
SEVERITY_KEY = r"^P[0-9]$"

LineOf = Callable[[str, int | None], int | None]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Target(_Model):
    """Who a level pages: exactly one of person, schedule, team or all_hands."""

    person: Annotated[str, StringConstraints(pattern=HANDLE)] | None = None
    """A person's handle."""
    schedule: Annotated[str, StringConstraints(pattern=SLUG)] | None = None
    """A schedule's name: whoever is on call on it at the time of the page."""
    team: Annotated[str, StringConstraints(pattern=SLUG)] | None = None
    """A team's name: every member."""
    all_hands: bool = False
    """true: everyone in ``people``."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        chosen = [self.person, self.schedule, self.team, True if self.all_hands else None]
        if sum(value is not None for value in chosen) != 1:
            raise ValueError("a target names exactly one of person, schedule, team or all_hands")
        return self

    def describe(self) -> str:
        """The target in words, for the timeline."""
        if self.person:
            return f"@{self.person}"
        if self.schedule:
            return f"on-call of {self.schedule}"
        if self.team:
            return f"team {self.team}"
        return "all hands"


class Level(_Model):
    """One escalation level."""

    targets: Annotated[tuple[Target, ...], AfterValidator(non_empty)]
    """Who is paged at this level."""
    delay: Duration | None = None
    """Wait this long for an acknowledgement before the next level; the severity's response
    time (the acknowledgement timeout) when unset. Must be positive."""


class EscalationPolicy(_Model):
    """An escalation policy."""

    description: str = ""
    """The policy in words (the seed's escalation column, e.g. "Immediate - All hands")."""
    severities: tuple[Annotated[str, StringConstraints(pattern=SEVERITY_KEY)], ...] = ()
    """Severity keys whose incidents and tickets follow this policy."""
    levels: Annotated[tuple[Level, ...], AfterValidator(non_empty)]
    """Levels in order."""
    repeat: Annotated[int, Field(ge=0, le=10)] = 0
    """How many more times to run every level once the last one had no acknowledgement."""


def _items(value: object) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if isinstance(item, Mapping):
                yield i, item


def _names(data: Mapping[str, Any], section: str, field: str) -> set[str]:
    return {i[field] for _n, i in _items(data.get(section)) if isinstance(i.get(field), str)}


def escalation_problems(data: Mapping[str, Any], line_of: LineOf) -> list[Problem]:
    """Targets name known people, schedules and teams; severities exist and have one policy."""
    problems: list[Problem] = []

    def add(path: str, message: str) -> None:
        problems.append(Problem(path, message, line_of(path, None)))

    policies = data.get("escalation_policies")
    if not isinstance(policies, Mapping):
        return problems
    known = {
        "person": (_names(data, "people", "handle"), "people"),
        "schedule": (_names(data, "schedules", "name"), "schedules"),
        "team": (_names(data, "teams", "name"), "teams"),
    }
    severities = data.get("severities")
    severity_keys = {str(k) for k in severities} if isinstance(severities, Mapping) else None
    policy_of: dict[str, str] = {}
    for name, policy in policies.items():
        if not isinstance(policy, Mapping):
            continue
        base = f"escalation_policies.{name}"
        for i, level in _items(policy.get("levels")):
            for j, target in _items(level.get("targets")):
                for field, (names, plural) in known.items():
                    value = target.get(field)
                    if isinstance(value, str) and value not in names:
                        listed = ", ".join(sorted(names)) or "none are defined"
                        add(
                            f"{base}.levels[{i}].targets[{j}].{field}",
                            f'unknown {field} "{value}"; {plural}: {listed}',
                        )
        keys = policy.get("severities")
        for i, key in enumerate(keys if isinstance(keys, list | tuple) else []):
            if not isinstance(key, str):
                continue
            if severity_keys is not None and key not in severity_keys:
                listed = ", ".join(sorted(severity_keys))
                add(f"{base}.severities[{i}]", f'unknown severity "{key}"; severities: {listed}')
            elif key in policy_of:
                add(
                    f"{base}.severities[{i}]",
                    f'{key} already follows the policy "{policy_of[key]}"; a severity has one',
                )
            else:
                policy_of[key] = str(name)
    return problems
