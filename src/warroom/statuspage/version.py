"""The page version: one counter row bumped by every change of public state.

Caches in every API process compare the version they built from with this row, so a change made
through any process (or the engine) reaches every cache without a message bus.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warroom.statuspage.models import PageVersion

ROW = 1


def current(session: Session) -> int:
    """The version of the public state as this transaction sees it."""
    return session.scalar(select(PageVersion.version).where(PageVersion.id == ROW)) or 0


def bump(session: Session) -> None:
    """Mark the public state changed; becomes visible to caches when the transaction commits."""
    result = session.execute(
        update(PageVersion).where(PageVersion.id == ROW).values(version=PageVersion.version + 1)
    )
    if getattr(result, "rowcount", 1) == 0:
        # The migration inserts the row; a truncated table (tests) gets it back here.
        session.add(PageVersion(id=ROW, version=1))
        session.flush()
