"""Stakeholder subscriptions: e-mail through the outbox to a real SMTP server on loopback, with
an unsubscribe link that works without logging in."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.engine.peers import SmtpSink, start_smtp
from tests.statuspage.conftest import Declare, Post
from tests.support import auth_header
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.engine.jobs import DeliveryJob
from warroom.playbook import Playbook


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    sink, controller, port = start_smtp()
    yield sink, port
    controller.stop()


def _text(content: bytes) -> str:
    """The decoded text of an e-mail (bodies may be quoted-printable or base64)."""
    message = email.message_from_bytes(content)
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(
        part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        for part in parts
        if part.get_content_maintype() == "text"
    )


def _deliver(engine: Engine, playbook: Playbook, clock: FrozenClock) -> int:
    with make_sessionmaker(engine)() as session:
        sent = DeliveryJob(playbook).run(session, clock.now())
        session.commit()
    return sent


def test_subscribers_get_updates_and_can_unsubscribe(
    client: TestClient,
    alice_token: str,
    engine: Engine,
    playbook: Playbook,
    clock: FrozenClock,
    smtp: tuple[SmtpSink, int],
    declare: Declare,
    post_public: Post,
) -> None:
    sink, port = smtp
    headers = auth_header(alice_token)

    def target(who: str) -> str:
        return f"mailto://127.0.0.1:{port}?from=status@example.com&to={who}@example.com"

    dana = client.post(
        "/api/v1/subscriptions",
        json={"target": target("dana"), "components": ["payments"]},
        headers=headers,
    )
    assert dana.status_code == 201, dana.text
    assert dana.json()["address"] == "dana@example.com"
    erin = client.post(
        "/api/v1/subscriptions",
        json={"target": target("erin"), "components": ["web"]},
        headers=headers,
    )
    assert erin.status_code == 201

    ref = declare(title="Payments failing", service="payments")["ref"]
    post_public(ref, template="investigating", components={"payments": "major_outage"})
    assert _deliver(engine, playbook, clock) == 1
    [mail] = sink.messages
    assert mail.recipients == ["dana@example.com"]
    text = _text(mail.content)
    assert "We are investigating reports of payments" in text
    link = re.search(r"http://127\.0\.0\.1:8080/status/unsubscribe/[A-Za-z0-9_-]+", text)
    assert link is not None
    path = link.group(0).removeprefix("http://127.0.0.1:8080")

    page = client.get(path)  # no token: the link is the authority
    assert page.status_code == 200
    assert "Stop sending status updates to <strong>dana@example.com</strong>?" in page.text
    done = client.post(path)
    assert done.status_code == 200
    assert "is unsubscribed" in done.text
    assert client.post(path).status_code == 404
    assert client.get("/status/unsubscribe/not-a-token").status_code == 404

    post_public(ref, template="identified")
    assert _deliver(engine, playbook, clock) == 0
    assert len(sink.messages) == 1


def test_maintenance_notifies_subscribers(
    client: TestClient,
    alice_token: str,
    engine: Engine,
    playbook: Playbook,
    clock: FrozenClock,
    smtp: tuple[SmtpSink, int],
) -> None:
    sink, port = smtp
    headers = auth_header(alice_token)
    client.post(
        "/api/v1/subscriptions",
        json={"target": f"mailto://127.0.0.1:{port}?from=s@example.com&to=ops@example.com"},
        headers=headers,
    )
    created = client.post(
        "/api/v1/maintenances",
        json={
            "name": "Database upgrade",
            "scheduled_for": "2026-11-02T22:00:00Z",
            "scheduled_until": "2026-11-02T23:00:00Z",
            "components": ["data"],
        },
        headers=headers,
    )
    client.post(f"/api/v1/maintenances/{created.json()['id']}/start", json={}, headers=headers)
    assert _deliver(engine, playbook, clock) == 2
    subjects = sorted(str(email.message_from_bytes(m.content)["Subject"]) for m in sink.messages)
    assert subjects == [
        "[Pitchey Status] Maintenance in progress: Database upgrade",
        "[Pitchey Status] Scheduled maintenance: Database upgrade",
    ]


def test_subscription_bad_input(client: TestClient, alice_token: str, viewer_token: str) -> None:
    headers = auth_header(alice_token)
    bad = client.post("/api/v1/subscriptions", json={"target": "not an address"}, headers=headers)
    assert bad.status_code == 422
    assert (
        "neither an e-mail address nor an Apprise mailto:// URL" in bad.json()["error"]["message"]
    )
    unknown = client.post(
        "/api/v1/subscriptions",
        json={"target": "a@example.com", "components": ["nope"]},
        headers=headers,
    )
    assert unknown.status_code == 422
    assert "unknown component 'nope'" in unknown.json()["error"]["message"]
    assert (
        client.post(
            "/api/v1/subscriptions", json={"target": "a@example.com"}, headers=headers
        ).status_code
        == 201
    )
    again = client.post("/api/v1/subscriptions", json={"target": "a@example.com"}, headers=headers)
    assert again.status_code == 409
    assert client.get("/api/v1/subscriptions", headers=auth_header(viewer_token)).status_code == 403
    listed = client.get("/api/v1/subscriptions", headers=headers).json()
    assert [s["address"] for s in listed] == ["a@example.com"]
    removed = client.delete(f"/api/v1/subscriptions/{listed[0]['id']}", headers=headers)
    assert removed.status_code == 204
    assert client.get("/api/v1/subscriptions", headers=headers).json() == []
