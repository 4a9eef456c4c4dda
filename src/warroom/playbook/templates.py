"""Render playbook message templates in a Jinja sandbox, and check them before an incident does.

Templates come from a playbook file anyone on the team can edit, so they run in Jinja's immutable
sandbox (no ``__class__`` walks, no mutating the context) with ``StrictUndefined`` (a misspelt
field is an error, never an empty string). Output is chat and Markdown text, so nothing is
HTML-escaped here; HTML pages escape what they show themselves.

This is the only module of the playbook package that imports Jinja; the rest import it lazily,
so importing a domain package that uses the playbook does not pull Jinja in.

Filters: ``slug(max_len=40)``, ``datetime(fmt="%Y-%m-%d %H:%M %Z", tz=None)``, ``duration``.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from warroom.errors import InvalidInput
from warroom.playbook.context import SAMPLE_CONTEXT
from warroom.playbook.filters import duration_text, format_datetime, slugify

_TEMPLATE_FILE = "<template>"


class TemplateRenderError(InvalidInput):
    """A template that does not compile or fails to render; ``line`` is within the template."""

    code = "template_error"

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message, line=line)
        self.line = line


class _Undefined(StrictUndefined):
    """StrictUndefined that names the fields a mapping does have, to make typos obvious."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj = self._undefined_obj
        if self._undefined_hint is None and isinstance(obj, Mapping) and obj is not missing:
            known = ", ".join(sorted(str(k) for k in obj))
            return f"no field {self._undefined_name!r} (available: {known})"
        return str(super()._undefined_message)


@functools.cache
def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=_Undefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    env.filters["slug"] = slugify
    env.filters["datetime"] = format_datetime
    env.filters["duration"] = duration_text
    return env


@functools.lru_cache(maxsize=512)
def _compile(source: str) -> Template:
    return _environment().from_string(source)


def _template_line(exc: BaseException) -> int | None:
    """The template line an error was raised on, from Jinja's rewritten traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == _TEMPLATE_FILE]
    return frames[-1].lineno if frames else None


def _where(line: int | None) -> str:
    return f" (template line {line})" if line is not None else ""


def render(source: str, context: Mapping[str, Any]) -> str:
    """Render ``source`` with ``context``; raises TemplateRenderError saying what and where."""
    try:
        template = _compile(source)
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(
            f"syntax error{_where(exc.lineno)}: {exc.message}", line=exc.lineno
        ) from exc
    try:
        return template.render(context)
    except SecurityError as exc:
        line = _template_line(exc)
        raise TemplateRenderError(f"unsafe{_where(line)}: {exc}", line=line) from exc
    except UndefinedError as exc:
        line = _template_line(exc)
        raise TemplateRenderError(f"undefined{_where(line)}: {exc}", line=line) from exc
    except Exception as exc:  # a filter or operator failing on a value: report, don't crash
        line = _template_line(exc)
        raise TemplateRenderError(
            f"cannot render{_where(line)}: {type(exc).__name__}: {exc}", line=line
        ) from exc


def check_template(source: str, context: Mapping[str, Any] | None = None) -> str | None:
    """The problem with ``source`` (syntax, or failure against SAMPLE_CONTEXT), or None if fine."""
    try:
        render(source, SAMPLE_CONTEXT if context is None else context)
    except TemplateRenderError as exc:
        return exc.message
    return None


def check_template_line(source: str, context: Mapping[str, Any]) -> tuple[str, int | None] | None:
    """Like check_template, but also the line within the template, for file line numbers."""
    try:
        render(source, context)
    except TemplateRenderError as exc:
        return exc.message, exc.line
    return None
