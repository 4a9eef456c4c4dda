"""The closure checklist: automatic and manual items, the close gate and its override."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.postincident.conftest import open_incident, walk
from warroom.clock import FrozenClock
from warroom.closure import service as closure
from warroom.errors import Conflict, Forbidden, InvalidInput, NotFound
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.postmortems import service as postmortems
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind


def states(session: Session, playbook: Playbook, incident: Incident) -> dict[str, bool]:
    items = closure.checklist(session, playbook=playbook, incident=incident)
    return {i.id: i.done for i in items}


def close(
    session: Session,
    playbook: Playbook,
    clock: FrozenClock,
    incident: Incident,
    *,
    actor: str = "@alice",
    override: str | None = None,
    admin: bool = False,
) -> None:
    incidents.transition(
        session,
        playbook=playbook,
        incident=incident,
        to="closed",
        actor=actor,
        now=clock.now(),
        override_reason=override,
        actor_is_admin=admin,
    )


def satisfy_everything(
    session: Session, playbook: Playbook, clock: FrozenClock, incident: Incident
) -> None:
    now = clock.now()
    for item in ("service_restored", "timeline_documented"):
        closure.tick(
            session,
            playbook=playbook,
            incident=incident,
            item=item,
            done=True,
            actor="@bob",
            now=now,
        )
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.PUBLIC_UPDATE,
        actor="@bob",
        now=now,
        body="The issue has been resolved.",
        data={"status": "resolved"},
    )
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.ANNOUNCEMENT,
        actor="@bob",
        now=now,
        body="Resolved: checkout works again",
    )
    postmortem = postmortems.create(
        session, playbook=playbook, incident=incident, actor="@alice", now=now
    )
    postmortems.update(
        session,
        playbook=playbook,
        postmortem=postmortem,
        actor="@alice",
        now=now,
        changes={"meeting_at": now + timedelta(days=1)},
    )
    session.flush()


def test_the_seeds_seven_items_with_automatic_ones_evaluated(
    session: Session, playbook: Playbook, resolved: Incident
) -> None:
    items = closure.checklist(session, playbook=playbook, incident=resolved)
    assert [i.id for i in items] == [
        "service_restored",
        "metrics_normal",
        "no_alerts",
        "status_page_updated",
        "stakeholders_notified",
        "timeline_documented",
        "postmortem_scheduled",
    ]
    by_id = {i.id: i for i in items}
    # No alerts linked and no monitors watching "api": warroom can see these are fine.
    assert by_id["no_alerts"].done
    assert by_id["no_alerts"].checked_by == "auto"
    assert by_id["metrics_normal"].done
    assert not by_id["status_page_updated"].done
    assert "no public update" in by_id["status_page_updated"].note
    assert not by_id["postmortem_scheduled"].done
    assert not by_id["service_restored"].done
    assert by_id["service_restored"].auto is None


def test_closing_with_open_items_is_refused_naming_them(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    with pytest.raises(Conflict) as caught:
        close(session, playbook, clock, resolved)
    session.rollback()
    assert caught.value.details["open_items"] == [
        "service_restored",
        "status_page_updated",
        "stakeholders_notified",
        "timeline_documented",
        "postmortem_scheduled",
    ]
    assert "service_restored (Service fully restored)" in caught.value.message
    session.refresh(resolved)
    assert resolved.status == "resolved"
    assert resolved.closed_at is None


def test_everything_checked_closes_without_override(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    satisfy_everything(session, playbook, clock, resolved)
    assert all(states(session, playbook, resolved).values())
    close(session, playbook, clock, resolved, actor="@bob")
    assert resolved.status == "closed"
    assert closure.overrides(session, incident_id=resolved.id) == []


def test_manual_tick_is_on_the_timeline_and_can_be_undone(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    state = closure.tick(
        session,
        playbook=playbook,
        incident=resolved,
        item="service_restored",
        done=True,
        actor="@bob",
        now=clock.now(),
        note="error rate back to 0.1%",
    )
    assert state.done
    assert state.checked_by == "manual"
    assert state.by == "@bob"
    closure.tick(
        session,
        playbook=playbook,
        incident=resolved,
        item="service_restored",
        done=False,
        actor="@bob",
        now=clock.now(),
    )
    assert not states(session, playbook, resolved)["service_restored"]
    bodies = [
        e.body for e in timeline.events(session, incident_id=resolved.id, kinds=["checklist"])
    ]
    assert bodies == [
        "Checked: Service fully restored — error rate back to 0.1%",
        "Unchecked: Service fully restored",
    ]


def test_a_person_may_tick_an_automatic_item_warroom_cannot_see(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    closure.tick(
        session,
        playbook=playbook,
        incident=resolved,
        item="stakeholders_notified",
        done=True,
        actor="@alice",
        now=clock.now(),
        note="called the account managers",
    )
    assert states(session, playbook, resolved)["stakeholders_notified"]


def test_unknown_item_is_not_found(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    with pytest.raises(NotFound, match="no closure-checklist item 'coffee'"):
        closure.tick(
            session,
            playbook=playbook,
            incident=resolved,
            item="coffee",
            done=True,
            actor="@alice",
            now=clock.now(),
        )


def test_the_ic_overrides_with_a_reason_which_is_recorded(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    close(session, playbook, clock, resolved, override="post-mortem waived by the VP")
    assert resolved.status == "closed"
    (override,) = closure.overrides(session, incident_id=resolved.id)
    assert override.by == "@alice"
    assert override.reason == "post-mortem waived by the VP"
    assert "postmortem_scheduled" in override.open_items


def test_override_needs_ic_or_admin_and_a_reason(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    with pytest.raises(Forbidden, match=r"only the Incident Commander \(@alice\) or an admin"):
        close(session, playbook, clock, resolved, actor="@bob", override="I say so")
    session.rollback()
    with pytest.raises(InvalidInput, match="an override needs a reason"):
        close(session, playbook, clock, resolved, override="   ")
    session.rollback()
    close(session, playbook, clock, resolved, actor="token:admin", admin=True, override="ok")
    assert resolved.status == "closed"


def test_tickets_close_without_the_checklist(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    ticket = open_incident(session, playbook, clock, severity="P3", title="Footer typo")
    walk(session, playbook, clock, ticket, "investigating", "resolved", "closed")
    assert ticket.status == "closed"


def test_stakeholders_item_needs_news_after_resolution(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    incident = open_incident(session, playbook, clock)
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.ANNOUNCEMENT,
        actor="@bob",
        now=clock.now(),
        body="We are on it",
    )
    walk(
        session,
        playbook,
        clock,
        incident,
        "investigating",
        "identified",
        "fixing",
        "verifying",
        "monitoring",
        "resolved",
    )
    assert not states(session, playbook, incident)["stakeholders_notified"]
    clock.advance(timedelta(minutes=1))
    timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.ANNOUNCEMENT,
        actor="@bob",
        now=clock.now(),
        body="All clear",
    )
    assert states(session, playbook, incident)["stakeholders_notified"]


def test_an_alert_still_firing_keeps_no_alerts_open(
    session: Session, playbook: Playbook, clock: FrozenClock, resolved: Incident
) -> None:
    from warroom.alerts import queries as alert_queries
    from warroom.alerts import service as alerts
    from warroom.alerts.models import Alert

    alert = alert_queries.report(
        session,
        playbook=playbook,
        now=clock.now(),
        actor="@bob",
        summary="5xx again",
        service_name="api",
        severity="warning",
        dedup_key="edge-5xx",
    )
    assert alert.status == "triggered", alert.status
    # Linked to the incident, whatever triage decided (intake writes rows with Core).
    session.execute(update(Alert).where(Alert.id == alert.id).values(incident_id=resolved.id))
    item = next(
        i
        for i in closure.checklist(session, playbook=playbook, incident=resolved)
        if i.id == "no_alerts"
    )
    assert not item.done
    assert "still firing" in item.note
    alerts.ingest(
        session,
        playbook=playbook,
        now=clock.now(),
        source="manual",
        dedup_key="edge-5xx",
        action="resolve",
        service="api",
    )
    session.flush()
    assert states(session, playbook, resolved)["no_alerts"]
