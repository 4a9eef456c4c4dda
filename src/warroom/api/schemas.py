"""Request and response bodies of the HTTP API. Requests refuse unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- requests -------------------------------------------------------------------------------


class DeclareIn(Strict):
    title: str = Field(min_length=1, max_length=200, description="What is wrong, in a line")
    severity: str = Field(description="A severity key from the playbook, e.g. P0")
    service: str = Field(description="The affected service, from the playbook's services")
    impact: str = Field(default="", max_length=4000, description="User impact, in words")
    impact_started_at: AwareDatetime | None = Field(
        default=None, description="When users were first affected, if known"
    )
    detected_at: AwareDatetime | None = Field(
        default=None, description="When it was detected; now when omitted"
    )
    commander: str | None = Field(
        default=None,
        description="Incident Commander for a declared incident; the declaring person by default",
    )
    status: Literal["detected", "triaged", "declared"] | None = Field(
        default=None,
        description="Initial state; declared for P0/P1 and triaged for tickets by default",
    )


class UpdateIn(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    impact: str | None = Field(default=None, max_length=4000)
    service: str | None = None
    severity: str | None = None
    impact_started_at: AwareDatetime | None = None
    detected_at: AwareDatetime | None = None


class TransitionIn(Strict):
    to: str = Field(description="The state to move to")
    note: str | None = Field(default=None, max_length=4000, description="Why, for the timeline")
    override: str | None = Field(
        default=None,
        max_length=2000,
        description="Closing with closure-checklist items open: the reason (IC or admin only)",
    )


class RoleIn(Strict):
    person: str = Field(min_length=1, max_length=41, description="A person's playbook handle")


class TimelineIn(Strict):
    kind: Literal["note", "decision", "action"] = "note"
    body: str = Field(min_length=1, max_length=10_000)
    at: AwareDatetime | None = Field(
        default=None, description="When it happened, if earlier than now"
    )


class TokenIn(Strict):
    name: str = Field(min_length=1, max_length=80)
    role: Literal["admin", "responder", "viewer"]
    person: str | None = Field(default=None, description="The person acting with this token")


# -- responses ------------------------------------------------------------------------------


class RoleHolderOut(BaseModel):
    role: str
    role_name: str
    person: str
    name: str
    since: datetime


class WarRoomOut(BaseModel):
    channel: str | None
    video_call: str | None
    shared_doc: str | None


class IncidentOut(BaseModel):
    ref: str
    id: int
    title: str
    kind: Literal["incident", "ticket"]
    severity: str
    severity_name: str
    status: str
    service: str
    impact: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    impact_started_at: datetime | None
    detected_at: datetime
    declared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledge_by: datetime = Field(description="When acknowledgement is due")
    acknowledgement_overdue: bool
    mitigated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    allowed_transitions: list[str]
    roles: dict[str, RoleHolderOut]
    war_room: WarRoomOut | None
    drill: bool = Field(default=False, description="Produced by a game-day drill")
    declaration_message: str | None = None


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    total: int
    limit: int
    offset: int


class TimelineEventOut(BaseModel):
    id: int
    at: datetime
    recorded_at: datetime
    kind: str
    actor: str
    body: str
    data: dict[str, Any]


class TimelineOut(BaseModel):
    ref: str
    events: list[TimelineEventOut]


class RoleAssignmentOut(BaseModel):
    role: str
    person: str
    assigned_at: datetime
    assigned_by: str
    relieved_at: datetime | None
    relieved_by: str | None


class RolesOut(BaseModel):
    current: dict[str, RoleHolderOut]
    history: list[RoleAssignmentOut]


class TokenOut(BaseModel):
    name: str
    role: str
    person: str | None
    prefix: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret; shown only in this response")


class WhoAmIOut(BaseModel):
    name: str
    role: str
    person: str | None
