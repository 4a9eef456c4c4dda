"""The ingest path: dedup, triage, grouping, incidents and tickets, raising, resolving."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.intake.conftest import Ingest
from warroom.alerts.models import Alert
from warroom.clock import FrozenClock
from warroom.errors import InvalidInput
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.playbook import Playbook
from warroom.timeline.models import TimelineEvent


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _alert_events(session: Session, incident_id: int) -> list[TimelineEvent]:
    query = select(TimelineEvent).where(
        TimelineEvent.incident_id == incident_id, TimelineEvent.kind == "alert"
    )
    return list(session.scalars(query.order_by(TimelineEvent.id)))


def test_a_critical_alert_declares_a_p1_incident(ingest: Ingest, session: Session) -> None:
    alert = ingest("db-1", summary="Primary database unreachable", severity="critical")
    assert alert is not None
    assert (alert.severity, alert.rule, alert.status, alert.count) == (
        "P1",
        "critical-alert",
        "triggered",
        1,
    )
    incident = session.get(Incident, alert.incident_id)
    assert incident is not None
    assert (incident.severity, incident.status, incident.service) == ("P1", "declared", "api")
    assert incident.created_by == "monitor"
    assert incident.title == "Primary database unreachable"
    events = _alert_events(session, incident.id)
    assert [e.data["event"] for e in events] == ["opened"]


def test_seed_examples_triage_to_their_severities(ingest: Ingest, session: Session) -> None:
    cases = {
        "Site down: health check failing": "P0",
        "Data breach detected in audit log": "P0",
        "Total login authentication failure": "P0",
        "Payment processing down": "P1",
        "Login failures above 20%": "P1",
        "Slow performance on /api/pitches": "P2",
        "UI glitch on the settings page": "P3",
    }
    for i, (summary, expected) in enumerate(cases.items()):
        alert = ingest(f"k{i}", summary=summary, severity="warning", service="web")
        assert alert is not None
        assert alert.severity == expected, summary


def test_a_warning_opens_a_ticket(ingest: Ingest, session: Session) -> None:
    alert = ingest("disk", summary="Disk 80% full", severity="warning")
    assert alert is not None
    incident = session.get(Incident, alert.incident_id)
    assert incident is not None
    assert (incident.severity, incident.status) == ("P3", "triaged")
    assert incident.declared_at is None


def test_a_repeat_updates_the_open_alert(
    ingest: Ingest, session: Session, clock: FrozenClock
) -> None:
    first = ingest("cpu", summary="CPU high", severity="warning")
    clock.advance(timedelta(minutes=1))
    again = ingest("cpu", summary="CPU high (still)", severity="warning")
    assert again is not None
    assert first is not None
    assert again.id == first.id
    assert (again.count, again.summary, again.last_seen_at) == (2, "CPU high (still)", clock.now())
    assert _count(session, Alert) == 1
    assert _count(session, Incident) == 1


def test_resolve_then_trigger_opens_a_new_alert(ingest: Ingest, session: Session) -> None:
    first = ingest("cpu", severity="warning")
    resolved = ingest("cpu", "resolve")
    assert resolved is not None
    assert first is not None
    assert (resolved.id, resolved.status) == (first.id, "resolved")
    second = ingest("cpu", severity="warning")
    assert second is not None
    assert second.id != first.id
    assert _count(session, Alert) == 2
    events = _alert_events(session, first.incident_id or 0)
    assert [e.data["event"] for e in events] == ["opened", "resolved", "joined"]


def test_ack_and_resolve_of_nothing_create_nothing(ingest: Ingest, session: Session) -> None:
    assert ingest("nothing", "acknowledge") is None
    assert ingest("nothing", "resolve") is None
    assert _count(session, Alert) == 0


def test_acknowledge_acknowledges_the_incident(ingest: Ingest, session: Session) -> None:
    alert = ingest("x", severity="critical")
    acked = ingest("x", "acknowledge")
    assert acked is not None
    assert alert is not None
    assert acked.status == "acknowledged"
    incident = session.get(Incident, alert.incident_id)
    assert incident is not None
    assert incident.acknowledged_by == "monitor"


def test_alerts_of_a_service_group_into_one_incident(
    ingest: Ingest, session: Session, clock: FrozenClock
) -> None:
    a = ingest("a", summary="Error rate high", severity="error")
    clock.advance(timedelta(minutes=10))
    b = ingest("b", summary="Latency high", severity="warning")
    assert a is not None
    assert b is not None
    assert a.incident_id == b.incident_id
    other = ingest("c", summary="Error rate high", severity="error", service="web")
    assert other is not None
    assert other.incident_id != a.incident_id
    events = _alert_events(session, a.incident_id or 0)
    assert [e.data["event"] for e in events] == ["opened", "joined"]


def test_outside_the_grouping_window_a_new_incident_opens(
    ingest: Ingest, clock: FrozenClock
) -> None:
    a = ingest("a", severity="error")
    clock.advance(timedelta(minutes=31))
    b = ingest("b", severity="error")
    assert a is not None
    assert b is not None
    assert a.incident_id != b.incident_id


def test_alertmanager_groups_join_across_services(ingest: Ingest) -> None:
    a = ingest("a", severity="error", group_key='{}:{alertname="X"}', service="api")
    b = ingest("b", severity="error", group_key='{}:{alertname="X"}', service="web")
    assert a is not None
    assert b is not None
    assert a.incident_id == b.incident_id


def test_a_more_severe_alert_raises_the_incident(ingest: Ingest, session: Session) -> None:
    a = ingest("slow", summary="Checkout slow", severity="warning")
    assert a is not None
    incident = session.get(Incident, a.incident_id)
    assert incident is not None
    assert incident.severity == "P2"
    ingest("down", summary="Site down", severity="critical")
    session.refresh(incident)
    assert incident.severity == "P0"
    assert incident.declared_at is not None  # a ticket grown into an incident is declared
    kinds = [
        e.kind
        for e in session.scalars(
            select(TimelineEvent).where(TimelineEvent.incident_id == incident.id)
        )
    ]
    assert "severity_changed" in kinds


def test_bad_events_store_nothing(ingest: Ingest, session: Session) -> None:
    with pytest.raises(InvalidInput, match="severity"):
        ingest("x", severity="fatal")
    with pytest.raises(InvalidInput, match="summary"):
        ingest("x", summary=" ")
    with pytest.raises(InvalidInput, match="service"):
        ingest("x", service="nope")
    session.rollback()
    assert _count(session, Alert) == 0


def test_an_alert_still_firing_after_its_incident_resolved_opens_a_new_one(
    ingest: Ingest, session: Session, clock: FrozenClock, playbook: Playbook
) -> None:
    first = ingest("disk", summary="Disk 95% full", severity="warning")
    assert first is not None
    incident = session.get(Incident, first.incident_id)
    assert incident is not None
    for to in ("investigating", "resolved"):
        incidents.transition(
            session, playbook=playbook, incident=incident, to=to, actor="@alice", now=clock.now()
        )
    session.commit()
    clock.advance(timedelta(minutes=5))
    again = ingest("disk", summary="Disk 95% full", severity="warning")
    assert again is not None
    assert again.id == first.id
    assert again.incident_id not in (None, incident.id)


def test_a_repeat_routes_by_the_service_it_was_stored_with(
    ingest: Ingest, session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    # Silenced when it first fired, the alert opens nothing; its repeat after the silence
    # names another service, but it is routed by the one it was stored with (api), whose
    # open incident the batch's read did not ask about: looked up on its own, and joined.
    from warroom.alerts import silences

    silences.create(
        session,
        playbook=playbook,
        now=clock.now(),
        actor="alice",
        service="api",
        ends_at=clock.now() + timedelta(minutes=5),
    )
    session.commit()
    first = ingest("k", severity="error")
    assert first is not None
    assert (first.incident_id, first.silence_id is not None) == (None, True)
    clock.advance(timedelta(minutes=6))
    other = ingest("other", severity="error")
    assert other is not None
    assert other.incident_id is not None
    repeat = ingest("k", severity="error", service="web")
    assert repeat is not None
    assert (repeat.service, repeat.count) == ("api", 2)
    assert repeat.incident_id == other.incident_id
