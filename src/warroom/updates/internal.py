"""Internal updates: the seed's "**UPDATE**" block (Status, Current State, Next Steps, ETA,
Need), posted to the timeline as ``internal_update`` events. The engine's reminder job reads the
newest such event to know whether the cadence (30 minutes for P0/P1) was kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.errors import Conflict, InvalidInput
from warroom.incidents import service as incidents
from warroom.incidents.lifecycle import Status
from warroom.incidents.messages import template_context
from warroom.incidents.models import Incident
from warroom.playbook import Playbook, render
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind, TimelineEvent
from warroom.updates.public import holders

FIELD_MAX = 2_000
FIELDS = ("current_state", "next_steps", "eta", "need")


@dataclass(frozen=True)
class InternalDraft:
    """The rendered update and the fields it was made from."""

    ref: str
    body: str
    fields: dict[str, str | None]


def _status(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip().lower().replace(" ", "_")
    if key not in {s.value for s in Status}:
        raise InvalidInput(
            f"invalid status {value!r}; expected a lifecycle state: "
            f"{', '.join(s.value for s in Status)}",
            field="status",
        )
    return key


def _text(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > FIELD_MAX:
        raise InvalidInput(f"{name} is {len(text)} characters; at most {FIELD_MAX}", field=name)
    return text or None


def draft(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    now: datetime,
    status: str | None = None,
    current_state: str | None = None,
    next_steps: str | None = None,
    eta: str | None = None,
    need: str | None = None,
    body: str | None = None,
) -> InternalDraft:
    """Check the fields and render ``templates.internal_update`` (or take an edited body)."""
    ref = incidents.ref_of(incident, playbook)
    fields: dict[str, str | None] = {
        "status": _status(status),
        "current_state": _text("current_state", current_state),
        "next_steps": _text("next_steps", next_steps),
        "eta": _text("eta", eta),
        "need": _text("need", need),
    }
    if body is not None:
        text = body.strip()
        if not text:
            raise InvalidInput("body must not be empty", field="body")
    else:
        if fields["current_state"] is None:
            raise InvalidInput(
                "an internal update needs at least the current state (current_state)",
                field="current_state",
            )
        context = template_context(incident, playbook, holders=holders(session, incident), now=now)
        context["update"] = dict(fields)
        text = render(playbook.templates.internal_update, context).strip()
    fields["status"] = fields["status"] or incident.status
    return InternalDraft(ref=ref, body=text, fields=fields)


def post(
    session: Session,
    *,
    playbook: Playbook,
    ref: str,
    actor: str,
    now: datetime,
    dry_run: bool = False,
    status: str | None = None,
    current_state: str | None = None,
    next_steps: str | None = None,
    eta: str | None = None,
    need: str | None = None,
    body: str | None = None,
) -> tuple[InternalDraft, TimelineEvent | None]:
    """Post an internal update as an ``internal_update`` timeline event (data has the fields)."""
    incident = incidents.get(session, ref, playbook=playbook, lock=not dry_run)
    if incident.status == Status.CLOSED:
        raise Conflict(
            f"{incidents.ref_of(incident, playbook)} is closed; internal updates can no longer "
            "be posted to it"
        )
    chosen = draft(
        session,
        playbook=playbook,
        incident=incident,
        now=now,
        status=status,
        current_state=current_state,
        next_steps=next_steps,
        eta=eta,
        need=need,
        body=body,
    )
    if dry_run:
        return chosen, None
    event = timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.INTERNAL_UPDATE,
        actor=actor,
        now=now,
        body=chosen.body,
        data=dict(chosen.fields),
    )
    session.flush()
    return chosen, event
