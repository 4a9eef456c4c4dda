"""Playbook sections for communication: the public status page, its components, and where
declarations are announced.

``status_page`` holds the page's settings, ``components`` what the page shows (each linked to
the services and monitors that affect it, optionally in a group), and ``announcements`` the
channels (Apprise URLs) that hear "INCIDENT DECLARED" for the severities listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

if TYPE_CHECKING:
    from warroom.playbook.checks import _Checker

COMPONENT_KEY = r"^[a-z0-9][a-z0-9_-]*$"
CHANNEL_URL = r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$"
MAIL_URL = r"^mailtos?://\S+$"

ComponentStatus = Literal[
    "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"
]
Impact = Literal["none", "minor", "major", "critical"]


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise ValueError(f'unknown time zone "{name}"; use an IANA name like "Etc/UTC"') from None
    return name


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def _default_impacts() -> dict[str, Impact]:
    return {"P0": "critical", "P1": "major", "P2": "minor", "P3": "minor"}


def _default_suggestions() -> dict[str, ComponentStatus]:
    return {
        "P0": "major_outage",
        "P1": "partial_outage",
        "P2": "degraded_performance",
        "P3": "degraded_performance",
    }


class StatusPage(_Model):
    """The public status page (``GET /status`` and the Statuspage v2 JSON at ``/api/v2``)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] = "Status"
    """Page title and the ``page.name`` of the JSON documents."""
    url: str = "http://127.0.0.1:8080/status"
    """Public address of the page; ``page.url`` and the links in feeds and e-mails."""
    time_zone: Annotated[str, AfterValidator(_time_zone)] = "Etc/UTC"
    """``page.time_zone`` in the JSON (an IANA name); timestamps are always UTC with an offset."""
    history_days: Annotated[int, Field(ge=1, le=365)] = 14
    """How many days of resolved incidents the page lists under "Past incidents"."""
    impact_by_severity: dict[str, Impact] = Field(default_factory=_default_impacts)
    """Public impact (none|minor|major|critical) of a published incident by its severity."""
    suggest_by_severity: dict[str, ComponentStatus] = Field(default_factory=_default_suggestions)
    """Component status suggested while an open incident of this severity affects its service."""
    automatic_component_status: bool = True
    """Apply the suggestion without a person: a component follows its monitors and the open
    incidents of ``automatic_severities`` on its services, unless a responder set it by hand."""
    automatic_severities: tuple[str, ...] = ("P0", "P1")
    """Severities whose open incidents change a component's status on their own (the others only
    suggest); tickets stay off the public page unless a responder publishes them."""
    public_subscriptions: bool = True
    """Show a subscribe form on ``/status``: anyone may ask for e-mail updates, which start only
    once the address's owner follows the confirmation link sent to it."""
    mail_url: Annotated[str, StringConstraints(pattern=MAIL_URL)] | None = None
    """Apprise ``mailto://``/``mailtos://`` URL of the SMTP server that sends subscribers' mail,
    e.g. ``mailtos://user:pass@smtp.example.com?from=status@example.com``; each message is sent
    ``to=`` the subscriber. Unset: ``mailto://<address>`` with Apprise's defaults for its domain."""


class Component(_Model):
    """One thing the public sees the status of (set from monitors and incidents, or by hand)."""

    key: Annotated[str, StringConstraints(pattern=COMPONENT_KEY, max_length=40)]
    """Short unique key used by the CLI and API, e.g. ``api``."""
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    """Name shown on the page, e.g. "Public API"."""
    description: str = ""
    """One line shown under the name."""
    group: str | None = None
    """Name of the group the component is listed under (groups are made from these names)."""
    services: tuple[str, ...] = ()
    """Playbook services whose open incidents suggest (or set, see ``status_page``) its status."""
    monitors: tuple[str, ...] = ()
    """Monitors whose results (and 90-day uptime) belong to this component."""
    only_show_if_degraded: bool = False
    """Hide the component from the page while it is operational."""


class Announcements(_Model):
    """Where a declared incident is announced with ``templates.declaration``."""

    channels: tuple[Annotated[str, StringConstraints(pattern=CHANNEL_URL)], ...] = ()
    """Apprise URLs (slack://..., mailto://..., json://...) that hear every declaration."""
    severities: tuple[str, ...] = ("P0", "P1")
    """Severity keys that are announced."""


def check_references(c: _Checker) -> None:
    """Cross-checks: unique component keys, known services, monitors and severities."""
    services = {
        str(s.get("name")) for _, s in _items(c.data, "services") if isinstance(s.get("name"), str)
    }
    monitors_data = c.data.get("monitors")
    monitor_names = (
        {str(m.get("name")) for _, m in _items(c.data, "monitors") if "name" in m}
        if isinstance(monitors_data, list | tuple)
        else None
    )
    c.unique("components", "key", "component key")
    for i, component in _items(c.data, "components"):
        for j, service in enumerate(_strings(component.get("services"))):
            c.exists(f"components[{i}].services[{j}]", service, services, "service", "services")
        if monitor_names is not None:
            for j, monitor in enumerate(_strings(component.get("monitors"))):
                c.exists(
                    f"components[{i}].monitors[{j}]", monitor, monitor_names, "monitor", "monitors"
                )
    severities = c.data.get("severities")
    if not isinstance(severities, Mapping):
        return
    keys = {str(k) for k in severities}
    announcements = c.data.get("announcements")
    if isinstance(announcements, Mapping):
        for j, key in enumerate(_strings(announcements.get("severities"))):
            c.exists(f"announcements.severities[{j}]", key, keys, "severity", "severities")
    page = c.data.get("status_page")
    if isinstance(page, Mapping):
        for field in ("impact_by_severity", "suggest_by_severity"):
            mapping = page.get(field)
            if isinstance(mapping, Mapping):
                for key in mapping:
                    c.exists(f"status_page.{field}.{key}", key, keys, "severity", "severities")
        for j, key in enumerate(_strings(page.get("automatic_severities"))):
            c.exists(f"status_page.automatic_severities[{j}]", key, keys, "severity", "severities")


def _items(data: Mapping[str, Any], section: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = data.get(section)
    if not isinstance(value, list | tuple):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list | tuple) else []
