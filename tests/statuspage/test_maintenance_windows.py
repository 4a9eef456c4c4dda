"""Maintenance windows start and complete themselves at their scheduled times."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from warroom.clock import FrozenClock
from warroom.playbook import Playbook
from warroom.statuspage import maintenance
from warroom.statuspage.models import Maintenance, PublicUpdate
from warroom.updates.maintenance_windows import MaintenanceWindows


def _window(session: Session, playbook: Playbook, clock: FrozenClock, **times: int) -> str:
    row = maintenance.create(
        session,
        playbook=playbook,
        actor="@alice",
        now=clock.now(),
        name="Database upgrade",
        scheduled_for=clock.now() + timedelta(minutes=times.get("start", 60)),
        scheduled_until=clock.now() + timedelta(minutes=times.get("end", 120)),
        component_keys=["data"],
    )
    session.commit()
    return row.public_id


def _statuses(session: Session, public_id: str) -> list[str]:
    row = maintenance.get(session, public_id)
    updates = session.query(PublicUpdate).filter(PublicUpdate.maintenance_id == row.id)
    return [u.status for u in updates.order_by(PublicUpdate.id)]


def test_a_window_starts_and_completes_on_time(
    session: Session, playbook: Playbook, clock: FrozenClock, client: TestClient
) -> None:
    public_id = _window(session, playbook, clock)
    job = MaintenanceWindows(playbook)
    assert job.run(session, clock.now()) == 0

    clock.advance(timedelta(minutes=60))
    assert job.run(session, clock.now()) == 1
    session.commit()
    assert job.run(session, clock.now()) == 0  # idempotent
    row = maintenance.get(session, public_id)
    assert (row.status, row.started_at) == ("in_progress", clock.now())
    summary = client.get("/api/v2/summary.json").json()
    assert {c["name"]: c["status"] for c in summary["components"]}["Data storage"] == (
        "under_maintenance"
    )

    clock.advance(timedelta(minutes=60))
    assert job.run(session, clock.now()) == 1
    session.commit()
    session.expire_all()
    row = maintenance.get(session, public_id)
    assert (row.status, row.resolved_at) == ("completed", clock.now())
    assert _statuses(session, public_id) == ["scheduled", "in_progress", "completed"]


def test_a_window_found_after_its_end_is_completed_without_starting(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    public_id = _window(session, playbook, clock, start=10, end=20)
    clock.advance(timedelta(hours=2))  # the engine was down through the whole window
    assert MaintenanceWindows(playbook).run(session, clock.now()) == 1
    session.commit()
    assert _statuses(session, public_id) == ["scheduled", "completed"]
    assert session.query(Maintenance).one().started_at is None
