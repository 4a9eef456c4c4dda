"""Scheduled maintenance: create, start, (verify,) complete. Starting puts its components under
maintenance; completing puts them back to operational. Every step is a public update."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.playbook import Playbook
from warroom.statuspage import components, ids, version
from warroom.statuspage.models import BODY_MAX, NAME_MAX, Maintenance, PublicUpdate
from warroom.statuspage.status import check_impact

# The maintenance lifecycle as one literal table.
TRANSITIONS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"in_progress", "completed"}),
    "in_progress": frozenset({"verifying", "completed"}),
    "verifying": frozenset({"in_progress", "completed"}),
    "completed": frozenset(),
}
DEFAULT_BODIES = {
    "scheduled": "Scheduled maintenance: {name}.",
    "in_progress": "Scheduled maintenance is currently in progress. We will provide updates as "
    "necessary.",
    "verifying": "Verification is currently underway for the maintenance items.",
    "completed": "The scheduled maintenance has been completed.",
}


def get(session: Session, public_id: str, *, lock: bool = False) -> Maintenance:
    """The maintenance with this public id."""
    query = select(Maintenance).where(Maintenance.public_id == public_id)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"no scheduled maintenance {public_id!r}")
    return row


def list_all(session: Session, *, limit: int = 50) -> list[Maintenance]:
    """Maintenance windows, soonest scheduled first among the most recent ``limit``."""
    rows = session.scalars(
        select(Maintenance).order_by(Maintenance.scheduled_for.desc()).limit(limit)
    )
    return list(rows)


def _clean_body(body: str | None, status: str, name: str) -> str:
    if body is None:
        return DEFAULT_BODIES[status].format(name=name)
    text = body.strip()
    if not text:
        raise InvalidInput("body must not be empty", field="body")
    if len(text) > BODY_MAX:
        raise InvalidInput(f"body is {len(text)} characters; at most {BODY_MAX}", field="body")
    return text


def create(
    session: Session,
    *,
    playbook: Playbook,
    actor: str,
    now: datetime,
    name: str,
    scheduled_for: datetime,
    scheduled_until: datetime,
    component_keys: Sequence[str],
    body: str | None = None,
    impact: str = "maintenance",
) -> Maintenance:
    """Schedule a maintenance window on some components."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("name must not be empty", field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"name is {len(name)} characters; at most {NAME_MAX}", field="name")
    for field, when in (("scheduled_for", scheduled_for), ("scheduled_until", scheduled_until)):
        if when.tzinfo is None:
            raise InvalidInput(
                f"{field} needs a UTC offset, e.g. 2026-11-02T22:00:00Z", field=field
            )
    if scheduled_until <= scheduled_for:
        raise InvalidInput("scheduled_until must be after scheduled_for", field="scheduled_until")
    if impact != "maintenance":
        check_impact(impact)
    keys = list(dict.fromkeys(component_keys))
    if not keys:
        raise InvalidInput("name at least one component", field="components")
    for key in keys:
        components.find(playbook, key)
    text = _clean_body(body, "scheduled", name)
    row = Maintenance(
        public_id=ids.new_id(),
        name=name,
        status="scheduled",
        impact=impact,
        components=keys,
        scheduled_for=scheduled_for,
        scheduled_until=scheduled_until,
        created_at=now,
        updated_at=now,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    _add_update(session, row, "scheduled", text, [], actor, now)
    version.bump(session)
    return row


def advance(
    session: Session,
    *,
    playbook: Playbook,
    public_id: str,
    to: str,
    actor: str,
    now: datetime,
    body: str | None = None,
) -> Maintenance:
    """Move a maintenance to ``to`` (in_progress, verifying or completed), with a public update."""
    row = get(session, public_id, lock=True)
    if to not in TRANSITIONS:
        raise InvalidInput(
            f"invalid maintenance status {to!r}; expected one of: {', '.join(TRANSITIONS)}",
            field="status",
        )
    allowed = TRANSITIONS[row.status]
    if to not in allowed:
        raise Conflict(
            f"maintenance {public_id} cannot go from '{row.status}' to '{to}'; allowed: "
            f"{', '.join(sorted(allowed)) or 'none (completed)'}"
        )
    text = _clean_body(body, to, row.name)
    new_component = {"in_progress": "under_maintenance", "completed": "operational"}.get(to)
    affected = []
    if new_component is not None:
        for key in row.components:
            try:
                component = components.find(playbook, key)
            except InvalidInput:
                continue  # removed from the playbook since; nothing to set
            # Maintenance holds its components against automation until it is completed.
            old, _ = components.set_status(
                session,
                playbook=playbook,
                key=key,
                status=new_component,
                actor=actor,
                now=now,
                automatic=to == "completed",
                reason=f"maintenance {row.public_id} {to.replace('_', ' ')}",
            )
            affected.append(
                {
                    "code": ids.stable_id("component", key),
                    "name": component.name,
                    "old_status": old,
                    "new_status": new_component,
                }
            )
    row.status = to
    row.updated_at = now
    if to == "in_progress" and row.started_at is None:
        row.started_at = now
    if to == "completed":
        row.resolved_at = now
    _add_update(session, row, to, text, affected, actor, now)
    version.bump(session)
    return row


def _add_update(
    session: Session,
    row: Maintenance,
    status: str,
    body: str,
    affected: list[dict[str, str]],
    actor: str,
    now: datetime,
) -> None:
    session.add(
        PublicUpdate(
            public_id=ids.new_id(),
            maintenance_id=row.id,
            status=status,
            body=body,
            affected_components=affected,
            created_at=now,
            actor=actor,
        )
    )


def latest_body(session: Session, row: Maintenance) -> str:
    """The text of the maintenance's newest update."""
    session.flush()
    text = session.scalar(
        select(PublicUpdate.body)
        .where(PublicUpdate.maintenance_id == row.id)
        .order_by(PublicUpdate.id.desc())
        .limit(1)
    )
    return text or row.name
