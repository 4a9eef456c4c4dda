"""The playbook file's schema (version 1): severities, roles, people, templates, and the rest.

Every model forbids unknown keys (a typo is an error, not a silently ignored setting) and is
frozen. Every section except ``version``, ``severities`` and ``templates`` has a default, so a
file written today keeps loading when later sections (escalation policies, schedules, monitors,
runbooks, ...) are added. The field docstrings are the reference users read; docs/playbook.md
follows them.

Constructing a ``Playbook`` also runs the cross-reference checks (``checks.py``) and raises
``PlaybookError`` listing every problem; the loader runs them itself to attach line numbers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from warroom.errors import PlaybookError
from warroom.incidents.lifecycle import Status
from warroom.playbook.checks import REQUIRED_ROLES, reference_problems
from warroom.playbook.drills import DrillScenario
from warroom.playbook.durations import Duration
from warroom.playbook.escalation import EscalationPolicy
from warroom.playbook.monitors import MonitorSpec
from warroom.playbook.notify import Notify
from warroom.playbook.oncall import Schedule
from warroom.playbook.statuspage import Announcements, Component, StatusPage
from warroom.playbook.triage import Triage

if TYPE_CHECKING:
    from warroom.playbook.context import IncidentContext, OrganizationContext, WarRoomContext

SKIP_REFERENCE_CHECKS = "warroom_skip_reference_checks"
"""Validation-context flag: the loader runs the reference checks itself, with line numbers."""

SEVERITY_KEY = r"^P[0-9]$"
ROLE_KEY = r"^[a-z][a-z0-9_]*$"
HANDLE = r"^[a-z0-9][a-z0-9._-]{0,39}$"
SLUG = r"^[a-z0-9][a-z0-9_-]*$"
PREFIX = r"^[A-Z]{1,10}$"
CONTACT_URL = r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$"

PATTERN_HINTS: dict[str, str] = {
    SEVERITY_KEY: 'expected a severity key "P0" to "P9"',
    ROLE_KEY: "expected a key of lowercase letters, digits and _ starting with a letter",
    HANDLE: 'expected a handle of up to 40 lowercase letters, digits, ".", "_" or "-"',
    SLUG: 'expected a name of lowercase letters, digits, "_" or "-"',
    PREFIX: "expected 1 to 10 uppercase letters",
    CONTACT_URL: 'expected an Apprise-style URL "scheme://...", such as mailto://a@example.com',
}
"""Human wording for each pattern, used by the loader's error messages."""


def _valid_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(
            f'unknown timezone "{name}"; use an IANA name like "UTC" or "Europe/London"'
        ) from None
    return name


SeverityKey = Annotated[str, StringConstraints(pattern=SEVERITY_KEY)]
RoleKey = Annotated[str, StringConstraints(pattern=ROLE_KEY)]
Handle = Annotated[str, StringConstraints(pattern=HANDLE)]
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=80)]
TimeZoneName = Annotated[str, AfterValidator(_valid_timezone)]
Text = Annotated[str, StringConstraints(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Organization(_Model):
    """Who runs the playbook and what the product is called in messages."""

    name: Text = "Our Organization"
    """The organization's name."""
    service: Text = "Production"
    """The product name used in messages ("**Service**: Pitchey Production")."""
    timezone: TimeZoneName = "UTC"
    """IANA zone for dates in channel names and messages."""
    incident_prefix: Annotated[str, StringConstraints(pattern=PREFIX)] = "INC"
    """Incidents are referenced as PREFIX-NUMBER, e.g. INC-42; 1-10 uppercase letters."""


class Severity(_Model):
    """One severity level; the mapping order of ``severities`` is the order of severity."""

    name: Text
    """Short name, e.g. "Critical"."""
    definition: Text
    """What makes an incident this severe."""
    response_time: Duration
    """Acknowledge within this long, e.g. "15m"."""
    examples: tuple[str, ...] = ()
    """Typical incidents of this severity."""
    escalation: str = ""
    """Who is pulled in, in words ("Immediate - All hands")."""
    declare: bool
    """true: a declared incident (war room, Incident Commander required); false: a ticket."""
    internal_update_every: Duration | None = None
    """Cadence of internal updates while the incident is open; none if unset."""


class Role(_Model):
    """A response role and what it covers (seed: IC, Technical Lead, Communications, Scribe)."""

    name: Text
    """Display name, e.g. "Incident Commander"."""
    responsibilities: Text
    """What the role does."""
    authority: str | None = None
    """What the role may decide on its own."""
    not_doing: str | None = None
    """What the role deliberately does not do."""
    reports_to: str | None = None
    """Key of the role this one reports to."""
    focus: str | None = None
    """Where the role's attention goes."""
    channels: tuple[str, ...] = ()
    """Channels the role communicates through."""
    frequency: str | None = None
    """How often the role acts, in words ("Every 30 minutes for P0/P1")."""
    output: str | None = None
    """What the role produces."""
    tools: tuple[str, ...] = ()
    """Tools the role uses."""


def default_roles() -> dict[str, Role]:
    """The four required roles with their seed names, for playbooks that leave roles out."""
    return {
        "incident_commander": Role(
            name="Incident Commander",
            responsibilities="Overall incident coordination, communication, decisions",
        ),
        "technical_lead": Role(
            name="Technical Lead",
            responsibilities="Technical investigation, solution implementation",
            reports_to="incident_commander",
        ),
        "communications_lead": Role(
            name="Communications Lead",
            responsibilities="Status updates, stakeholder communication",
        ),
        "scribe": Role(name="Scribe", responsibilities="Document timeline, actions, decisions"),
    }


class ContactMethod(_Model):
    """One way to reach a person: an Apprise-style URL (mailto://, slack://, json://, ...)."""

    url: Annotated[str, StringConstraints(pattern=CONTACT_URL)]
    """Where to send; may contain secrets, which dumps and pages redact."""
    label: str | None = None
    """A name for the method, e.g. "email" or "phone"."""


class Person(_Model):
    """Someone who can be paged or assigned a role."""

    handle: Handle
    """Unique lowercase handle, used as @handle in messages."""
    name: Text
    """Full name."""
    title: str | None = None
    """Job title, e.g. "Engineering Lead" (the seed escalates to people by title)."""
    timezone: TimeZoneName | None = None
    """The person's IANA zone; the organization's when unset."""
    contact: tuple[ContactMethod, ...] = ()
    """How to reach them, in order of preference."""


class Team(_Model):
    """A group of people that owns services."""

    name: Slug
    """Unique team name."""
    lead: str | None = None
    """Handle of the team lead (one of people)."""
    members: Annotated[tuple[str, ...], Field(min_length=1)]
    """Handles of the members (each one of people)."""


class Service(_Model):
    """Something that can be affected by an incident."""

    name: Slug
    """Unique service name."""
    description: str = ""
    """What the service is."""
    team: str | None = None
    """Name of the owning team (one of teams)."""


class WarRoom(_Model):
    """How the war room of a declared incident is named: Jinja templates.

    They see ``incident``, ``date`` (YYYYMMDD in organization.timezone), ``slug`` (the title,
    slugified to 40 characters) and ``organization``.
    """

    channel: Text = "#incident-{{ date }}-{{ slug }}"
    """Chat channel name."""
    video_call: str | None = None
    """Video call link, e.g. "https://meet.example.com/incident-{{ incident.ref | lower }}"."""
    shared_doc: str | None = None
    """Shared notes document link."""


class Templates(_Model):
    """Message templates (Jinja, rendered in a sandbox; see the template context in the docs)."""

    declaration: Text
    """The "@channel INCIDENT DECLARED" message posted when an incident is declared."""
    status_page: dict[Slug, Text]
    """Status page texts by stage; investigating, identified, monitoring, resolved are required."""
    internal_update: Text
    """The "**UPDATE**" message posted at each internal update."""


class LifecycleStage(_Model):
    """Guidance shown to responders while an incident is in one lifecycle state."""

    label: Text
    """Heading for the stage, e.g. "Detection & Triage"."""
    within: Duration | None = None
    """Target time, counted from detection, by which this stage should be done."""
    guidance: str = ""
    """What to do, in Markdown."""
    checks: tuple[str, ...] = ()
    """Commands or checks responders run at this stage."""


class Verification(_Model):
    """How a fix is verified before the incident moves on."""

    window: Duration = timedelta(minutes=15)
    """How long to watch the metrics after a fix ("monitor metrics for 15 minutes")."""


class ChecklistItem(_Model):
    """One item of the closure checklist."""

    id: Slug
    """Unique id, e.g. service_restored."""
    text: Text
    """The item as shown."""
    auto: (
        Literal[
            "no_open_alerts",
            "monitors_healthy",
            "resolved_update_posted",
            "stakeholders_notified",
            "postmortem_scheduled",
        ]
        | None
    ) = None
    """Checked by warroom from what it knows (see docs/postincident.md); null: ticked by a
    person. A person may still tick an automatic item that warroom cannot see done."""


class AgendaItem(_Model):
    """One item of the post-mortem meeting agenda."""

    title: Text
    """Agenda item."""
    minutes: Annotated[int, Field(gt=0)]
    """Time boxed for it."""


class Postmortem(_Model):
    """When a post-mortem is owed and how the meeting runs."""

    required_for: tuple[str, ...] = ()
    """Severity keys that require a post-mortem."""
    deadline: Duration = timedelta(hours=48)
    """Hold the post-mortem within this long of resolution."""
    agenda: tuple[AgendaItem, ...] = ()
    """The meeting agenda, in order."""

    def total_minutes(self) -> int:
        """Length of the meeting according to the agenda."""
        return sum(item.minutes for item in self.agenda)


class Playbook(_Model):
    """A whole playbook file."""

    version: Literal[1]
    """Schema version; must be 1."""
    organization: Organization = Field(default_factory=Organization)
    """Organization, product name, timezone and incident prefix."""
    severities: Annotated[dict[SeverityKey, Severity], Field(min_length=1)]
    """Severity levels by key, most severe first."""
    roles: dict[RoleKey, Role] = Field(default_factory=default_roles)
    """Response roles by key; incident_commander, technical_lead, communications_lead and
    scribe are required, more are allowed."""
    people: tuple[Person, ...] = ()
    """People who can respond."""
    teams: tuple[Team, ...] = ()
    """Teams of people."""
    services: tuple[Service, ...] = ()
    """Services incidents can affect."""
    war_room: WarRoom = Field(default_factory=WarRoom)
    """War room naming templates."""
    templates: Templates
    """Message templates."""
    lifecycle: dict[Status, LifecycleStage] = Field(default_factory=dict)
    """Guidance per lifecycle state (keys are lifecycle states such as detected, investigating)."""
    verification: Verification = Field(default_factory=Verification)
    """Fix verification."""
    closure_checklist: tuple[ChecklistItem, ...] = ()
    """What must be true before an incident is closed."""
    postmortem: Postmortem = Field(default_factory=Postmortem)
    """Post-mortem policy."""
    status_page: StatusPage = Field(default_factory=StatusPage)
    """The public status page's settings."""
    components: tuple[Component, ...] = ()
    """Components shown on the status page, each linked to services and monitors."""
    announcements: Announcements = Field(default_factory=Announcements)
    """Channels that hear "INCIDENT DECLARED" for the severities listed."""
    triage: Triage | None = None
    """Alert triage rules and grouping; the default playbook's rules when unset."""
    monitors: tuple[MonitorSpec, ...] = ()
    """Monitors that probe services on a schedule (see docs/monitors.md)."""
    schedules: tuple[Schedule, ...] = ()
    """On-call schedules: rotations in layers, restrictions and overrides (docs/engine.md)."""
    escalation_policies: dict[Slug, EscalationPolicy] = Field(default_factory=dict)
    """Escalation policies by name: levels of targets paged until someone acknowledges."""
    notify: Notify = Field(default_factory=Notify)
    """Notification delivery: channels, per-person rules, retries and semantics."""
    drills: tuple[DrillScenario, ...] = ()
    """Custom game-day drills beside the four built in (see docs/drills.md)."""

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Playbook:
        if info.context and info.context.get(SKIP_REFERENCE_CHECKS):
            return self
        problems = reference_problems(self.model_dump(mode="json"))
        if problems:
            raise PlaybookError(problems)
        return self

    def severity(self, key: str) -> Severity:
        """The severity with this key; KeyError naming the known keys if there is none."""
        try:
            return self.severities[key]
        except KeyError:
            known = ", ".join(self.severities)
            raise KeyError(f"unknown severity {key!r}; known: {known}") from None

    def severity_keys(self) -> list[str]:
        """Severity keys, most severe first."""
        return list(self.severities)

    def rank(self, key: str) -> int:
        """0 for the most severe level, 1 for the next, ...; KeyError for an unknown key."""
        self.severity(key)
        return self.severity_keys().index(key)

    def person(self, handle: str) -> Person | None:
        return next((p for p in self.people if p.handle == handle), None)

    def team(self, name: str) -> Team | None:
        return next((t for t in self.teams if t.name == name), None)

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)

    def role_keys(self) -> list[str]:
        """Role keys in file order (the required four first when roles are defaulted)."""
        return list(self.roles)

    def stage(self, status: Status | str) -> LifecycleStage | None:
        """Guidance for a lifecycle state, if the playbook has any."""
        return self.lifecycle.get(Status(status))

    def organization_context(self) -> OrganizationContext:
        """``organization`` as templates see it."""
        return {"name": self.organization.name, "service": self.organization.service}

    def render_war_room(
        self, incident: IncidentContext, *, at: datetime | None = None
    ) -> WarRoomContext:
        """Render war_room.channel / video_call / shared_doc for an incident."""
        from warroom.playbook.context import war_room_context
        from warroom.playbook.templates import render

        ctx = war_room_context(
            incident, self.organization_context(), timezone=self.organization.timezone, at=at
        )
        optional = {"video_call": self.war_room.video_call, "shared_doc": self.war_room.shared_doc}
        rendered = {k: render(v, ctx).strip() if v else None for k, v in optional.items()}
        return {
            "channel": render(self.war_room.channel, ctx).strip(),
            "video_call": rendered["video_call"],
            "shared_doc": rendered["shared_doc"],
        }


__all__ = [
    "REQUIRED_ROLES",
    "AgendaItem",
    "ChecklistItem",
    "ContactMethod",
    "LifecycleStage",
    "Organization",
    "Person",
    "Playbook",
    "Postmortem",
    "Role",
    "Service",
    "Severity",
    "Team",
    "Templates",
    "Verification",
    "WarRoom",
]
