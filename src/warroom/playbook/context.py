"""What a playbook template can see: the context contract, and samples to check templates with.

The incident service builds these mappings when it posts a declaration, a status-page update or
an internal update; the loader renders every template against the samples here so a typo such as
``{{ incident.titel }}`` fails when the playbook is loaded, not in the middle of an incident.

Which template gets which context:

- ``war_room.channel``, ``war_room.video_call``, ``war_room.shared_doc``: ``WarRoomTemplateContext``
  (``incident``, ``date``, ``slug``, ``organization``) - they run before the war room exists.
- ``templates.declaration`` and every ``templates.status_page.*``: ``MessageContext``
  (``incident``, ``ic``, ``roles``, ``war_room``, ``organization``, ``now``).
- ``templates.internal_update``: ``UpdateMessageContext`` (``MessageContext`` plus ``update``).

Datetimes are timezone-aware and should already be in ``organization.timezone``: templates print
them as given (the ``datetime`` filter can convert with ``tz=...``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict
from zoneinfo import ZoneInfo

from warroom.playbook.filters import slugify


class PersonRef(TypedDict):
    """A person as templates see them: ``@{{ ic.handle }}``, ``{{ ic.name }}``."""

    handle: str
    name: str


class IncidentContext(TypedDict):
    """The incident a message is about."""

    ref: str  # "INC-42": organization.incident_prefix + number
    title: str
    severity: str  # severity key, "P0"
    severity_name: str  # "Critical"
    service: str  # affected service's name, or organization.service when none was given
    impact: str  # user impact description, may be ""
    status: str  # a lifecycle Status value, "investigating"
    kind: str  # "incident" (declared) or "ticket"
    detected_at: datetime | None
    declared_at: datetime | None
    impact_started_at: datetime | None
    url: str | None  # link to the incident page in warroom


class WarRoomContext(TypedDict):
    """The rendered war room: channel name and optional call and document links."""

    channel: str
    video_call: str | None
    shared_doc: str | None


class OrganizationContext(TypedDict):
    name: str
    service: str  # the product name used in messages, "Pitchey Production"


class UpdateContext(TypedDict):
    """The fields of an internal update, as the Communications Lead typed them (may be "")."""

    status: str
    current_state: str
    next_steps: str
    eta: str
    need: str


class MessageContext(TypedDict):
    """Context of the declaration and status-page templates."""

    incident: IncidentContext
    ic: PersonRef | None
    roles: dict[str, PersonRef]  # role key -> person, only roles that are assigned
    war_room: WarRoomContext
    organization: OrganizationContext
    now: datetime


class UpdateMessageContext(MessageContext):
    """Context of the internal-update template."""

    update: UpdateContext


class WarRoomTemplateContext(TypedDict):
    """Context of the war_room templates."""

    incident: IncidentContext
    date: str  # YYYYMMDD of declared_at (else detected_at) in organization.timezone
    slug: str  # incident.title slugified to at most 40 characters
    organization: OrganizationContext


def war_room_context(
    incident: IncidentContext,
    organization: OrganizationContext,
    *,
    timezone: str,
    at: datetime | None = None,
) -> WarRoomTemplateContext:
    """The context for the war_room templates; ``at`` is used when the incident has no dates."""
    when = incident["declared_at"] or incident["detected_at"] or at
    if when is None:
        raise ValueError("war room names need incident.declared_at, detected_at or at")
    return {
        "incident": incident,
        "date": when.astimezone(ZoneInfo(timezone)).strftime("%Y%m%d"),
        "slug": slugify(incident["title"], 40),
        "organization": organization,
    }


def _at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 2, hour, minute, tzinfo=UTC)


SAMPLE_ORGANIZATION: OrganizationContext = {
    "name": "Pitchey Platform",
    "service": "Pitchey Production",
}

SAMPLE_INCIDENT: IncidentContext = {
    "ref": "INC-42",
    "title": "Checkout is down",
    "severity": "P0",
    "severity_name": "Critical",
    "service": "Pitchey Production",
    "impact": "Customers cannot complete checkout",
    "status": "investigating",
    "kind": "incident",
    "detected_at": _at(9, 0),
    "declared_at": _at(9, 7),
    "impact_started_at": _at(8, 55),
    "url": "https://warroom.example.com/incidents/INC-42",
}

SAMPLE_WAR_ROOM_CONTEXT: WarRoomTemplateContext = war_room_context(
    SAMPLE_INCIDENT, SAMPLE_ORGANIZATION, timezone="UTC"
)

SAMPLE_CONTEXT: MessageContext = {
    "incident": SAMPLE_INCIDENT,
    "ic": {"handle": "alice", "name": "Alice Example"},
    "roles": {
        "incident_commander": {"handle": "alice", "name": "Alice Example"},
        "technical_lead": {"handle": "bob", "name": "Bob Example"},
    },
    "war_room": {
        "channel": "#incident-20261102-checkout-is-down",
        "video_call": "https://meet.example.com/incident-inc-42",
        "shared_doc": "https://docs.example.com/incident-inc-42",
    },
    "organization": SAMPLE_ORGANIZATION,
    "now": _at(9, 30),
}

SAMPLE_UPDATE_CONTEXT: UpdateMessageContext = {
    **SAMPLE_CONTEXT,
    "update": {
        "status": "identified",
        "current_state": "Payment provider rejects requests after a certificate rotation",
        "next_steps": "Roll back the certificate change",
        "eta": "30 minutes",
        "need": "",
    },
}
