"""/api/v1/incidents/{ref}/checklist: the closure checklist, and ticking items by hand."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.api.schemas import Strict
from warroom.closure import service as closure
from warroom.closure.service import ItemState
from warroom.incidents import service as incidents

router = APIRouter(prefix="/api/v1/incidents", tags=["closure"])


class TickIn(Strict):
    done: bool = Field(default=True, description="false unticks the item")
    note: str = Field(default="", max_length=2000, description="How it was checked")


class ItemOut(BaseModel):
    id: str
    text: str
    auto: str | None
    done: bool
    checked_by: str | None = Field(description="auto, manual, or null while open")
    note: str
    by: str | None
    at: datetime | None


class OverrideOut(BaseModel):
    by: str
    at: datetime
    reason: str
    open_items: list[str]


class ChecklistOut(BaseModel):
    ref: str
    status: str
    complete: bool
    open_items: list[str]
    items: list[ItemOut]
    overrides: list[OverrideOut]


def _item(state: ItemState) -> ItemOut:
    return ItemOut(
        id=state.id,
        text=state.text,
        auto=state.auto,
        done=state.done,
        checked_by=state.checked_by,
        note=state.note,
        by=state.by,
        at=state.at,
    )


@router.get("/{ref}/checklist", response_model=ChecklistOut)
def show(ref: str, session: SessionDep, playbook: PlaybookDep, _actor: Viewer) -> ChecklistOut:
    incident = incidents.get(session, ref, playbook=playbook)
    items = closure.checklist(session, playbook=playbook, incident=incident)
    return ChecklistOut(
        ref=incidents.ref_of(incident, playbook),
        status=incident.status,
        complete=all(i.done for i in items),
        open_items=[i.id for i in items if not i.done],
        items=[_item(i) for i in items],
        overrides=[
            OverrideOut(by=o.by, at=o.at, reason=o.reason, open_items=o.open_items)
            for o in closure.overrides(session, incident_id=incident.id)
        ],
    )


@router.put("/{ref}/checklist/{item}", response_model=ItemOut)
def tick(
    ref: str,
    item: str,
    body: TickIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> ItemOut:
    incident = incidents.get(session, ref, playbook=playbook, lock=True)
    state = closure.tick(
        session,
        playbook=playbook,
        incident=incident,
        item=item,
        done=body.done,
        note=body.note,
        actor=actor.label,
        now=now,
    )
    return _item(state)
