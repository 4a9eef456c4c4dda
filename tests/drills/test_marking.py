"""Drill incidents are marked as drills in the API and never reach the public status page."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.support import auth_header
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.drills.models import Drill


def _declare(client: TestClient, token: str, title: str) -> str:
    response = client.post(
        "/api/v1/incidents",
        json={"title": title, "severity": "P0", "service": "api"},
        headers=auth_header(token),
    )
    assert response.status_code == 201, response.text
    ref: str = response.json()["ref"]
    return ref


def test_drill_incidents_are_marked_and_kept_off_the_public_page(
    client: TestClient, alice_token: str, engine: Engine, clock: FrozenClock
) -> None:
    real = _declare(client, alice_token, "Real outage")
    practice = _declare(client, alice_token, "Game-day outage")
    with make_sessionmaker(engine)() as session:
        session.add(
            Drill(
                scenario="outage",
                faults=["down"],
                target_url="http://127.0.0.1:8090",
                status="running",
                started_by="@alice",
                started_at=clock.now(),
                deadline=clock.now() + timedelta(minutes=10),
                incident_id=int(practice.split("-")[1]),
            )
        )
        session.commit()
    headers = auth_header(alice_token)
    assert client.get(f"/api/v1/incidents/{practice}", headers=headers).json()["drill"] is True
    assert client.get(f"/api/v1/incidents/{real}", headers=headers).json()["drill"] is False
    listed = {
        i["ref"]: i["drill"]
        for i in client.get("/api/v1/incidents", headers=headers).json()["items"]
    }
    assert listed == {real: False, practice: True}

    for ref in (real, practice):
        posted = client.post(
            f"/api/v1/incidents/{ref}/public-updates",
            json={"template": "investigating"},
            headers=headers,
        )
        assert posted.status_code in (200, 201), posted.text
    public = client.get("/api/v2/incidents.json").json()["incidents"]
    assert [i["name"] for i in public] == ["Real outage"]
    assert "Game-day outage" not in client.get("/status").text
