"""The one shape every engine job has."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session


class Job(Protocol):
    """A unit of background work.

    ``run`` does whatever is due at ``now`` and returns how many things it did. It must be
    idempotent (running it twice at the same ``now`` does nothing more) and safe beside other
    engines on PostgreSQL: claim rows with ``FOR UPDATE SKIP LOCKED`` so two engines never take
    the same work. It never commits; the runner commits each job's work as one transaction.
    """

    name: str

    def run(self, session: Session, now: datetime) -> int: ...
