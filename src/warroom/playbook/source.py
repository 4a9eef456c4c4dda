"""Read YAML keeping the line of every value, and refuse duplicate keys.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the last of two equal
keys. Here the node tree is composed first, walked to record ``{path: line}`` (paths like
``severities.P0.response_time`` or ``people[1].timezone``) and to find duplicate keys, and only
then constructed into plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from warroom.errors import Problem

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass
class Located:
    """Parsed YAML plus where each path is and what is wrong with the YAML itself."""

    data: Any = None
    lines: dict[str, int] = field(default_factory=dict)
    # First line of a literal block scalar's content, for paths whose value is one ("|").
    block_starts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, path: str, template_line: int | None = None) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one.

        With ``template_line`` (1-based, within a template string), the file line of that
        template line when the value is a literal block; otherwise the line of the key.
        """
        if template_line is not None and path in self.block_starts:
            return self.block_starts[path] + template_line - 1
        while path:
            if path in self.lines:
                return self.lines[path]
            path = parent_path(path)
        return None


def parent_path(path: str) -> str:
    """``a.b[2]`` -> ``a.b`` -> ``a`` -> ``""``."""
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def child_path(path: str, key: object) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _walk(node: yaml.Node, path: str, out: Located, stack: set[int]) -> None:
    if id(node) in stack:  # a recursive alias; construction reports nothing, nor do we
        return
    stack = stack | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            sub = child_path(path, key)
            if key in seen:
                out.problems.append(
                    Problem(
                        sub,
                        f'duplicate key "{key}" (first on line {seen[key]}); '
                        "YAML would silently keep only the last one",
                        _line(key_node),
                    )
                )
                continue
            seen[key] = _line(key_node)
            out.lines[sub] = _line(key_node)
            _record_block(value_node, sub, out)
            _walk(value_node, sub, out, stack)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = child_path(path, i)
            out.lines[sub] = _line(item)
            _record_block(item, sub, out)
            _walk(item, sub, out, stack)


def _record_block(node: yaml.Node, path: str, out: Located) -> None:
    if isinstance(node, yaml.ScalarNode) and node.style == "|":
        # The indicator sits on the key's line; content starts on the next one.
        out.block_starts[path] = _line(node) + 1


def read_yaml(text: str) -> Located:
    """Parse one YAML document; syntax errors and duplicate keys become problems."""
    out = Located()
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:  # no document at all: data stays None
            return out
        _walk(node, "", out, set())
        out.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else None
        what = ": ".join(part for part in (exc.context, exc.problem) if part)
        out.problems = [Problem("", f"invalid YAML: {what or exc}", line)]
        out.data = None
    except yaml.YAMLError as exc:
        out.problems = [Problem("", f"invalid YAML: {exc}", None)]
        out.data = None
    finally:
        loader.dispose()
    return out
