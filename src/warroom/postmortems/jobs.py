"""Engine jobs of the post-incident features; each is idempotent and claims rows with
SKIP LOCKED, so several engines can run them side by side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.actions import service as actions
from warroom.playbook import Playbook
from warroom.postmortems import service as postmortems


@dataclass
class CreateOwedPostmortems:
    """Open a post-mortem for every resolved incident of a severity that requires one."""

    playbook: Playbook
    name: str = "postmortems.create"

    def run(self, session: Session, now: datetime) -> int:
        return postmortems.create_owed(session, playbook=self.playbook, now=now)


@dataclass
class RemindPostmortems:
    """Remind owners before a post-mortem is due."""

    playbook: Playbook
    name: str = "postmortems.remind"

    def run(self, session: Session, now: datetime) -> int:
        return postmortems.remind_due(session, playbook=self.playbook, now=now)


@dataclass
class EscalateOverduePostmortems:
    """Escalate post-mortems past their deadline."""

    playbook: Playbook
    name: str = "postmortems.escalate"

    def run(self, session: Session, now: datetime) -> int:
        return postmortems.escalate_overdue(session, playbook=self.playbook, now=now)


@dataclass
class RemindOverdueActionItems:
    """Remind owners of overdue action items, once a day."""

    playbook: Playbook
    name: str = "action_items.remind"

    def run(self, session: Session, now: datetime) -> int:
        return actions.remind_overdue(session, playbook=self.playbook, now=now)


PostIncidentJob = (
    CreateOwedPostmortems
    | RemindPostmortems
    | EscalateOverduePostmortems
    | RemindOverdueActionItems
)


def jobs(playbook: Playbook) -> list[PostIncidentJob]:
    """The post-incident jobs, in the order they should run."""
    return [
        CreateOwedPostmortems(playbook),
        RemindPostmortems(playbook),
        EscalateOverduePostmortems(playbook),
        RemindOverdueActionItems(playbook),
    ]
