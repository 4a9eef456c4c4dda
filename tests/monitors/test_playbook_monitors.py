"""The playbook's monitors: section: the shipped example parses; mistakes come with a path."""

from __future__ import annotations

import re

import pytest

from warroom.errors import PlaybookError
from warroom.playbook.loader import default_playbook_text, parse_playbook


def _uncommented_example() -> str:
    text = default_playbook_text()
    head, _, example = text.partition("monitors: []\n")
    lines = [re.sub(r"^# ?", "", line) for line in example.splitlines()]
    return head + "\n".join(lines) + "\n"


def _with(section: str) -> str:
    return default_playbook_text().replace("monitors: []\n", section)


def _problems(text: str) -> dict[str, str]:
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(text)
    return {p.path: f"{p.line}: {p.message}" for p in caught.value.problems}


def test_default_probes_nothing() -> None:
    assert parse_playbook(default_playbook_text()).monitors == ()


def test_commented_seed_example_is_valid() -> None:
    book = parse_playbook(_uncommented_example())
    names = [m.name for m in book.monitors]
    assert names == [
        "api-health",
        "api-error-rate",
        "db-status",
        "db-select-1",
        "websocket",
        "nightly-backup",
    ]
    assert book.monitors[0].degraded_over == 1000.0
    assert book.monitors[0].failures_to_alert == 3
    assert book.monitors[0].successes_to_resolve == 2


def test_every_problem_with_its_path_and_line() -> None:
    section = """monitors:
  - name: web
    kind: http
    url: ftp://example.com
    service: nope
    interval: 10s
    timeout: 10s
    degraded_over: fast
    conditions:
      - "[STATUS] == fast"
      - "[REPLY] == \\"x\\""
  - name: web
    kind: tcp
    colour: red
  - name: db
    kind: sql
"""
    problems = _problems(_with(section))
    assert problems["monitors[0].url"].endswith(
        'expected a http:// or https:// URL, got "ftp://example.com"'
    )
    assert 'unknown service "nope"' in problems["monitors[0].service"]
    assert problems["monitors[0].timeout"].endswith("must be shorter than the interval")
    assert "response time" in problems["monitors[0].degraded_over"]
    assert "the right side must be a number" in problems["monitors[0].conditions[0]"]
    assert "[REPLY] does not apply to http monitors" in problems["monitors[0].conditions[1]"]
    assert 'duplicate monitor "web"' in problems["monitors[1].name"]
    assert 'unknown field "colour"' in problems["monitors[1].colour"]
    assert "required for tcp monitors" in problems["monitors[1].host"]
    assert "required for sql monitors" in problems["monitors[2].dsn_env"]
    line = int(problems["monitors[0].conditions[0]"].split(":")[0])
    assert _with(section).splitlines()[line - 1].strip() == '- "[STATUS] == fast"'


def test_unknown_kind() -> None:
    problems = _problems(_with("monitors:\n  - {name: x, kind: ping}\n"))
    assert "expected" in problems["monitors[0].kind"]
