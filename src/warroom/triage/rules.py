"""Evaluating the playbook's triage rules against one alert."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from warroom.playbook import Playbook
from warroom.playbook.triage import Match, Triage

try:  # Python's own regex parser (private, present from 3.11): used only for a pre-check
    from re import _constants as re_constants  # type: ignore[attr-defined]
    from re import _parser as re_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a Python without them: summaries are always searched
    re_constants = re_parser = None


class Facts(NamedTuple):
    """What triage looks at in an alert (a tuple: built for every alert, at a third of the
    cost of a frozen dataclass)."""

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


# A rule's conditions; the second argument is the summary lowered, None if it is not ASCII.
Check = Callable[[Facts, str | None], bool]


def needles(pattern: str) -> tuple[str, ...] | None:
    """Lower-case ASCII strings one of which every match of ``pattern`` contains, or None when
    no such set is known. A summary pattern is searched case-insensitively in every alert, and
    most alerts match none of the rules: for ASCII text, ``needle in text.lower()`` rules a
    pattern out for a tenth of the cost of the search (case folding of other text knows more
    equivalences, such as the Kelvin sign for k, so such text is always searched)."""
    try:
        found = _required(list(re_parser.parse(pattern, re.IGNORECASE)))
    except Exception:  # not a pattern, or a Python whose parser differs: no pre-check
        return None
    return tuple(sorted(found)) if found else None


def _required(items: list[Any]) -> frozenset[str] | None:
    """For a sequence of parsed items: the best set of strings one of which a match holds."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is re_constants.LITERAL and arg < 128:
            run.append(chr(arg).lower())
            continue
        if run:
            candidates.append(frozenset(["".join(run)]))
            run = []
        found = _required_of(op, arg)
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset(["".join(run)]))
    if not candidates:
        return None
    # The most selective: the longest shortest string, then the fewest strings.
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


def _required_of(op: Any, arg: Any) -> frozenset[str] | None:
    if op is re_constants.SUBPATTERN:
        _group, add_flags, del_flags, inner = arg
        return None if add_flags or del_flags else _required(list(inner))
    if op is re_constants.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:
            found = _required(list(branch))
            if not found:
                return None
            union |= found
        return frozenset(union)
    if op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT, re_constants.POSSESSIVE_REPEAT):
        low, _high, inner = arg
        return _required(list(inner)) if low >= 1 else None
    if op is re_constants.ATOMIC_GROUP:
        return _required(list(arg))
    return None  # anchors, classes, lookarounds, back references: nothing known


def _check(match: Match) -> Check:
    """``matches(match, ...)`` as one closure with its sets and regexes built once."""
    sources = frozenset(match.source)
    severities = frozenset(match.source_severity)
    services = frozenset(match.service)
    labels = [(name, _compiled(p, False).fullmatch) for name, p in match.labels.items()]
    summary = _compiled(match.summary, True).search if match.summary is not None else None
    required = needles(match.summary) if match.summary is not None else None

    def check(facts: Facts, lowered: str | None) -> bool:
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
        if summary is None:
            return True
        if (
            required is not None
            and lowered is not None
            and not any(map(lowered.__contains__, required))
        ):
            return False
        return summary(facts.summary) is not None

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
        text = facts.summary
        lowered = text.lower() if text.isascii() else None
        for check, verdict in checks:
            if check(facts, lowered):
                return verdict
        return fallback

    if len(_RULES) > 64:  # playbooks reloaded many times (tests): start over
        _RULES.clear()
    _RULES[id(triage)] = (triage, run)
    return run
