"""The Atlassian Statuspage v2 public JSON documents, built from a Snapshot with the same field
names, enums and timestamp style (milliseconds and a UTC offset, in the page's time zone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from warroom.statuspage import ids
from warroom.statuspage.snapshot import IncidentView, Snapshot

JSON = dict[str, Any]


def page_id(snapshot: Snapshot) -> str:
    """The page's stable id, derived from its name."""
    return ids.stable_id("page", snapshot.playbook.status_page.name)


class _Writer:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.zone = ZoneInfo(snapshot.playbook.status_page.time_zone)
        self.page_id = page_id(snapshot)
        self.base_url = snapshot.playbook.status_page.url.rstrip("/")

    def time(self, moment: datetime | None) -> str | None:
        return (
            None if moment is None else moment.astimezone(self.zone).isoformat("T", "milliseconds")
        )

    def page(self) -> JSON:
        s = self.snapshot
        times = [c.updated_at for c in s.components]
        times += [i.updated_at for i in s.incidents] + [m.updated_at for m in s.maintenances]
        settings = s.playbook.status_page
        return {
            "id": self.page_id,
            "name": settings.name,
            "url": settings.url,
            "time_zone": settings.time_zone,
            "updated_at": self.time(max(times, default=s.built_at)),
        }

    def status(self) -> JSON:
        indicator, description = self.snapshot.indicator
        return {"indicator": indicator, "description": description}

    def components(self) -> list[JSON]:
        s = self.snapshot
        out: list[JSON] = []
        for group in s.groups:
            out.append(
                {
                    "id": group.id,
                    "name": group.name,
                    "status": group.status,
                    "created_at": self.time(group.created_at),
                    "updated_at": self.time(group.updated_at),
                    "position": group.position,
                    "description": None,
                    "showcase": False,
                    "start_date": None,
                    "group_id": None,
                    "page_id": self.page_id,
                    "group": True,
                    "only_show_if_degraded": False,
                    "components": list(group.component_ids),
                }
            )
        for c in s.components:
            out.append(
                {
                    "id": c.id,
                    "name": c.name,
                    "status": c.status,
                    "created_at": self.time(c.created_at),
                    "updated_at": self.time(c.updated_at),
                    "position": c.position,
                    "description": c.description or None,
                    "showcase": True,
                    "start_date": None,
                    "group_id": c.group_id,
                    "page_id": self.page_id,
                    "group": False,
                    "only_show_if_degraded": c.only_show_if_degraded,
                }
            )
        return sorted(out, key=lambda item: (item["position"], not item["group"]))

    def incident(self, view: IncidentView) -> JSON:
        s = self.snapshot
        out: JSON = {
            "id": view.id,
            "name": view.name,
            "status": view.status,
            "created_at": self.time(view.created_at),
            "updated_at": self.time(view.updated_at),
            "monitoring_at": self.time(view.monitoring_at),
            "resolved_at": self.time(view.resolved_at),
            "impact": view.impact,
            "shortlink": f"{self.base_url}#{view.id}",
            "started_at": self.time(view.started_at or view.created_at),
            "page_id": self.page_id,
            "incident_updates": [
                {
                    "id": u.id,
                    "status": u.status,
                    "body": u.body,
                    "incident_id": view.id,
                    "created_at": self.time(u.created_at),
                    "updated_at": self.time(u.created_at),
                    "display_at": self.time(u.created_at),
                    "affected_components": u.affected_components or None,
                    "deliver_notifications": True,
                    "custom_tweet": None,
                    "tweet_id": None,
                }
                for u in view.updates
            ],
            "components": [
                {
                    "id": c.id,
                    "name": c.name,
                    "status": c.status,
                    "created_at": self.time(c.created_at),
                    "updated_at": self.time(c.updated_at),
                    "position": c.position,
                    "description": c.description or None,
                    "showcase": True,
                    "start_date": None,
                    "group_id": c.group_id,
                    "page_id": self.page_id,
                    "group": False,
                    "only_show_if_degraded": c.only_show_if_degraded,
                }
                for key in view.component_keys
                if (c := s.component(key)) is not None
            ],
        }
        if view.scheduled_for is not None:
            out["scheduled_for"] = self.time(view.scheduled_for)
            out["scheduled_until"] = self.time(view.scheduled_until)
        return out


def status(snapshot: Snapshot) -> JSON:
    """``/api/v2/status.json``."""
    w = _Writer(snapshot)
    return {"page": w.page(), "status": w.status()}


def components(snapshot: Snapshot) -> JSON:
    """``/api/v2/components.json``."""
    w = _Writer(snapshot)
    return {"page": w.page(), "components": w.components()}


def incidents(snapshot: Snapshot, *, unresolved: bool = False) -> JSON:
    """``/api/v2/incidents.json`` (50 most recent) or ``incidents/unresolved.json``."""
    w = _Writer(snapshot)
    chosen = snapshot.unresolved if unresolved else snapshot.incidents
    return {"page": w.page(), "incidents": [w.incident(i) for i in chosen]}


def maintenances(snapshot: Snapshot, *, which: str = "all") -> JSON:
    """``/api/v2/scheduled-maintenances.json``, ``/upcoming.json`` or ``/active.json``."""
    w = _Writer(snapshot)
    chosen = {
        "all": snapshot.maintenances,
        "upcoming": snapshot.upcoming_maintenances,
        "active": snapshot.active_maintenances,
    }[which]
    return {"page": w.page(), "scheduled_maintenances": [w.incident(m) for m in chosen]}


def summary(snapshot: Snapshot) -> JSON:
    """``/api/v2/summary.json``: page, components, unresolved incidents, maintenance, status."""
    w = _Writer(snapshot)
    active = snapshot.active_maintenances + snapshot.upcoming_maintenances
    return {
        "page": w.page(),
        "components": w.components(),
        "incidents": [w.incident(i) for i in snapshot.unresolved],
        "scheduled_maintenances": [w.incident(m) for m in active],
        "status": w.status(),
    }
