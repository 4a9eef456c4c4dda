"""Evaluating the playbook's triage rules against one alert."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from warroom.playbook import Playbook
from warroom.playbook.triage import Match, Triage


@dataclass(frozen=True)
class Facts:
    """What triage looks at in an alert."""

    source: str
    source_severity: str
    service: str | None
    summary: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Verdict:
    severity: str
    rule: str | None


@lru_cache(maxsize=1024)
def _compiled(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


def effective_triage(playbook: Playbook) -> Triage:
    """The playbook's triage section, or the default playbook's rules for its severities."""
    if playbook.triage is not None:
        return playbook.triage
    return _fallback(tuple(playbook.severity_keys()))


@lru_cache(maxsize=16)
def _fallback(keys: tuple[str, ...]) -> Triage:
    from warroom.playbook import default_playbook

    seed = default_playbook().triage
    assert seed is not None
    rules = tuple(rule for rule in seed.rules if rule.severity in keys)
    default = seed.default_severity if seed.default_severity in keys else keys[-1]
    return seed.model_copy(update={"rules": rules, "default_severity": default})


def matches(match: Match, facts: Facts) -> bool:
    """Whether every condition of ``match`` holds for the alert."""
    if match.source and facts.source not in match.source:
        return False
    if match.source_severity and facts.source_severity not in match.source_severity:
        return False
    if match.service and facts.service not in match.service:
        return False
    for name, pattern in match.labels.items():
        value = facts.labels.get(name)
        if value is None or _compiled(pattern, False).fullmatch(value) is None:
            return False
    return not (
        match.summary is not None and _compiled(match.summary, True).search(facts.summary) is None
    )


def evaluate(triage: Triage, facts: Facts) -> Verdict:
    """The severity of the first rule that matches, else the default severity."""
    return _compiled_rules(triage)(facts)


Check = Callable[[Facts], bool]


def _check(match: Match) -> Check:
    """``matches(match, ...)`` as one closure with its sets and regexes built once."""
    sources = frozenset(match.source)
    severities = frozenset(match.source_severity)
    services = frozenset(match.service)
    labels = [(name, _compiled(p, False).fullmatch) for name, p in match.labels.items()]
    summary = _compiled(match.summary, True).search if match.summary is not None else None

    def check(facts: Facts) -> bool:
        if sources and facts.source not in sources:
            return False
        if severities and facts.source_severity not in severities:
            return False
        if services and facts.service not in services:
            return False
        for name, fullmatch in labels:
            value = facts.labels.get(name)
            if value is None or fullmatch(value) is None:
                return False
        return summary is None or summary(facts.summary) is not None

    return check


# Triage sections are frozen models living as long as their playbook; keyed by id, with the
# section kept alive beside its rules so an id is never reused while cached.
_RULES: dict[int, tuple[Triage, Callable[[Facts], Verdict]]] = {}


def _compiled_rules(triage: Triage) -> Callable[[Facts], Verdict]:
    cached = _RULES.get(id(triage))
    if cached is not None and cached[0] is triage:
        return cached[1]
    checks = [(_check(rule.match), Verdict(rule.severity, rule.name)) for rule in triage.rules]
    fallback = Verdict(severity=triage.default_severity, rule=None)

    def run(facts: Facts) -> Verdict:
        for check, verdict in checks:
            if check(facts):
                return verdict
        return fallback

    if len(_RULES) > 64:  # playbooks reloaded many times (tests): start over
        _RULES.clear()
    _RULES[id(triage)] = (triage, run)
    return run
