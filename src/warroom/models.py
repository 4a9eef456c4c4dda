"""Imports every domain's models so Base.metadata knows all tables (for Alembic and tests)."""

from warroom.actions.models import ActionItem
from warroom.alerts.models import Alert, Silence
from warroom.auth.models import ApiToken
from warroom.changes.models import Change
from warroom.closure.models import ClosureCheck
from warroom.db import Base
from warroom.drills.models import Drill
from warroom.escalation.models import Escalation
from warroom.incidents.models import Incident
from warroom.integrations.models import Integration
from warroom.monitors.models import Monitor, MonitorResult, MonitorRollup
from warroom.notify.models import Notification
from warroom.postmortems.models import Postmortem
from warroom.reminders.models import Timer
from warroom.roles.models import RoleAssignment
from warroom.statuspage.models import (
    ComponentState,
    Maintenance,
    PageVersion,
    PublicIncident,
    PublicUpdate,
    Subscription,
)
from warroom.timeline.models import TimelineEvent

__all__ = [
    "ActionItem",
    "Alert",
    "ApiToken",
    "Base",
    "Change",
    "ClosureCheck",
    "ComponentState",
    "Drill",
    "Escalation",
    "Incident",
    "Integration",
    "Maintenance",
    "Monitor",
    "MonitorResult",
    "MonitorRollup",
    "Notification",
    "PageVersion",
    "Postmortem",
    "PublicIncident",
    "PublicUpdate",
    "RoleAssignment",
    "Silence",
    "Subscription",
    "TimelineEvent",
    "Timer",
]
