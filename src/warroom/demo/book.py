"""The demo playbook: the default playbook with the demo's sections (package data) swapped in."""

from __future__ import annotations

from importlib.resources import files

import yaml

from warroom.playbook import Playbook
from warroom.playbook.loader import default_playbook_text, parse_playbook


def demo_playbook_text(*, target_url: str, inbox: str, warroom_url: str) -> str:
    """The demo playbook's YAML, with the target, inbox and warroom addresses filled in."""
    overlay = files("warroom.demo").joinpath("playbook.yaml").read_text(encoding="utf-8")
    filled = (
        overlay.replace("__TARGET_WS__", "ws" + target_url.removeprefix("http"))
        .replace("__TARGET__", target_url.rstrip("/"))
        .replace("__INBOX__", inbox)
        .replace("__WARROOM__", warroom_url.rstrip("/"))
    )
    merged = yaml.safe_load(default_playbook_text())
    merged.update(yaml.safe_load(filled))  # whole sections replace the default's
    return yaml.safe_dump(merged, sort_keys=False, allow_unicode=True)


def demo_playbook(*, target_url: str, inbox: str, warroom_url: str) -> Playbook:
    """The demo playbook, validated like any other."""
    text = demo_playbook_text(target_url=target_url, inbox=inbox, warroom_url=warroom_url)
    return parse_playbook(text, source="demo playbook")
