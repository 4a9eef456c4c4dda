"""The closure checklist of an incident, ticking items, and the gate on closing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.closure import auto
from warroom.closure.models import ClosureCheck
from warroom.errors import Conflict, Forbidden, InvalidInput, NotFound
from warroom.incidents import service as incidents
from warroom.incidents.lifecycle import Kind
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.roles import service as roles
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind, TimelineEvent

NOTE_MAX = 2000
REASON_MAX = 2000


@dataclass(frozen=True)
class ItemState:
    """One checklist item as it stands: done or not, and who or what says so."""

    id: str
    text: str
    auto: str | None
    done: bool
    # "auto" when warroom found it done, "manual" when a person ticked it, None when open.
    checked_by: str | None
    note: str
    by: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Override:
    """An IC or admin closing with items open."""

    by: str
    at: datetime
    reason: str
    open_items: list[str]


def checklist(session: Session, *, playbook: Playbook, incident: Incident) -> list[ItemState]:
    """Every item of the playbook's closure checklist, evaluated now."""
    ticks = {
        row.item: row
        for row in session.scalars(
            select(ClosureCheck).where(ClosureCheck.incident_id == incident.id)
        )
    }
    states = []
    for item in playbook.closure_checklist:
        tick = ticks.get(item.id)
        verdict = (
            auto.evaluate(session, playbook=playbook, incident=incident, auto=item.auto)
            if item.auto
            else None
        )
        if tick is not None and tick.done:
            states.append(
                ItemState(
                    item.id, item.text, item.auto, True, "manual", tick.note, tick.by, tick.at
                )
            )
        elif verdict is not None and verdict.done:
            states.append(ItemState(item.id, item.text, item.auto, True, "auto", verdict.note))
        else:
            note = verdict.note if verdict else (tick.note if tick else "")
            states.append(ItemState(item.id, item.text, item.auto, False, None, note))
    return states


def open_items(session: Session, *, playbook: Playbook, incident: Incident) -> list[ItemState]:
    """The items still open."""
    return [s for s in checklist(session, playbook=playbook, incident=incident) if not s.done]


def tick(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    item: str,
    done: bool,
    actor: str,
    now: datetime,
    note: str = "",
) -> ItemState:
    """Tick (or untick) one item by hand; recorded on the timeline."""
    known = {i.id: i for i in playbook.closure_checklist}
    if item not in known:
        raise NotFound(
            f"no closure-checklist item {item!r}; the playbook's items are: "
            f"{', '.join(known) or '(none)'}",
            field="item",
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"note is {len(note)} characters; at most {NOTE_MAX}", field="note")
    if incident.status == "closed":
        raise Conflict("the incident is closed; its checklist can no longer change")
    row = session.scalar(
        select(ClosureCheck).where(
            ClosureCheck.incident_id == incident.id, ClosureCheck.item == item
        )
    )
    if row is None:
        row = ClosureCheck(incident_id=incident.id, item=item)
        session.add(row)
    row.done, row.note, row.by, row.at = done, note, actor, now
    text = known[item].text
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.CHECKLIST,
        actor=actor,
        now=now,
        body=f"{'Checked' if done else 'Unchecked'}: {text}" + (f" — {note}" if note else ""),
        data={"item": item, "done": done, "note": note or None},
    )
    session.flush()
    state = next(
        s for s in checklist(session, playbook=playbook, incident=incident) if s.id == item
    )
    return state


def check_close(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    ref: str,
    actor: str,
    actor_is_admin: bool,
    now: datetime,
    override_reason: str | None,
) -> None:
    """Refuse to close with open items unless the IC or an admin overrides with a reason.

    Only declared incidents are gated: tickets (P2/P3) follow the seed's lighter path and close
    freely, though their checklist can still be read and ticked.
    """
    reason = (override_reason or "").strip()
    if override_reason is not None and not reason:
        raise InvalidInput("an override needs a reason", field="override_reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            f"override reason is {len(reason)} characters; at most {REASON_MAX}",
            field="override_reason",
        )
    if incidents.kind_of(incident, playbook) is not Kind.INCIDENT:
        return
    still_open = open_items(session, playbook=playbook, incident=incident)
    if not still_open:
        return
    names = [s.id for s in still_open]
    listing = "; ".join(f"{s.id} ({s.text})" for s in still_open)
    if not reason:
        raise Conflict(
            f"{ref} cannot be closed: closure-checklist items are open: {listing}. Tick them "
            f"(PUT /api/v1/incidents/{ref}/checklist/ITEM) or have the Incident Commander or "
            "an admin close with an override reason",
            open_items=names,
        )
    holder = roles.current(session, incident_id=incident.id).get(roles.INCIDENT_COMMANDER)
    commander = f"@{holder.person}" if holder else None
    if not actor_is_admin and actor != commander:
        raise Forbidden(
            f"only the Incident Commander ({commander or 'none assigned'}) or an admin may "
            f"close {ref} with open checklist items",
            open_items=names,
        )
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.CHECKLIST,
        actor=actor,
        now=now,
        body=f"Closure override with open items ({', '.join(names)}): {reason}",
        data={"override": True, "reason": reason, "open_items": names},
    )


def overrides(session: Session, *, incident_id: int) -> list[Override]:
    """Every closure override recorded for the incident, oldest first."""
    events = session.scalars(
        select(TimelineEvent)
        .where(
            TimelineEvent.incident_id == incident_id,
            TimelineEvent.kind == EventKind.CHECKLIST.value,
        )
        .order_by(TimelineEvent.at, TimelineEvent.id)
    )
    found = []
    for event in events:
        data: dict[str, Any] = event.data or {}
        if data.get("override"):
            found.append(
                Override(
                    by=event.actor,
                    at=event.at,
                    reason=str(data.get("reason", "")),
                    open_items=list(data.get("open_items") or []),
                )
            )
    return found
