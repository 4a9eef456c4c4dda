"""Engine job: maintenance windows start and complete themselves at their scheduled times, as
Statuspage's auto-transitions do; responders may still start or complete one early by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from warroom.playbook import Playbook
from warroom.statuspage import maintenance
from warroom.statuspage.models import Maintenance
from warroom.updates import subscriptions

ACTOR = "warroom"
BATCH = 50


class MaintenanceWindows:
    """Start due windows and complete ended ones, each with its public update and notices."""

    name = "maintenance_windows"

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook

    def run(self, session: Session, now: datetime) -> int:
        """Advance every window whose time has come; idempotent (the status is the marker)."""
        query = (
            select(Maintenance.public_id, Maintenance.status, Maintenance.scheduled_until)
            .where(
                or_(
                    and_(Maintenance.status == "scheduled", Maintenance.scheduled_for <= now),
                    and_(
                        Maintenance.status.in_(["in_progress", "verifying"]),
                        Maintenance.scheduled_until <= now,
                    ),
                )
            )
            .order_by(Maintenance.scheduled_for)
            .limit(BATCH)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        done = 0
        for public_id, status, until in session.execute(query).all():
            # A window found late may already be over: complete it without starting it.
            to = "in_progress" if status == "scheduled" and until > now else "completed"
            row = maintenance.advance(
                session, playbook=self.playbook, public_id=public_id, to=to, actor=ACTOR, now=now
            )
            subscriptions.notify_maintenance_step(session, playbook=self.playbook, now=now, row=row)
            done += 1
        return done
