"""The playbook as code: the schema of a playbook file, its loader, and the shipped default.

``default_playbook()`` is the seed incident response playbook; teams copy ``default.yaml``
(``warroom playbook init``), edit it, and load it with ``load_playbook``. Rendering templates
needs Jinja, which is imported only when ``render``/``check_template`` are first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.playbook.durations import format_duration, parse_duration
from warroom.playbook.loader import (
    default_playbook,
    default_playbook_text,
    dump_playbook,
    format_problems,
    load_playbook,
    parse_playbook,
)
from warroom.playbook.redact import redact_url
from warroom.playbook.schema import Playbook

if TYPE_CHECKING:
    from warroom.playbook.templates import TemplateRenderError, check_template, render

_LAZY = {"render", "check_template", "TemplateRenderError"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from warroom.playbook import templates

        return getattr(templates, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Playbook",
    "TemplateRenderError",
    "check_template",
    "default_playbook",
    "default_playbook_text",
    "dump_playbook",
    "format_duration",
    "format_problems",
    "load_playbook",
    "parse_duration",
    "parse_playbook",
    "redact_url",
    "render",
]
