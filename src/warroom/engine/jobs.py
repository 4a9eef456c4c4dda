"""The engine jobs of escalation, reminders and notification delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.escalation import service as escalation
from warroom.notify import delivery
from warroom.notify.sender import AppriseSender, Sender
from warroom.playbook import Playbook
from warroom.reminders import updates


@dataclass
class EscalationJob:
    """Start policies of new incidents, stop acknowledged ones, page levels that are due."""

    playbook: Playbook
    batch: int = 200
    name: str = "escalation"

    def run(self, session: Session, now: datetime) -> int:
        done = escalation.settle(session, now=now, limit=self.batch)
        done += escalation.start_due(session, playbook=self.playbook, now=now, limit=self.batch)
        done += escalation.advance_due(session, playbook=self.playbook, now=now, limit=self.batch)
        return done


@dataclass
class InternalUpdateReminderJob:
    """Remind the IC and Communications Lead when an internal update is overdue."""

    playbook: Playbook
    batch: int = 200
    name: str = "internal_update_reminders"

    def run(self, session: Session, now: datetime) -> int:
        started = updates.start_due(session, playbook=self.playbook, now=now, limit=self.batch)
        return started + updates.remind_due(
            session, playbook=self.playbook, now=now, limit=self.batch
        )


@dataclass
class DeliveryJob:
    """Send due notifications through Apprise; commits each claim and outcome itself."""

    playbook: Playbook
    sender: Sender = field(default_factory=AppriseSender)
    batch: int = 50
    name: str = "notification_delivery"

    def run(self, session: Session, now: datetime) -> int:
        return delivery.deliver_due(
            session, playbook=self.playbook, now=now, sender=self.sender, limit=self.batch
        )


def engine_jobs(
    playbook: Playbook,
) -> list[EscalationJob | InternalUpdateReminderJob | DeliveryJob]:
    """This feature's jobs in cycle order: pages queued in a cycle are sent in the same cycle."""
    return [EscalationJob(playbook), InternalUpdateReminderJob(playbook), DeliveryJob(playbook)]
