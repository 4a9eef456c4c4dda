"""The playbook's ``triage:`` section: rules that give each alert a severity, and grouping.

Rules are tried in order; the first whose conditions all hold sets the severity. An alert no
rule matches gets ``default_severity``. Conditions left out match everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from warroom.playbook.durations import Duration

SourceSeverity = Literal["critical", "error", "warning", "info"]
RULE_NAME = r"^[a-z0-9][a-z0-9_-]*$"


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


Pattern = Annotated[str, StringConstraints(min_length=1), AfterValidator(_compiles)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Match(_Model):
    """What an alert must look like for a rule to apply; every given condition must hold."""

    source: tuple[str, ...] = ()
    """Where the alert came from: pagerduty, alertmanager, sentry, generic, manual, monitor."""
    source_severity: tuple[SourceSeverity, ...] = ()
    """The sender's own severity: critical, error, warning or info."""
    service: tuple[str, ...] = ()
    """Services (names from ``services``)."""
    labels: dict[str, Pattern] = Field(default_factory=dict)
    """Label name → regular expression the whole label value must match."""
    summary: Pattern | None = None
    """Regular expression searched in the summary, ignoring case."""


class Rule(_Model):
    """One triage rule: alerts that match get this severity."""

    name: Annotated[str, StringConstraints(pattern=RULE_NAME, max_length=80)]
    """Unique name, shown on each alert it triaged."""
    severity: str
    """Severity key (one of ``severities``)."""
    match: Match = Field(default_factory=Match)
    """The conditions; an empty match catches everything."""


class Triage(_Model):
    """How alerts become incidents: severity rules and grouping."""

    rules: tuple[Rule, ...] = ()
    """Rules, tried in order; the first match wins."""
    default_severity: str = "P3"
    """Severity of an alert no rule matches."""
    grouping_window: Duration = timedelta(minutes=30)
    """An alert joins an open incident of the same service (or Alertmanager group) that had an
    alert, or was detected, within this long; otherwise it opens a new incident."""


def triage_problems(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Cross-references of the triage section: severities and services that must exist."""
    triage = data.get("triage")
    if not isinstance(triage, Mapping):
        return
    severities = data.get("severities")
    keys = {str(k) for k in severities} if isinstance(severities, Mapping) else set()
    services = {str(s.get("name")) for s in data.get("services") or () if isinstance(s, Mapping)}
    default = triage.get("default_severity")
    if isinstance(default, str) and keys and default not in keys:
        yield "triage.default_severity", _unknown("severity", default, keys)
    rules = triage.get("rules")
    if not isinstance(rules, list | tuple):
        return
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        name = rule.get("name")
        if isinstance(name, str):
            if name in seen:
                yield (
                    f"triage.rules[{i}].name",
                    f'duplicate rule name "{name}" (also rules[{seen[name]}])',
                )
            seen.setdefault(name, i)
        severity = rule.get("severity")
        if isinstance(severity, str) and keys and severity not in keys:
            yield f"triage.rules[{i}].severity", _unknown("severity", severity, keys)
        match = rule.get("match")
        wanted = match.get("service") if isinstance(match, Mapping) else None
        if isinstance(wanted, list | tuple):
            for j, service in enumerate(wanted):
                if isinstance(service, str) and service not in services:
                    yield (
                        f"triage.rules[{i}].match.service[{j}]",
                        _unknown("service", service, services),
                    )


def _unknown(what: str, value: str, known: set[str]) -> str:
    plural = "severities" if what == "severity" else f"{what}s"
    listed = ", ".join(sorted(known)) if known else "(none)"
    return f'unknown {what} "{value}"; {plural} are: {listed}'
