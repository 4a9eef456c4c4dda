"""The playbook's triage section: validation with paths, defaults, rule matching."""

from __future__ import annotations

import pytest

from warroom.errors import PlaybookError
from warroom.playbook import default_playbook, parse_playbook
from warroom.playbook.triage import Match, Rule, Triage
from warroom.triage.rules import Facts, effective_triage, evaluate, matches

FACTS = Facts(
    source="alertmanager",
    source_severity="warning",
    service="api",
    summary="Checkout latency p99 high",
    labels={"env": "prod", "team": "web"},
)


def _with_triage(section: str) -> str:
    from warroom.playbook import default_playbook_text

    text = default_playbook_text()
    start = text.index("\ntriage:")
    return text[:start] + "\n" + section


def test_bad_rules_are_reported_with_their_paths() -> None:
    section = """triage:
  default_severity: P7
  rules:
    - name: a
      severity: P9
      match: {service: [nope], summary: "(unclosed"}
    - name: a
      severity: P1
"""
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(_with_triage(section), source="playbook.yaml")
    problems = {p.path: p.message for p in caught.value.problems}
    assert "triage.rules[0].match.summary" in problems
    assert "not a valid regular expression" in problems["triage.rules[0].match.summary"]
    assert 'unknown severity "P9"' in problems["triage.rules[0].severity"]
    assert 'unknown service "nope"' in problems["triage.rules[0].match.service[0]"]
    assert 'duplicate rule name "a"' in problems["triage.rules[1].name"]
    assert 'unknown severity "P7"' in problems["triage.default_severity"]


def test_a_custom_section_replaces_the_defaults() -> None:
    section = """triage:
  grouping_window: 5m
  default_severity: P2
  rules:
    - name: staging-is-quiet
      severity: P3
      match: {labels: {env: "staging|dev"}}
"""
    book = parse_playbook(_with_triage(section), source="playbook.yaml")
    triage = effective_triage(book)
    assert triage.grouping_window.total_seconds() == 300
    assert evaluate(triage, FACTS).severity == "P2"
    staging = FACTS._replace(labels={"env": "staging"})
    assert evaluate(triage, staging).rule == "staging-is-quiet"


def test_without_a_section_the_default_rules_apply() -> None:
    book = default_playbook().model_copy(update={"triage": None})
    assert effective_triage(book) == default_playbook().triage
    assert evaluate(effective_triage(book), FACTS).rule == "slow-performance"


def test_every_condition_must_hold() -> None:
    assert matches(Match(), FACTS)
    assert matches(Match(source=("alertmanager",), labels={"env": "prod"}), FACTS)
    assert not matches(Match(labels={"env": "pro"}), FACTS)  # whole value
    assert not matches(Match(labels={"missing": ".*"}), FACTS)
    assert not matches(Match(service=("web",)), FACTS)
    assert not matches(Match(source_severity=("critical",)), FACTS)
    assert matches(Match(summary="LATENCY"), FACTS)  # case ignored
    rule = Rule(name="x", severity="P1", match=Match(summary="nothing like it"))
    assert evaluate(Triage(rules=(rule,), default_severity="P3"), FACTS).severity == "P3"
