"""Components: the playbook says which exist; rows keep each one's current status. Responders
set it; open incidents (and monitors, where present) suggest it, and automation applies the
suggestion while no responder's setting holds (``automatic.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import InvalidInput
from warroom.playbook import Playbook
from warroom.playbook.statuspage import Component
from warroom.statuspage import ids, version
from warroom.statuspage.models import REASON_MAX, ComponentState
from warroom.statuspage.status import check_component_status, worst_component_status

# Reported as created_at/updated_at of a component nobody has set yet (Statuspage always has them).
NEVER_SET = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ComponentView:
    """A component as the page shows it."""

    key: str
    id: str
    name: str
    description: str
    status: str
    group: str | None
    group_id: str | None
    position: int
    created_at: datetime
    updated_at: datetime
    only_show_if_degraded: bool
    monitors: tuple[str, ...]
    automatic: bool = True
    reason: str = ""


@dataclass(frozen=True)
class GroupView:
    """A group of components; its status is its worst member's."""

    id: str
    name: str
    position: int
    component_ids: tuple[str, ...]
    status: str
    created_at: datetime
    updated_at: datetime


def find(playbook: Playbook, key: str) -> Component:
    """The playbook's component with this key, or InvalidInput naming the known keys."""
    for component in playbook.components:
        if component.key == key:
            return component
    known = (
        ", ".join(c.key for c in playbook.components) or "(none: the playbook has no components)"
    )
    raise InvalidInput(f"unknown component {key!r}; the components are: {known}", field="component")


def states(session: Session) -> dict[str, ComponentState]:
    """Every stored component state by key."""
    return {row.key: row for row in session.scalars(select(ComponentState))}


def views(playbook: Playbook, rows: dict[str, ComponentState]) -> list[ComponentView]:
    """The playbook's components in file order, with their stored statuses."""
    out = []
    for position, component in enumerate(playbook.components, start=1):
        row = rows.get(component.key)
        out.append(
            ComponentView(
                key=component.key,
                id=ids.stable_id("component", component.key),
                name=component.name,
                description=component.description,
                status=row.status if row else "operational",
                group=component.group,
                group_id=ids.stable_id("group", component.group) if component.group else None,
                position=position,
                created_at=row.created_at if row else NEVER_SET,
                updated_at=row.updated_at if row else NEVER_SET,
                only_show_if_degraded=component.only_show_if_degraded,
                monitors=component.monitors,
                automatic=row.automatic if row else True,
                reason=row.reason if row else "",
            )
        )
    return out


def groups(components: list[ComponentView]) -> list[GroupView]:
    """Groups in order of their first member, each with its members and worst status."""
    members: dict[str, list[ComponentView]] = {}
    for view in components:
        if view.group is not None:
            members.setdefault(view.group, []).append(view)
    return [
        GroupView(
            id=ids.stable_id("group", name),
            name=name,
            position=group[0].position,
            component_ids=tuple(v.id for v in group),
            status=worst_component_status(v.status for v in group),
            created_at=min(v.created_at for v in group),
            updated_at=max(v.updated_at for v in group),
        )
        for name, group in members.items()
    ]


def set_status(
    session: Session,
    *,
    playbook: Playbook,
    key: str,
    status: str,
    actor: str,
    now: datetime,
    automatic: bool = False,
    reason: str | None = None,
    held_for_incident_id: int | None = None,
) -> tuple[str, str]:
    """Set one component's status; returns (old, new). Bumps the page version on change.

    A responder's setting (``automatic=False``) holds against automation until they hand the
    component back, or until ``held_for_incident_id`` is resolved; ``reason`` says why.
    """
    find(playbook, key)
    check_component_status(status)
    why = (reason if reason is not None else f"set by {actor}")[:REASON_MAX]
    row = session.get(ComponentState, key, with_for_update=True)
    old = row.status if row else "operational"
    if row is None:
        row = ComponentState(key=key, status=status, created_at=now, updated_at=now)
        session.add(row)
    if old != status:
        row.status = status
        row.updated_at = now
    row.updated_by = actor
    row.automatic = automatic
    row.reason = why
    row.held_for_incident_id = None if automatic else held_for_incident_id
    if old != status:
        version.bump(session)
    return old, status
