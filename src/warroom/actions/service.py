"""Action items: create, edit, list (overdue, by owner), remind owners of overdue ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.actions.models import TITLE_MAX, ActionItem
from warroom.errors import InvalidInput, NotFound
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.postmortems import notices
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

MAX_PAGE = 500
BATCH = 100


class ItemStatus(StrEnum):
    TO_DO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WONT_DO = "wont_do"


class ItemKind(StrEnum):
    PREVENTIVE = "preventive"
    PROCESS = "process"
    MONITORING = "monitoring"


OPEN_STATUSES = (ItemStatus.TO_DO.value, ItemStatus.IN_PROGRESS.value)
STATUS_LABELS = {
    "todo": "Todo",
    "in_progress": "In progress",
    "done": "Done",
    "wont_do": "Won't do",
}
EDITABLE = ("title", "owner", "due_on", "status", "kind")


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("title must not be empty", field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"title is {len(title)} characters; at most {TITLE_MAX}", field="title")
    return title


def _owner(playbook: Playbook, owner: str | None) -> str:
    if not owner or not owner.strip():
        raise InvalidInput("an action item needs an owner (a playbook person)", field="owner")
    owner = owner.strip().removeprefix("@")
    if playbook.person(owner) is None:
        raise InvalidInput(
            f"unknown person {owner!r}; the playbook's people are: "
            f"{', '.join(p.handle for p in playbook.people) or '(none)'}",
            field="owner",
        )
    return owner


def _due(due_on: date | None, today: date) -> date:
    if due_on is None:
        raise InvalidInput("an action item needs a due date (YYYY-MM-DD)", field="due_on")
    if due_on < today:
        raise InvalidInput(
            f"due date {due_on.isoformat()} is in the past (today is {today.isoformat()})",
            field="due_on",
        )
    return due_on


def _enum(cls: type[StrEnum], value: str, field: str) -> str:
    try:
        return cls(value).value
    except ValueError:
        raise InvalidInput(
            f"unknown {field} {value!r}; expected one of {', '.join(m.value for m in cls)}",
            field=field,
        ) from None


def create(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    title: str,
    owner: str | None,
    due_on: date | None,
    kind: str,
    actor: str,
    now: datetime,
    status: str = ItemStatus.TO_DO.value,
) -> ActionItem:
    """A new action item for an incident; the due date may not be in the past."""
    item = ActionItem(
        incident_id=incident.id,
        title=_title(title),
        owner=_owner(playbook, owner),
        due_on=_due(due_on, now.date()),
        kind=_enum(ItemKind, kind, "kind"),
        status=_enum(ItemStatus, status, "status"),
        created_at=now,
        created_by=actor,
        updated_at=now,
        completed_at=now if status == ItemStatus.DONE.value else None,
    )
    session.add(item)
    session.flush()
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.ACTION_ITEM,
        actor=actor,
        now=now,
        body=f"Action item #{item.id} ({item.kind}) for @{item.owner}, due "
        f"{item.due_on.isoformat()}: {item.title}",
        data={"action_item": item.id, "created": True},
    )
    return item


def get(session: Session, item_id: int) -> ActionItem:
    """One action item by id, or NotFound."""
    item = session.get(ActionItem, item_id) if 0 < item_id < 2**31 else None
    if item is None:
        raise NotFound(f"no action item #{item_id}")
    return item


def update(
    session: Session,
    *,
    playbook: Playbook,
    item: ActionItem,
    actor: str,
    now: datetime,
    changes: dict[str, Any],
) -> ActionItem:
    """Change title, owner, due date, status or kind; recorded on the incident's timeline."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(
            f"cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE)}",
            field=unknown[0],
        )
    clean: dict[str, Any] = {}
    if "title" in changes:
        clean["title"] = _title(changes["title"])
    if "owner" in changes:
        clean["owner"] = _owner(playbook, changes["owner"])
    if "due_on" in changes and changes["due_on"] != item.due_on:
        clean["due_on"] = _due(changes["due_on"], now.date())
    if "status" in changes:
        clean["status"] = _enum(ItemStatus, changes["status"], "status")
    if "kind" in changes:
        clean["kind"] = _enum(ItemKind, changes["kind"], "kind")
    edits = {f: v for f, v in clean.items() if getattr(item, f) != v}
    if not edits:
        return item
    for field, value in edits.items():
        setattr(item, field, value)
    if "status" in edits:
        item.completed_at = now if item.status == ItemStatus.DONE.value else None
    item.updated_at = now
    described = ", ".join(
        f"{f} → {v.isoformat() if isinstance(v, date) else v}" for f, v in edits.items()
    )
    timeline.record(
        session,
        incident_id=item.incident_id,
        kind=EventKind.ACTION_ITEM,
        actor=actor,
        now=now,
        body=f"Action item #{item.id}: {described}",
        data={"action_item": item.id, "fields": sorted(edits)},
    )
    return item


@dataclass(frozen=True)
class ItemPage:
    items: list[ActionItem]
    total: int


def list_items(
    session: Session,
    *,
    playbook: Playbook,
    today: date,
    overdue: bool = False,
    owner: str | None = None,
    statuses: Sequence[str] = (),
    incident_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> ItemPage:
    """Action items by due date; ``overdue``: still open and due before ``today``."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must not be negative", field="offset")
    query = select(ActionItem)
    if overdue:
        query = query.where(ActionItem.status.in_(OPEN_STATUSES), ActionItem.due_on < today)
    if owner is not None:
        query = query.where(ActionItem.owner == _owner(playbook, owner))
    if statuses:
        checked = [_enum(ItemStatus, s, "status") for s in statuses]
        query = query.where(ActionItem.status.in_(checked))
    if incident_id is not None:
        query = query.where(ActionItem.incident_id == incident_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ActionItem.due_on, ActionItem.id).limit(limit).offset(offset)
    )
    return ItemPage(items=list(rows), total=total)


def is_overdue(item: ActionItem, today: date) -> bool:
    """Still open and past its due date."""
    return item.status in OPEN_STATUSES and item.due_on < today


def remind_overdue(session: Session, *, playbook: Playbook, now: datetime) -> int:
    """Engine job: remind each overdue item's owner, at most once a day."""
    today = now.date()
    rows = session.scalars(
        select(ActionItem)
        .where(
            ActionItem.status.in_(OPEN_STATUSES),
            ActionItem.due_on < today,
            (ActionItem.reminded_on.is_(None)) | (ActionItem.reminded_on < today),
        )
        .order_by(ActionItem.due_on, ActionItem.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    done = 0
    for item in rows:
        incident = incidents.get(session, item.incident_id, playbook=playbook)
        ref = incidents.ref_of(incident, playbook)
        notices.remind(
            session,
            playbook=playbook,
            now=now,
            incident_id=item.incident_id,
            people=[item.owner],
            title=f"Action item #{item.id} from {ref} is overdue (due {item.due_on.isoformat()})",
            body=f"{item.title}\nMark it done with `warroom action update {item.id} --status "
            "done`.",
            reason="action_item_overdue",
            dedup_key=f"action_item:{item.id}:overdue:{today.isoformat()}",
            data={"action_item": item.id},
        )
        item.reminded_on = today
        done += 1
    return done


def tracking_table(items: Sequence[ActionItem], *, refs: dict[int, str]) -> str:
    """The seed's action-items tracking table, as Markdown (with the kind and incident)."""
    lines = [
        "| Action | Owner | Due Date | Status | Kind | Incident |",
        "|--------|-------|----------|--------|------|----------|",
    ]
    for item in items:
        title = item.title.replace("|", "\\|")
        lines.append(
            f"| {title} | @{item.owner} | {item.due_on.isoformat()} "
            f"| {STATUS_LABELS[item.status]} | {item.kind.capitalize()} "
            f"| {refs.get(item.incident_id, item.incident_id)} |"
        )
    if not items:
        lines.append("| (none) | | | | | |")
    return "\n".join(lines) + "\n"
