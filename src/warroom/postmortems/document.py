"""The post-mortem document as Markdown, drafted from what warroom knows about the incident.

People's sections (summary, impact, root cause, what went well, what could improve, notes)
come from the post-mortem row; the figures, the key timeline events, the action items and the
meeting agenda are drawn fresh from the incident each time it is exported.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from warroom.actions import service as actions
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.metrics.definitions import FIGURES, figure_of, format_duration
from warroom.playbook import Playbook
from warroom.postmortems.models import Postmortem
from warroom.roles import service as roles
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind

# Events worth reading in a post-mortem; edits, reminders and checklist ticks are left out.
KEY_EVENTS = (
    EventKind.CREATED,
    EventKind.STATUS_CHANGED,
    EventKind.ACKNOWLEDGED,
    EventKind.SEVERITY_CHANGED,
    EventKind.ROLE_ASSIGNED,
    EventKind.NOTE,
    EventKind.DECISION,
    EventKind.ACTION,
    EventKind.ALERT,
    EventKind.ESCALATION,
    EventKind.PUBLIC_UPDATE,
    EventKind.ANNOUNCEMENT,
    EventKind.CHECK,
)
TO_WRITE = "_To be written._"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _section(title: str, text: str) -> list[str]:
    return [f"## {title}", "", text.strip() or TO_WRITE, ""]


def render(
    session: Session, *, playbook: Playbook, postmortem: Postmortem, incident: Incident
) -> str:
    """The whole document, ready for `warroom postmortem export INC-7 > INC-7.md`."""
    ref = incidents.ref_of(incident, playbook)
    holders = roles.current(session, incident_id=incident.id)
    commander = holders.get(roles.INCIDENT_COMMANDER)
    meeting = f"{postmortem.meeting_at:%Y-%m-%d %H:%M}Z" if postmortem.meeting_at else "not yet"
    lines = [
        f"# Post-mortem: {ref} — {incident.title}",
        "",
        "| | |",
        "|---|---|",
        f"| Severity | {incident.severity} ({playbook.severity(incident.severity).name}) |",
        f"| Service | {incident.service} |",
        f"| Status | {incident.status} |",
        f"| Incident Commander | {'@' + commander.person if commander else '—'} |",
        f"| Post-mortem owner | {'@' + postmortem.owner if postmortem.owner else '—'} |",
        f"| Post-mortem due | {postmortem.due_at:%Y-%m-%d %H:%M}Z |",
        f"| Meeting | {meeting} |",
        f"| Document | {postmortem.status} |",
        "",
    ]
    lines += _section("Summary", postmortem.summary)
    lines += _section("Impact", postmortem.impact)
    lines += _figures(incident)
    lines += _timeline(session, incident)
    lines += _section("Root cause", postmortem.root_cause)
    lines += _section("What went well", postmortem.went_well)
    lines += _section("What could improve", postmortem.could_improve)
    items = actions.list_items(
        session, playbook=playbook, today=postmortem.updated_at.date(), incident_id=incident.id
    ).items
    lines += ["## Action items", "", actions.tracking_table(items, refs={incident.id: ref})]
    lines += _agenda(playbook)
    if postmortem.notes.strip():
        lines += _section("Meeting notes", postmortem.notes)
    return "\n".join(lines).rstrip() + "\n"


def _figures(incident: Incident) -> list[str]:
    lines = [
        "## Detection and response",
        "",
        "| Figure | This incident | Definition |",
        "|---|---|---|",
    ]
    for figure in FIGURES:
        value = figure_of(incident, figure)
        if value is None:
            missing = [f for f in (figure.start, figure.end) if getattr(incident, f) is None]
            shown = "not recorded (no " + " or ".join(missing) + ")"
        else:
            shown = format_duration(value)
        lines.append(f"| {figure.name} | {shown} | {_cell(figure.definition)} |")
    return [*lines, ""]


def _timeline(session: Session, incident: Incident) -> list[str]:
    events = timeline.events(session, incident_id=incident.id, kinds=[k.value for k in KEY_EVENTS])
    lines = ["## Timeline", "", "| Time (UTC) | Who | What | Details |", "|---|---|---|---|"]
    for event in events:
        lines.append(
            f"| {event.at:%Y-%m-%d %H:%M:%S} | {_cell(event.actor)} "
            f"| {event.kind.replace('_', ' ')} | {_cell(event.body)} |"
        )
    if not events:
        lines.append("| | | (no events) | |")
    return [*lines, ""]


def _agenda(playbook: Playbook) -> list[str]:
    agenda = playbook.postmortem.agenda
    lines = [
        f"## Meeting agenda ({playbook.postmortem.total_minutes()} min)",
        "",
    ]
    for number, item in enumerate(agenda, start=1):
        lines.append(f"{number}. **{item.title}** ({item.minutes} min)")
    if not agenda:
        lines.append("(the playbook defines no agenda)")
    return [*lines, ""]
