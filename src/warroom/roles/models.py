"""Who held which incident role, from when to when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base, UTCDateTime


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    __table_args__ = (
        Index("ix_role_assignments_incident_role", "incident_id", "role"),
        # At most one current holder per role and incident, even with concurrent writers.
        Index(
            "uq_role_assignments_current",
            "incident_id",
            "role",
            unique=True,
            sqlite_where=text("relieved_at IS NULL"),
            postgresql_where=text("relieved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    role: Mapped[str] = mapped_column(String(40))
    person: Mapped[str] = mapped_column(String(40))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by: Mapped[str] = mapped_column(String(80))
    # Null while the person holds the role.
    relieved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    relieved_by: Mapped[str | None] = mapped_column(String(80))
