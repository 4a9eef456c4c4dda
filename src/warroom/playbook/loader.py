"""Load, validate and dump playbook files, reporting every problem at once with its line.

A playbook goes through three passes, and the problems of all three are reported together:
YAML (syntax, duplicate keys), the schema (types, durations, unknown fields, timezones), and the
cross-reference checks (people, teams, roles, templates). ``PlaybookError.problems`` holds them,
sorted by line; ``format_problems`` prints them as ``FILE:LINE: path: message``.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from warroom.errors import PlaybookError, Problem
from warroom.playbook.checks import reference_problems
from warroom.playbook.problems import describe, validation_problems
from warroom.playbook.redact import redact_url
from warroom.playbook.schema import SKIP_REFERENCE_CHECKS, Playbook
from warroom.playbook.source import read_yaml

DEFAULT_FILE = "default.yaml"


def _order(problem: Problem) -> tuple[int, str]:
    return (problem.line if problem.line is not None else 10**9, problem.path)


def _finish(problems: list[Problem], source: str) -> PlaybookError:
    unique = list(dict.fromkeys(problems))
    return PlaybookError(sorted(unique, key=_order), source=source)


def parse_playbook(text: str, source: str = "playbook") -> Playbook:
    """Validate playbook YAML ``text``; raises PlaybookError listing every problem found."""
    located = read_yaml(text)
    problems = list(located.problems)
    if located.data is None and problems:
        raise _finish(problems, source)
    if located.data is None:  # no document, or one that is only "---" or "null"
        message = "the file is empty; a playbook needs version, severities and templates"
        raise PlaybookError([Problem("", message, 1)], source=source)
    if not isinstance(located.data, dict):
        message = f"a playbook must be a mapping (key: value), got {describe(located.data)}"
        raise PlaybookError([Problem("", message, 1)], source=source)

    playbook: Playbook | None = None
    try:
        playbook = Playbook.model_validate(located.data, context={SKIP_REFERENCE_CHECKS: True})
    except ValidationError as exc:
        problems.extend(validation_problems(exc, located))
    problems.extend(reference_problems(located.data, located.line_of))
    if problems or playbook is None:
        raise _finish(problems, source)
    return playbook


def load_playbook(path: str | Path) -> Playbook:
    """Read and validate a playbook file; unreadable files are a PlaybookError too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = Problem("", "file not found")
    except IsADirectoryError:
        problem = Problem("", "is a directory, not a playbook file")
    except UnicodeDecodeError as exc:
        problem = Problem("", f"not UTF-8 text: {exc.reason} at byte {exc.start}")
    except OSError as exc:
        problem = Problem("", f"cannot read the file: {exc.strerror or exc}")
    else:
        return parse_playbook(text, source=str(path))
    raise PlaybookError([problem], source=str(path))


def default_playbook_text() -> str:
    """The shipped default playbook (the seed playbook), as commented YAML."""
    return resources.files("warroom.playbook").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")


@functools.cache
def default_playbook() -> Playbook:
    """The shipped default playbook, parsed once."""
    return parse_playbook(default_playbook_text(), source=DEFAULT_FILE)


def format_problems(error: PlaybookError) -> list[str]:
    """Each problem as ``FILE:LINE: path: message`` (``FILE: ...`` when the line is unknown)."""
    lines = []
    for p in error.problems:
        where = f"{error.source}:{p.line}" if p.line is not None else error.source
        what = f"{p.path}: {p.message}" if p.path else p.message
        lines.append(f"{where}: {what}")
    return lines


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks, sequences indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


_URL_VALUE = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)


def _redact_urls(value: Any) -> Any:
    """Every URL-valued string anywhere in the playbook (contact methods, notification and
    announcement channels, sections added later) with its secrets masked."""
    if isinstance(value, dict):
        return {key: _redact_urls(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_urls(item) for item in value]
    if isinstance(value, str) and _URL_VALUE.match(value):
        return redact_url(value)
    return value


def dump_playbook(pb: Playbook, *, redact: bool = True) -> str:
    """The effective playbook (defaults filled in) as YAML that parses back to an equal one.

    Durations are written "15m", key order is the file's, templates are literal blocks, and
    contact URLs are redacted unless ``redact=False``.
    """
    data = pb.model_dump(mode="json", exclude_none=True)
    if redact:
        data = _redact_urls(data)
    header = "# The effective playbook: every setting with its value"
    header += "; contact secrets redacted.\n" if redact else ".\n"
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
    return header + body
