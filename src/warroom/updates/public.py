"""Public incident updates: the playbook's status-page texts filled in from the incident,
previewed, optionally edited, then posted to the page and the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import Conflict, InvalidInput
from warroom.incidents import service as incidents
from warroom.incidents.lifecycle import Status
from warroom.incidents.messages import template_context
from warroom.incidents.models import Incident
from warroom.playbook import Playbook, render
from warroom.roles import service as roles
from warroom.statuspage import publication
from warroom.statuspage.models import BODY_MAX, PublicUpdate
from warroom.statuspage.status import INCIDENT_STATUSES, check_incident_status
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind
from warroom.updates import subscriptions


@dataclass(frozen=True)
class Draft:
    """What would be posted: the status, the text, and the component changes."""

    ref: str
    status: str
    body: str
    template: str | None
    components: dict[str, str]


def holders(session: Session, incident: Incident) -> dict[str, str]:
    """Role key → handle of the person holding it now."""
    return {
        role: row.person for role, row in roles.current(session, incident_id=incident.id).items()
    }


def render_template(
    session: Session, *, playbook: Playbook, incident: Incident, template: str, now: datetime
) -> str:
    """The playbook's ``templates.status_page[template]`` filled in for this incident."""
    texts = playbook.templates.status_page
    if template not in texts:
        raise InvalidInput(
            f"unknown status page template {template!r}; the playbook has: {', '.join(texts)}",
            field="template",
        )
    context = template_context(incident, playbook, holders=holders(session, incident), now=now)
    return render(texts[template], context).strip()


def _clean_body(body: str) -> str:
    # Secrets pasted into an update must not reach the public page either.
    text = timeline.redact_text(body.strip())
    if not text:
        raise InvalidInput("body must not be empty", field="body")
    if len(text) > BODY_MAX:
        raise InvalidInput(f"body is {len(text)} characters; at most {BODY_MAX}", field="body")
    return text


def draft(
    session: Session,
    *,
    playbook: Playbook,
    incident: Incident,
    now: datetime,
    template: str | None = None,
    status: str | None = None,
    body: str | None = None,
    components: Mapping[str, str] | None = None,
) -> Draft:
    """Check everything and render the text; stores nothing (the preview and the post share it)."""
    ref = incidents.ref_of(incident, playbook)
    if template is None and body is None:
        raise InvalidInput("give a template (e.g. identified) or a body", field="template")
    texts = playbook.templates.status_page
    if template is not None and template not in texts:
        raise InvalidInput(
            f"unknown status page template {template!r}; the playbook has: {', '.join(texts)}",
            field="template",
        )
    if status is None:
        if template is None or template not in INCIDENT_STATUSES:
            raise InvalidInput(
                f"say which status this update reports ({', '.join(INCIDENT_STATUSES)}); "
                f"it cannot be taken from template {template!r}"
                if template
                else f"say which status this update reports ({', '.join(INCIDENT_STATUSES)})",
                field="status",
            )
        status = template
    check_incident_status(status)
    changes = dict(components or {})
    publication.check_components(playbook, changes)
    if body is not None:
        text = _clean_body(body)
    else:
        assert template is not None
        text = _clean_body(
            render_template(
                session, playbook=playbook, incident=incident, template=template, now=now
            )
        )
    return Draft(ref=ref, status=status, body=text, template=template, components=changes)


def check_postable(
    session: Session, *, playbook: Playbook, incident: Incident, publish: bool
) -> None:
    """Refuse closed incidents, and tickets that nobody chose to publish."""
    ref = incidents.ref_of(incident, playbook)
    if incident.status == Status.CLOSED:
        raise Conflict(f"{ref} is closed; public updates can no longer be posted to it")
    if (
        publication.get(session, incident.id) is None
        and not publish
        and not playbook.severity(incident.severity).declare
    ):
        raise Conflict(
            f"{ref} is a {incident.severity} ticket and is not on the public status page; "
            f"publish it explicitly (publish: true, or --publish) to post a public update"
        )


def post(
    session: Session,
    *,
    playbook: Playbook,
    ref: str,
    actor: str,
    now: datetime,
    template: str | None = None,
    status: str | None = None,
    body: str | None = None,
    components: Mapping[str, str] | None = None,
    impact: str | None = None,
    publish: bool = False,
    name: str | None = None,
) -> PublicUpdate:
    """Post a public update: on the page, in the JSON, and on the timeline as public_update."""
    incident = incidents.get(session, ref, playbook=playbook, lock=True)
    check_postable(session, playbook=playbook, incident=incident, publish=publish)
    chosen = draft(
        session,
        playbook=playbook,
        incident=incident,
        now=now,
        template=template,
        status=status,
        body=body,
        components=components,
    )
    update = publication.publish_update(
        session,
        playbook=playbook,
        incident=incident,
        status=chosen.status,
        body=chosen.body,
        component_changes=chosen.components,
        actor=actor,
        now=now,
        impact=impact,
        name=name,
    )
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.PUBLIC_UPDATE,
        actor=actor,
        now=now,
        body=chosen.body,
        data={
            "status": chosen.status,
            "template": chosen.template,
            "update_id": update.public_id,
            "components": chosen.components,
        },
    )
    public = publication.get(session, incident.id)
    if public is not None and not public.private:
        subscriptions.notify(
            session,
            playbook=playbook,
            now=now,
            component_keys=public.components,
            title=f"[{playbook.status_page.name}] {chosen.status.title()}: {public.name}",
            body=chosen.body,
            key=f"incident/{update.public_id}",
            incident_id=incident.id,
        )
    return update


def preview(
    session: Session,
    *,
    playbook: Playbook,
    ref: str,
    now: datetime,
    template: str | None = None,
    status: str | None = None,
    body: str | None = None,
    components: Mapping[str, str] | None = None,
    publish: bool = False,
) -> Draft:
    """The update as it would be posted, so it can be read and edited first."""
    incident = incidents.get(session, ref, playbook=playbook)
    check_postable(session, playbook=playbook, incident=incident, publish=publish)
    return draft(
        session,
        playbook=playbook,
        incident=incident,
        now=now,
        template=template,
        status=status,
        body=body,
        components=components,
    )


def list_updates(session: Session, *, incident: Incident) -> list[PublicUpdate]:
    """The incident's public updates, newest first."""
    query = (
        select(PublicUpdate)
        .where(PublicUpdate.incident_id == incident.id)
        .order_by(PublicUpdate.created_at.desc(), PublicUpdate.id.desc())
    )
    return list(session.scalars(query))
