"""Post-mortems: created when a P0/P1 is resolved, due within the playbook's deadline, edited
by people, reminded before they are due and escalated when overdue (engine jobs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.postmortems import notices
from warroom.postmortems.models import SECTION_MAX, Postmortem
from warroom.roles import service as roles
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

DRAFT = "draft"
COMPLETE = "complete"
STATUSES = (DRAFT, COMPLETE)
SECTIONS = ("summary", "impact", "root_cause", "went_well", "could_improve", "notes")
EDITABLE = (*SECTIONS, "owner", "meeting_at", "status")
BATCH = 100


def get(session: Session, *, incident: Incident, playbook: Playbook) -> Postmortem:
    """The incident's post-mortem, or NotFound."""
    found = session.scalar(select(Postmortem).where(Postmortem.incident_id == incident.id))
    if found is None:
        raise NotFound(f"{incidents.ref_of(incident, playbook)} has no post-mortem")
    return found


def remind_at(postmortem: Postmortem, playbook: Playbook) -> datetime:
    """When the owner is reminded: half the deadline before it is due (24 h of 48 h)."""
    return postmortem.due_at - playbook.postmortem.deadline / 2


def create(
    session: Session, *, playbook: Playbook, incident: Incident, actor: str, now: datetime
) -> Postmortem:
    """Open a post-mortem for an incident, due the playbook's deadline after resolution."""
    ref = incidents.ref_of(incident, playbook)
    if session.scalar(select(Postmortem.id).where(Postmortem.incident_id == incident.id)):
        raise Conflict(f"{ref} already has a post-mortem")
    start = incident.resolved_at or now
    holder = roles.current(session, incident_id=incident.id).get(roles.INCIDENT_COMMANDER)
    postmortem = Postmortem(
        incident_id=incident.id,
        status=DRAFT,
        owner=holder.person if holder else None,
        created_at=now,
        updated_at=now,
        updated_by=actor,
        due_at=start + playbook.postmortem.deadline,
        summary=incident.title,
        impact=incident.impact,
        root_cause="",
        went_well="",
        could_improve="",
        notes="",
    )
    session.add(postmortem)
    session.flush()
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.POSTMORTEM,
        actor=actor,
        now=now,
        body=f"Post-mortem opened, due {postmortem.due_at:%Y-%m-%d %H:%M}Z",
        data={"postmortem": postmortem.id, "due_at": postmortem.due_at.isoformat()},
    )
    return postmortem


def create_owed(session: Session, *, playbook: Playbook, now: datetime) -> int:
    """Engine job: open the post-mortems owed by resolved incidents of required severities."""
    required = list(playbook.postmortem.required_for)
    if not required:
        return 0
    owed = (
        select(Incident)
        .where(
            Incident.severity.in_(required),
            Incident.resolved_at.is_not(None),
            ~exists().where(Postmortem.incident_id == Incident.id),
        )
        .order_by(Incident.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    created = 0
    for incident in session.scalars(owed):
        create(session, playbook=playbook, incident=incident, actor=notices.ACTOR, now=now)
        created += 1
    return created


def _recipients(session: Session, playbook: Playbook, postmortem: Postmortem) -> list[str]:
    holder = roles.current(session, incident_id=postmortem.incident_id).get(
        roles.INCIDENT_COMMANDER
    )
    people = [postmortem.owner or (holder.person if holder else None)]
    return [p for p in dict.fromkeys(people) if p]


def _escalation_recipients(
    session: Session, playbook: Playbook, postmortem: Postmortem, incident: Incident
) -> list[str]:
    people = _recipients(session, playbook, postmortem)
    service = playbook.service(incident.service)
    team = playbook.team(service.team) if service and service.team else None
    if team and team.lead:
        people.append(team.lead)
    return list(dict.fromkeys(people))


def remind_due(session: Session, *, playbook: Playbook, now: datetime) -> int:
    """Engine job: remind the owner once, half the deadline before the post-mortem is due."""
    early = now + playbook.postmortem.deadline / 2
    rows = session.scalars(
        select(Postmortem)
        .where(
            Postmortem.status == DRAFT,
            Postmortem.reminded_at.is_(None),
            Postmortem.due_at <= early,
            Postmortem.due_at > now,
        )
        .order_by(Postmortem.due_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    done = 0
    for postmortem in rows:
        incident = incidents.get(session, postmortem.incident_id, playbook=playbook)
        ref = incidents.ref_of(incident, playbook)
        left = postmortem.due_at - now
        notices.remind(
            session,
            playbook=playbook,
            now=now,
            incident_id=incident.id,
            people=_recipients(session, playbook, postmortem),
            title=f"Post-mortem for {ref} is due in {_hours(left)}",
            body=f"The post-mortem of {ref} ({incident.title}) is due "
            f"{postmortem.due_at:%Y-%m-%d %H:%M}Z. Export the draft with "
            f"`warroom postmortem export {ref}`.",
            reason="postmortem_due",
            dedup_key=f"postmortem:{postmortem.id}:reminder",
            data={"postmortem": postmortem.id},
        )
        postmortem.reminded_at = now
        done += 1
    return done


def escalate_overdue(session: Session, *, playbook: Playbook, now: datetime) -> int:
    """Engine job: once a draft is past due, tell its owner and the service team's lead."""
    rows = session.scalars(
        select(Postmortem)
        .where(
            Postmortem.status == DRAFT,
            Postmortem.escalated_at.is_(None),
            Postmortem.due_at <= now,
        )
        .order_by(Postmortem.due_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    done = 0
    for postmortem in rows:
        incident = incidents.get(session, postmortem.incident_id, playbook=playbook)
        ref = incidents.ref_of(incident, playbook)
        notices.remind(
            session,
            playbook=playbook,
            now=now,
            incident_id=incident.id,
            people=_escalation_recipients(session, playbook, postmortem, incident),
            title=f"Post-mortem for {ref} is overdue (was due {postmortem.due_at:%Y-%m-%d %H:%M}Z)",
            body=f"The post-mortem of {ref} ({incident.title}) missed its "
            f"{_hours(playbook.postmortem.deadline)} deadline.",
            reason="postmortem_overdue",
            dedup_key=f"postmortem:{postmortem.id}:overdue",
            kind=EventKind.ESCALATION,
            data={"postmortem": postmortem.id},
        )
        postmortem.escalated_at = now
        done += 1
    return done


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} min"


def update(
    session: Session,
    *,
    playbook: Playbook,
    postmortem: Postmortem,
    actor: str,
    now: datetime,
    changes: dict[str, Any],
) -> Postmortem:
    """Edit sections, owner, meeting time or status; recorded on the timeline."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(
            f"cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE)}",
            field=unknown[0],
        )
    clean: dict[str, Any] = {}
    for field in SECTIONS:
        if field in changes:
            text = str(changes[field] or "").strip()
            if len(text) > SECTION_MAX:
                raise InvalidInput(
                    f"{field} is {len(text)} characters; at most {SECTION_MAX}", field=field
                )
            clean[field] = text
    if "owner" in changes:
        owner = changes["owner"]
        if owner is not None and playbook.person(owner) is None:
            raise InvalidInput(
                f"unknown person {owner!r}; the playbook's people are: "
                f"{', '.join(p.handle for p in playbook.people) or '(none)'}",
                field="owner",
            )
        clean["owner"] = owner
    if "meeting_at" in changes:
        meeting = changes["meeting_at"]
        if meeting is not None and meeting.tzinfo is None:
            raise InvalidInput("meeting_at needs a UTC offset", field="meeting_at")
        clean["meeting_at"] = meeting
    if "status" in changes:
        if changes["status"] not in STATUSES:
            raise InvalidInput(
                f"unknown status {changes['status']!r}; expected draft or complete",
                field="status",
            )
        clean["status"] = changes["status"]
    edited = [f for f, v in clean.items() if getattr(postmortem, f) != v]
    if not edited:
        return postmortem
    for field in edited:
        setattr(postmortem, field, clean[field])
    if "status" in edited:
        postmortem.completed_at = now if postmortem.status == COMPLETE else None
    postmortem.updated_at, postmortem.updated_by = now, actor
    timeline.record(
        session,
        incident_id=postmortem.incident_id,
        kind=EventKind.POSTMORTEM,
        actor=actor,
        now=now,
        body=_edit_summary(postmortem, edited),
        data={"postmortem": postmortem.id, "fields": edited},
    )
    return postmortem


def _edit_summary(postmortem: Postmortem, edited: list[str]) -> str:
    parts = []
    if "meeting_at" in edited:
        parts.append(
            f"meeting scheduled for {postmortem.meeting_at:%Y-%m-%d %H:%M}Z"
            if postmortem.meeting_at
            else "meeting unscheduled"
        )
    if "status" in edited:
        parts.append(f"marked {postmortem.status}")
    if "owner" in edited:
        parts.append(f"owner @{postmortem.owner}" if postmortem.owner else "owner removed")
    sections = [f.replace("_", " ") for f in edited if f in SECTIONS]
    if sections:
        parts.append("edited " + ", ".join(sections))
    return "Post-mortem: " + "; ".join(parts)
