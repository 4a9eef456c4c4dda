"""Automatic component status: components follow their monitors and open P0/P1 incidents
without a person, a responder's setting holds until handed back or its incident is resolved,
and every change is recorded (automatic or not, and why) and reaches the cached page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.support import auth_header
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.engine.runner import default_jobs
from warroom.errors import PlaybookError
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.monitors.models import Monitor
from warroom.playbook import Playbook, default_playbook, default_playbook_text, parse_playbook
from warroom.statuspage import automatic, maintenance, publication, snapshot, version
from warroom.statuspage.automatic import AutomaticComponentStatus
from warroom.statuspage.cache import PageCache
from warroom.statuspage.models import ComponentState
from warroom.statuspage.snapshot import Snapshot


@pytest.fixture
def playbook() -> Playbook:
    """The default playbook with the api component watched by the api-health monitor."""
    book = default_playbook()
    changed = tuple(
        c.model_copy(update={"monitors": ("api-health",)}) if c.key == "api" else c
        for c in book.components
    )
    return book.model_copy(update={"components": changed})


def _monitor(session: Session, clock: FrozenClock, state: str, name: str = "api-health") -> None:
    row = session.query(Monitor).filter_by(name=name).one_or_none()
    if row is None:
        row = Monitor(
            name=name,
            kind="http",
            origin="api",
            spec={},
            enabled=True,
            next_run_at=clock.now(),
            metric_values={},
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        session.add(row)
    row.state = state
    session.commit()


def _declare(
    session: Session, playbook: Playbook, clock: FrozenClock, severity: str, service: str
) -> Incident:
    incident = incidents.declare(
        session,
        playbook=playbook,
        actor="@alice",
        now=clock.now(),
        title=f"{service} is failing",
        severity=severity,
        service=service,
        declarer="alice",
    )
    session.commit()
    return incident


def _resolve(session: Session, incident: Incident) -> None:
    # The lifecycle's own steps are tested elsewhere; here only "no longer open" matters.
    incident.status = "resolved"
    session.commit()


def _run(session: Session, playbook: Playbook, clock: FrozenClock) -> int:
    done = AutomaticComponentStatus(playbook).run(session, clock.now())
    session.commit()
    return done


def _row(session: Session, key: str) -> ComponentState:
    session.expire_all()
    row = session.get(ComponentState, key)
    assert row is not None
    return row


def _status(session: Session, key: str) -> str:
    session.expire_all()
    row = session.get(ComponentState, key)
    return row.status if row else "operational"


def test_a_monitor_going_down_sets_its_component_and_recovery_clears_it(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    _monitor(session, clock, "up")
    start = version.current(session)
    assert _run(session, playbook, clock) == 0
    assert session.get(ComponentState, "api") is None  # nothing to record yet
    assert version.current(session) == start

    _monitor(session, clock, "down")
    clock.advance(timedelta(seconds=30))
    assert _run(session, playbook, clock) == 1
    row = _row(session, "api")
    assert (row.status, row.automatic) == ("major_outage", True)
    assert row.reason == "monitor api-health is down"
    assert row.updated_by == "warroom (automatic)"
    assert row.updated_at == clock.now()
    assert version.current(session) == start + 1
    assert _run(session, playbook, clock) == 0  # idempotent
    assert version.current(session) == start + 1

    _monitor(session, clock, "degraded")
    assert _run(session, playbook, clock) == 1
    assert _status(session, "api") == "degraded_performance"

    _monitor(session, clock, "up")
    assert _run(session, playbook, clock) == 1
    row = _row(session, "api")
    assert (row.status, row.automatic) == ("operational", True)
    assert row.reason == automatic.NO_CAUSE


def test_open_p0_p1_incidents_set_components_and_tickets_only_suggest(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    ticket = _declare(session, playbook, clock, "P2", "web")
    assert _run(session, playbook, clock) == 0
    assert _status(session, "web") == "operational"
    assert automatic.suggestions(session, playbook=playbook)["web"] == "degraded_performance"

    p1 = _declare(session, playbook, clock, "P1", "payments")
    assert _run(session, playbook, clock) == 1
    row = _row(session, "payments")
    assert (row.status, row.automatic) == ("partial_outage", True)
    assert row.reason == f"INC-{p1.id} (P1) is open on payments"

    p0 = _declare(session, playbook, clock, "P0", "database")  # "data" lists database and cache
    assert _run(session, playbook, clock) == 1
    assert _status(session, "data") == "major_outage"

    _resolve(session, p1)
    _resolve(session, p0)
    _resolve(session, ticket)
    assert _run(session, playbook, clock) == 2
    assert (_status(session, "payments"), _status(session, "data")) == (
        "operational",
        "operational",
    )


def test_a_responder_setting_holds_until_its_incident_is_resolved(
    client: TestClient,
    alice_token: str,
    session: Session,
    playbook: Playbook,
    clock: FrozenClock,
) -> None:
    incident = _declare(session, playbook, clock, "P1", "api")
    _run(session, playbook, clock)
    assert _status(session, "api") == "partial_outage"

    put = client.put(
        "/api/v1/statuspage/components/api",
        json={"status": "major_outage"},
        headers=auth_header(alice_token),
    )
    assert put.status_code == 200, put.text
    body = put.json()
    assert (body["status"], body["automatic"]) == ("major_outage", False)
    assert body["reason"] == f"set by @alice during INC-{incident.id}"
    assert body["suggested_status"] == "partial_outage"
    assert body["updated_by"] == "@alice"

    clock.advance(timedelta(minutes=5))
    assert _run(session, playbook, clock) == 0  # the person's setting wins
    assert _status(session, "api") == "major_outage"

    _resolve(session, incident)
    assert _run(session, playbook, clock) == 1
    row = _row(session, "api")
    assert (row.status, row.automatic, row.held_for_incident_id) == ("operational", True, None)


def test_a_public_update_holds_its_components_for_its_incident(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    incident = _declare(session, playbook, clock, "P1", "payments")
    publication.publish_update(
        session,
        playbook=playbook,
        incident=incident,
        status="identified",
        body="We found it.",
        component_changes={"payments": "degraded_performance", "web": "degraded_performance"},
        actor="@alice",
        now=clock.now(),
    )
    session.commit()
    assert _run(session, playbook, clock) == 0
    row = _row(session, "web")
    assert (row.status, row.automatic) == ("degraded_performance", False)
    assert row.reason == f"set by @alice in a public update of INC-{incident.id}"
    _resolve(session, incident)
    assert _run(session, playbook, clock) == 2
    assert _status(session, "web") == _status(session, "payments") == "operational"


def test_a_hold_without_an_incident_lasts_until_handed_back(
    client: TestClient,
    alice_token: str,
    session: Session,
    playbook: Playbook,
    clock: FrozenClock,
) -> None:
    headers = auth_header(alice_token)
    _monitor(session, clock, "down")
    _run(session, playbook, clock)
    # A flapping monitor: the responder says the API is fine.
    put = client.put(
        "/api/v1/statuspage/components/api", json={"status": "operational"}, headers=headers
    )
    assert put.json()["reason"] == "set by @alice"
    clock.advance(timedelta(hours=6))
    assert _run(session, playbook, clock) == 0
    assert _status(session, "api") == "operational"

    back = client.put(
        "/api/v1/statuspage/components/api", json={"automatic": True}, headers=headers
    )
    assert back.status_code == 200, back.text
    assert (back.json()["status"], back.json()["automatic"]) == ("major_outage", True)
    assert back.json()["reason"] == "monitor api-health is down"
    listed = client.get("/api/v1/statuspage/components", headers=headers).json()
    assert {c["key"]: c["automatic"] for c in listed}["api"] is True


def test_bad_requests_get_precise_errors(client: TestClient, alice_token: str) -> None:
    headers = auth_header(alice_token)
    for body in ({}, {"status": "major_outage", "automatic": True}, {"automatic": False}):
        response = client.put("/api/v1/statuspage/components/api", json=body, headers=headers)
        assert response.status_code == 422, body
        assert (
            'give either "status" (set it by hand) or "automatic": true (hand it back)'
            in (response.json()["error"]["message"])
        )
    unknown = client.put(
        "/api/v1/statuspage/components/nope", json={"automatic": True}, headers=headers
    )
    assert unknown.status_code == 422
    assert "unknown component 'nope'" in unknown.json()["error"]["message"]


def test_private_incidents_and_drills_never_move_components(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    incident = _declare(session, playbook, clock, "P0", "payments")
    publication.publish_update(
        session,
        playbook=playbook,
        incident=incident,
        status="investigating",
        body="Looking.",
        component_changes={},
        actor="@alice",
        now=clock.now(),
    )
    publication.set_private(
        session, incident_id=incident.id, ref=f"INC-{incident.id}", private=True, now=clock.now()
    )
    session.commit()
    assert _run(session, playbook, clock) == 0
    assert _status(session, "payments") == "operational"
    assert automatic.suggestions(session, playbook=playbook)["payments"] == "operational"


def test_maintenance_holds_its_components_until_completed(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    row = maintenance.create(
        session,
        playbook=playbook,
        actor="@alice",
        now=clock.now(),
        name="Database upgrade",
        scheduled_for=clock.now(),
        scheduled_until=clock.now() + timedelta(hours=1),
        component_keys=["data"],
    )
    maintenance.advance(
        session,
        playbook=playbook,
        public_id=row.public_id,
        to="in_progress",
        actor="@alice",
        now=clock.now(),
    )
    session.commit()
    _declare(session, playbook, clock, "P0", "database")
    assert _run(session, playbook, clock) == 0
    assert _status(session, "data") == "under_maintenance"
    maintenance.advance(
        session,
        playbook=playbook,
        public_id=row.public_id,
        to="completed",
        actor="@alice",
        now=clock.now(),
    )
    session.commit()
    assert _row(session, "data").automatic
    assert _run(session, playbook, clock) == 1
    assert _status(session, "data") == "major_outage"


def test_switched_off_in_the_playbook_nothing_moves(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    page = playbook.status_page.model_copy(update={"automatic_component_status": False})
    off = playbook.model_copy(update={"status_page": page})
    _monitor(session, clock, "down")
    _declare(session, off, clock, "P0", "payments")
    assert _run(session, off, clock) == 0
    assert _status(session, "api") == _status(session, "payments") == "operational"
    assert automatic.suggestions(session, playbook=off)["api"] == "major_outage"


def test_the_engine_runs_it_and_the_cached_page_follows(
    engine: Engine, session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    assert any(isinstance(job, AutomaticComponentStatus) for job in default_jobs(playbook))
    ticks = [100.0]
    cache = PageCache(
        sessions=make_sessionmaker(engine),
        load=lambda s: snapshot.load(s, playbook=playbook, now=clock.now()),
        monotonic=lambda: ticks[0],
    )

    def api(snap: Snapshot) -> bytes:
        return next(c.status for c in snap.components if c.key == "api").encode()

    assert cache.get("api", api) == b"operational"
    _monitor(session, clock, "down")
    _run(session, playbook, clock)
    ticks[0] += cache.check_every  # the engine is another process: seen at the next check
    assert cache.get("api", api) == b"major_outage"


def test_the_playbook_checks_automatic_severities() -> None:
    text = default_playbook_text().replace(
        "automatic_severities: [P0, P1]", "automatic_severities: [P0, SEV1]"
    )
    with pytest.raises(PlaybookError) as raised:
        parse_playbook(text)
    assert 'status_page.automatic_severities[1]: unknown severity "SEV1"' in str(raised.value)
    bad_type = default_playbook_text().replace(
        "automatic_component_status: true", "automatic_component_status: maybe"
    )
    with pytest.raises(PlaybookError) as raised:
        parse_playbook(bad_type)
    assert "status_page.automatic_component_status" in str(raised.value)


def test_one_engine_at_a_time_on_postgres(
    engine: Engine, session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer; the claim is PostgreSQL's advisory lock")
    _monitor(session, clock, "down")
    with make_sessionmaker(engine)() as other:
        assert AutomaticComponentStatus(playbook).run(other, clock.now()) == 1  # holds the lock
        assert _run(session, playbook, clock) == 0  # the second engine skips this cycle
        other.commit()
    assert _run(session, playbook, clock) == 0
    assert _status(session, "api") == "major_outage"


def test_the_public_sees_the_status_and_never_the_reason(
    client: TestClient, session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    incident = _declare(session, playbook, clock, "P0", "payments")
    _run(session, playbook, clock)
    summary = client.get("/api/v2/summary.json")
    assert {c["name"]: c["status"] for c in summary.json()["components"]}["Payments"] == (
        "major_outage"
    )
    assert summary.json()["status"]["indicator"] == "critical"
    page = client.get("/status").text
    assert 'id="component-payments" data-status="major_outage"' in page
    for body in (summary.text, page, client.get("/api/v2/components.json").text):
        assert f"INC-{incident.id}" not in body
        assert "is open on" not in body
        assert "payments is failing" not in body  # the (unpublished) incident's title
