"""Rendering the public status page, the subscribe and unsubscribe pages with Jinja2.

A separate environment from the playbook's message sandbox: these templates are ours (not the
user's), and they produce HTML, so autoescaping is on for everything.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from warroom.playbook import Playbook
from warroom.statuspage.components import ComponentView
from warroom.statuspage.snapshot import IncidentView, Snapshot

UPTIME_DAYS = 90

COMPONENT_LABELS = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
    "under_maintenance": "Under maintenance",
}


@functools.cache
def environment() -> Environment:
    """The pages' Jinja environment (autoescaping HTML, undefined names are errors)."""
    from jinja2 import StrictUndefined

    env = Environment(
        loader=PackageLoader("warroom.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = lambda moment: f"{moment:%b %d, %Y %H:%M} UTC" if moment else ""
    env.filters["label"] = lambda status: COMPONENT_LABELS.get(
        status, status.replace("_", " ").capitalize()
    )
    return env


@dataclass(frozen=True)
class Section:
    """A heading (a group, or None for ungrouped) and the components under it."""

    name: str | None
    components: list[ComponentView]


@dataclass(frozen=True)
class Bar:
    """One day's uptime bar."""

    day: str
    uptime: float | None

    @property
    def level(self) -> str:
        if self.uptime is None:
            return "none"
        if self.uptime >= 99.9:
            return "ok"
        return "minor" if self.uptime >= 99.0 else "major"

    @property
    def title(self) -> str:
        return f"{self.day}: " + ("no data" if self.uptime is None else f"{self.uptime:.2f}% up")


def _sections(snapshot: Snapshot) -> list[Section]:
    sections: list[Section] = []
    for view in snapshot.components:
        if view.only_show_if_degraded and view.status == "operational":
            continue
        if sections and sections[-1].name == view.group and view.group is not None:
            sections[-1].components.append(view)
        else:
            sections.append(Section(view.group, [view]))
    return sections


def _bars(snapshot: Snapshot, key: str) -> tuple[list[Bar], float | None]:
    values = list(snapshot.uptime.get(key, []))[-UPTIME_DAYS:]
    padding: list[float | None] = [None] * (UPTIME_DAYS - len(values))
    values = padding + values
    today = snapshot.built_at.date()
    bars = [
        Bar((today - timedelta(days=UPTIME_DAYS - 1 - i)).isoformat(), v)
        for i, v in enumerate(values)
    ]
    known = [v for v in values if v is not None]
    return bars, (sum(known) / len(known) if known else None)


def _history(snapshot: Snapshot) -> list[IncidentView]:
    since = snapshot.built_at - timedelta(days=snapshot.playbook.status_page.history_days)
    return [
        i
        for i in snapshot.incidents
        if not i.unresolved and (i.resolved_at or i.updated_at) >= since
    ]


def status_page(snapshot: Snapshot, *, generated_at: datetime) -> str:
    """The whole public status page as HTML."""
    indicator, description = snapshot.indicator
    uptime = {c.key: _bars(snapshot, c.key) for c in snapshot.components}
    context: dict[str, Any] = {
        "page": snapshot.playbook.status_page,
        "indicator": indicator,
        "description": description,
        "sections": _sections(snapshot),
        "uptime": uptime,
        "active": snapshot.unresolved,
        "active_maintenance": snapshot.active_maintenances,
        "upcoming_maintenance": snapshot.upcoming_maintenances,
        "history": _history(snapshot),
        "names": {c.key: c.name for c in snapshot.components},
        "generated_at": generated_at,
        "days": UPTIME_DAYS,
        "subscribe": _subscribe_context(snapshot.playbook, state="form", email="", message=""),
    }
    return environment().get_template("statuspage/status.html").render(context)


def unsubscribe_page(*, page_name: str, state: str, target: str | None, action: str) -> str:
    """The page behind an unsubscribe link: a confirm button, then a confirmation."""
    return (
        environment()
        .get_template("statuspage/unsubscribe.html")
        .render(
            page={"name": page_name}, page_name=page_name, state=state, target=target, action=action
        )
    )


def _subscribe_context(
    playbook: Playbook, *, state: str, email: str, message: str
) -> dict[str, Any]:
    return {
        "enabled": playbook.status_page.public_subscriptions,
        "state": state,
        "email": email,
        "message": message,
        "components": [(c.key, c.name) for c in playbook.components],
    }


def subscribe_page(*, playbook: Playbook, state: str, email: str, message: str) -> str:
    """The subscribe form on its own page: empty, with an error, or "check your inbox"."""
    return (
        environment()
        .get_template("statuspage/subscribe.html")
        .render(
            page=playbook.status_page,
            subscribe=_subscribe_context(playbook, state=state, email=email, message=message),
        )
    )


def confirm_page(*, page_name: str, state: str, target: str | None, action: str) -> str:
    """The page behind a confirmation link: a Confirm button, then a confirmation."""
    return (
        environment()
        .get_template("statuspage/confirm.html")
        .render(page={"name": page_name}, state=state, target=target, action=action)
    )
