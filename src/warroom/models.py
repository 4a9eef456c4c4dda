"""Imports every domain's models so Base.metadata knows all tables (for Alembic and tests)."""

from warroom.auth.models import ApiToken
from warroom.db import Base
from warroom.incidents.models import Incident
from warroom.roles.models import RoleAssignment
from warroom.timeline.models import TimelineEvent

__all__ = ["ApiToken", "Base", "Incident", "RoleAssignment", "TimelineEvent"]
