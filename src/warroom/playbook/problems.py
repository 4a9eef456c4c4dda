"""Turn pydantic's validation errors into ``Problem``s a person can act on.

Pydantic reports ``loc=('severities', 'P0', 'response_time')`` and "Value error, ..."; users
want ``severities.P0.response_time: expected a duration like "15m", got "fast"`` and the line.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from warroom.errors import Problem
from warroom.incidents.lifecycle import Status
from warroom.playbook.schema import PATTERN_HINTS, Playbook
from warroom.playbook.source import Located, child_path

_KEY_MARK = "[key]"


def describe(value: object) -> str:
    """A value as the user wrote it, named in YAML terms."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'"{value[:60]}…"' if len(value) > 60 else f'"{value}"'
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "list_type": "a list",
    "tuple_type": "a list",
}


_BOUNDS = {
    "greater_than": ("greater than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def model_at(loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The schema model found at ``loc``, or None where there is no model."""
    tp: Any = Playbook
    for item in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(item) if isinstance(item, str) else None
            if field is None:
                return None
            tp = field.annotation
        elif get_origin(tp) in (tuple, list):
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unknown_field(loc: Sequence[int | str]) -> str:
    name = str(loc[-1])
    model = model_at(loc[:-1])
    if model is None:
        return f'unknown field "{name}"'
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(name, allowed, n=1)
    if close:
        return f'unknown field "{name}" (did you mean "{close[0]}"?)'
    return f'unknown field "{name}"; allowed: {", ".join(allowed)}'


def message(error: ErrorDetails) -> str:
    """The human message for one pydantic error."""
    kind, loc, value = error["type"], error["loc"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required field missing"
    if kind == "extra_forbidden":
        return _unknown_field(loc)
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error" and tuple(loc) == ("version",):
        return f"unsupported playbook version {value!r}; this warroom reads version 1"
    if kind == "enum" and loc and loc[0] == "lifecycle":
        states = ", ".join(Status)
        return f"unknown lifecycle state {describe(value)}; expected one of: {states}"
    if kind in ("literal_error", "enum"):
        return f"expected {ctx['expected']}, got {describe(value)}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {describe(value)}"
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(
            str(ctx.get("pattern")), f"expected text matching {ctx.get('pattern')}"
        )
        return f"{hint}, got {describe(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in _BOUNDS:
        bound = _BOUNDS[kind]
        return f"must be {bound[0]} {ctx.get(bound[1])}, got {describe(value)}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"needs at least {least} items"
    msg = error["msg"]
    return msg[:1].lower() + msg[1:]


def _path(loc: Sequence[int | str], data: Any) -> str:
    """The dotted path of ``loc`` (walking ``data`` to tell list indexes from mapping keys).

    A bad mapping key (loc ending in "[key]") is reported at the key's own path.
    """
    path, node = "", data
    for item in loc:
        if item == _KEY_MARK:
            continue
        if isinstance(node, list) and isinstance(item, int):
            path = f"{path}[{item}]"
            node = node[item] if 0 <= item < len(node) else None
        else:
            path = child_path(path, str(item))
            node = node.get(item) if isinstance(node, Mapping) else None
    return path


def validation_problems(exc: ValidationError, located: Located) -> list[Problem]:
    """One Problem per pydantic error, with path and line."""
    problems = []
    for error in exc.errors(include_url=False):
        path = _path(error["loc"], located.data)
        problems.append(Problem(path, message(error), located.line_of(path)))
    return problems
