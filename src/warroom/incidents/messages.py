"""The words warroom writes for an incident: its war-room names and the declaration message,
rendered from the playbook's templates in Jinja's sandbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warroom.incidents.models import Incident
from warroom.playbook import Playbook, render
from warroom.playbook.context import IncidentContext

CHANNEL_MAX = 80  # Slack's limit for channel names


def incident_context(
    incident: Incident, playbook: Playbook, url: str | None = None
) -> IncidentContext:
    level = playbook.severity(incident.severity)
    return {
        "ref": f"{playbook.organization.incident_prefix}-{incident.id}",
        "title": incident.title,
        "severity": incident.severity,
        "severity_name": level.name,
        "service": incident.service,
        "impact": incident.impact,
        "status": incident.status,
        "kind": "incident" if level.declare else "ticket",
        "detected_at": incident.detected_at,
        "declared_at": incident.declared_at,
        "impact_started_at": incident.impact_started_at,
        "url": url,
    }


def war_room_channel(incident: Incident, playbook: Playbook) -> str:
    """The chat channel name from the playbook's convention, e.g. #incident-20261102-api-down."""
    name = playbook.render_war_room(incident_context(incident, playbook))["channel"]
    return "".join(name.split())[:CHANNEL_MAX].rstrip("-")


def war_room(incident: Incident, playbook: Playbook) -> dict[str, str | None]:
    """Channel, video call and shared document for the incident's war room."""
    links = playbook.render_war_room(incident_context(incident, playbook))
    return {
        "channel": incident.war_room_channel,
        "video_call": links["video_call"],
        "shared_doc": links["shared_doc"],
    }


def template_context(
    incident: Incident,
    playbook: Playbook,
    *,
    holders: dict[str, str],
    now: datetime,
    url: str | None = None,
) -> dict[str, Any]:
    """Everything a message template may use; ``holders`` maps role key → person handle."""

    def person(handle: str) -> dict[str, str]:
        who = playbook.person(handle)
        return {"handle": handle, "name": who.name if who else handle}

    roles = {role: person(handle) for role, handle in holders.items()}
    org = playbook.organization
    return {
        "incident": incident_context(incident, playbook, url),
        "ic": roles.get("incident_commander"),
        "roles": roles,
        "war_room": war_room(incident, playbook),
        "organization": {"name": org.name, "service": org.service},
        "now": now,
    }


def declaration_message(
    incident: Incident,
    playbook: Playbook,
    *,
    holders: dict[str, str],
    now: datetime,
    url: str | None = None,
) -> str:
    """The seed's "INCIDENT DECLARED" block, filled in."""
    context = template_context(incident, playbook, holders=holders, now=now, url=url)
    return render(playbook.templates.declaration, context).strip()
