"""The summary pre-check of triage rules never rules out a summary its pattern matches."""

from __future__ import annotations

import random
import re
import zlib

import pytest

from warroom.playbook import default_playbook
from warroom.triage.rules import Facts, effective_triage, evaluate, matches, needles

DEFAULT_PATTERNS = [
    rule.match.summary
    for rule in effective_triage(default_playbook()).rules
    if rule.match.summary is not None
]
TRICKY = [
    r"a{2,}b?",
    r"(?-i:Foo)bar",
    r"x*",
    r"[abc]+def",
    r"\u017ftop",  # long s: matches "stop" case-insensitively
    r"(|foo)bar",
    r"(?:ab|cd)+ef|gh",
    r"(?=look)lookahead",
    r"(a)\1",
    r"K",  # the Kelvin sign matches it case-insensitively
    r"^$",
]
WORDS = [
    "site",
    "website",
    "is",
    "down",
    "Down",
    "DOWN",
    "total",
    "outage",
    "health",
    "check",
    "fail",
    "data",
    "breach",
    "loss",
    "auth",
    "authentication",
    "login",
    "sign-in",
    "payments",
    "errors",
    "slow",
    "latency",
    "p99",
    "timeouts",
    "degraded",
    "Foo",
    "foo",
    "bar",
    "abab",
    "ef",
    "gh",
    "aab",
    "def",
    "stop",
    "\u017ftop",
    "lookahead",
    "aa",
    "K",
    "\u212a",
    "k",
    "full",
    "disk",
    "Disk 90% full",
    " ",
    "",
    "\u0131",
    "\u0130",
    "Foobar",
    "FOOBAR",
    "bcDEF",
]


def _corpus(seed: int, size: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(size):
        words = rng.choices(WORDS, k=rng.randint(0, 6))
        texts.append(rng.choice([" ", "", "-", "  "]).join(words))
    return texts


@pytest.mark.parametrize("pattern", DEFAULT_PATTERNS + TRICKY)
def test_a_matching_summary_always_holds_a_needle(pattern: str) -> None:
    regex = re.compile(pattern, re.IGNORECASE)
    found = needles(pattern)
    matched = 0
    for text in _corpus(zlib.crc32(pattern.encode()), 3000):
        if regex.search(text) is None:
            continue
        matched += 1
        if found is not None and text.isascii():
            assert any(n in text.lower() for n in found), (pattern, text, found)
    assert matched  # the corpus exercises the pattern


def test_needles_of_the_default_rules() -> None:
    assert needles(r"\bdata\s+(breach|loss|leak)\b|\bbreach\b") == ("breach", "data")
    assert needles(r"x*") is None  # nothing is required
    assert needles(r"(") is None  # not a pattern: no pre-check


def test_evaluation_with_the_pre_check_matches_the_rules() -> None:
    triage = effective_triage(default_playbook())
    for text in [*_corpus(7, 3000), "The SITE IS DOWN", "Payment processing failing"]:
        for severity in ("critical", "warning"):
            facts = Facts("pagerduty", severity, "api", text, {})
            # matches() searches every pattern, without the pre-check
            expected = next(
                (rule.severity for rule in triage.rules if matches(rule.match, facts)),
                triage.default_severity,
            )
            assert evaluate(triage, facts).severity == expected, text
