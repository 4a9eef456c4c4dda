"""Subscribing from the public page: a pending row and a confirmation mail (to a real SMTP
server on loopback), a Confirm button behind the link, then updates; bad input, forged
cross-site posts and floods refused, and nothing said about who is already subscribed."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.engine.peers import SmtpSink, start_smtp
from tests.statuspage.conftest import Declare, Post
from tests.statuspage.test_subscriptions import _deliver, _text
from tests.support import auth_header
from warroom.clock import FrozenClock
from warroom.playbook import Playbook, default_playbook
from warroom.statuspage.models import Subscription
from warroom.updates import signup

SAME_ORIGIN = {"Origin": "http://testserver"}
CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:8080(/status/subscribe/confirm/[A-Za-z0-9_-]+)")


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    sink, controller, port = start_smtp()
    yield sink, port
    controller.stop()


@pytest.fixture
def playbook(smtp: tuple[SmtpSink, int]) -> Playbook:
    """The default playbook sending subscribers' mail through the SMTP server on loopback."""
    book = default_playbook()
    page = book.status_page.model_copy(
        update={"mail_url": f"mailto://127.0.0.1:{smtp[1]}?from=status@example.com"}
    )
    return book.model_copy(update={"status_page": page})


def _ask(client: TestClient, address: str, *components: str, **headers: str) -> str:
    response = client.post(
        "/status/subscribe",
        data={"email": address, "component": list(components)},
        headers={**SAME_ORIGIN, **headers},
    )
    assert response.status_code == 200, response.text
    return response.text


def _rows(session: Session) -> list[Subscription]:
    session.expire_all()
    return list(session.query(Subscription).order_by(Subscription.id))


def _confirm_path(sink: SmtpSink) -> str:
    found = CONFIRM_LINK.search(_text(sink.messages[-1].content))
    assert found is not None
    return found.group(1)


def test_subscribe_confirm_then_hear_updates(
    client: TestClient,
    alice_token: str,
    engine: Engine,
    playbook: Playbook,
    clock: FrozenClock,
    smtp: tuple[SmtpSink, int],
    declare: Declare,
    post_public: Post,
) -> None:
    sink, _port = smtp
    page = client.get("/status").text
    assert '<form method="post" action="/status/subscribe"' in page
    assert '<input type="checkbox" name="component" value="payments"> Payments' in page

    answer = _ask(client, " Dana@Example.com ", "payments")
    assert "If <strong>dana@example.com</strong> is not subscribed yet" in answer
    headers = auth_header(alice_token)
    assert client.get("/api/v1/subscriptions", headers=headers).json() == []  # pending

    assert _deliver(engine, playbook, clock) == 1
    [mail] = sink.messages
    assert mail.recipients == ["dana@example.com"]
    message = email.message_from_bytes(mail.content)
    assert str(message["Subject"]) == "[Pitchey Status] Confirm your subscription"
    assert "updates from Pitchey Status (Payments)" in _text(mail.content)
    path = _confirm_path(sink)

    shown = client.get(path)  # what a mail scanner does: nothing happens
    assert shown.status_code == 200
    assert "Send status updates to <strong>dana@example.com</strong>?" in shown.text
    assert client.get("/api/v1/subscriptions", headers=headers).json() == []
    done = client.post(path)
    assert done.status_code == 200
    assert "<strong>dana@example.com</strong> is subscribed" in done.text
    assert client.post(path).status_code == 200  # twice is harmless
    [row] = client.get("/api/v1/subscriptions", headers=headers).json()
    assert (row["address"], row["components"]) == ("dana@example.com", ["payments"])

    ref = declare(title="Payments failing", service="payments")["ref"]
    post_public(ref, template="investigating", components={"payments": "major_outage"})
    assert _deliver(engine, playbook, clock) == 1
    update = _text(sink.messages[-1].content)
    assert "We are investigating reports of payments" in update
    assert "http://127.0.0.1:8080/status/unsubscribe/" in update


def test_the_answer_never_tells_who_is_subscribed_and_mails_are_not_repeated(
    client: TestClient,
    engine: Engine,
    session: Session,
    playbook: Playbook,
    clock: FrozenClock,
    smtp: tuple[SmtpSink, int],
) -> None:
    sink, _port = smtp
    new = _ask(client, "erin@example.com")
    pending = _ask(client, "ERIN@example.com", "api")
    assert pending == new
    assert len(_rows(session)) == 1
    assert _rows(session)[0].components == ["api"]  # the newest choice counts
    assert _deliver(engine, playbook, clock) == 1  # one mail, not two

    clock.advance(signup.RESEND_AFTER)
    assert _ask(client, "erin@example.com", "api") == new
    assert _deliver(engine, playbook, clock) == 1  # the link again, same subscription
    assert len(_rows(session)) == 1
    client.post(_confirm_path(sink))

    clock.advance(signup.RESEND_AFTER)
    assert _ask(client, "erin@example.com") == new  # already subscribed: same words
    assert _deliver(engine, playbook, clock) == 0
    assert len(_rows(session)) == 1
    assert _rows(session)[0].components == ["api"]  # a stranger cannot change it either


def test_bad_input_is_refused_precisely_and_escaped(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    cases = {
        "": "enter your e-mail address",
        "not an address": "that is not an e-mail address; write it as name@example.com",
        '"><script>alert(1)</script>@example.com': "that is not an e-mail address",
        "a" * 250 + "@example.com": "that e-mail address is 262 characters long; at most 254",
        "mailto://127.0.0.1:25?to=x@example.com": "that is not an e-mail address",
    }
    for value, message in cases.items():
        response = client.post("/status/subscribe", data={"email": value}, headers=SAME_ORIGIN)
        assert response.status_code == 422, value
        assert message in response.text
        assert "<script>alert" not in response.text
        clock.advance(timedelta(minutes=10))  # stay under the per-client limit
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
        in client.post(
            "/status/subscribe",
            data={"email": '"><script>alert(1)</script>@example.com'},
            headers=SAME_ORIGIN,
        ).text
    )
    unknown = client.post(
        "/status/subscribe",
        data={"email": "a@example.com", "component": "nope"},
        headers=SAME_ORIGIN,
    )
    assert unknown.status_code == 422
    assert "unknown component &#39;nope&#39;" in unknown.text
    extra = client.post(
        "/status/subscribe", data={"email": "a@example.com", "admin": "1"}, headers=SAME_ORIGIN
    )
    assert extra.status_code == 422
    assert "Unknown form field: admin." in extra.text
    many = client.post(
        "/status/subscribe",
        content="&".join(["component=api"] * 101) + "&email=a@example.com",
        headers={**SAME_ORIGIN, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert many.status_code == 422
    assert "The form has over 100 fields." in many.text
    as_json = client.post("/status/subscribe", json={"email": "a@example.com"})
    assert as_json.status_code == 415
    assert "application/x-www-form-urlencoded" in as_json.text
    assert _rows(session) == []


def test_cross_site_posts_are_refused(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
    ):
        response = client.post(
            "/status/subscribe", data={"email": "a@example.com"}, headers=headers
        )
        assert response.status_code == 403, headers
        assert "This form must be sent from the status page itself." in response.text
    assert _rows(session) == []
    # The page's public address (status_page.url) and clients without either header pass.
    _ask(client, "a@example.com", Origin="http://127.0.0.1:8080")
    ok = client.post("/status/subscribe", data={"email": "b@example.com"})
    assert ok.status_code == 200
    assert len(_rows(session)) == 2


def test_requests_are_limited_per_client(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    for n in range(5):
        _ask(client, f"user{n}@example.com")
    flood = client.post("/status/subscribe", data={"email": "x@example.com"}, headers=SAME_ORIGIN)
    assert flood.status_code == 429
    assert "Too many subscription requests" in flood.text
    assert len(_rows(session)) == 5
    clock.advance(timedelta(minutes=10))
    _ask(client, "x@example.com")


def test_a_confirmation_link_expires(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    _ask(client, "late@example.com")
    [row] = _rows(session)
    old_token, path = row.confirm_token, f"/status/subscribe/confirm/{row.confirm_token}"
    clock.advance(signup.CONFIRM_WITHIN)
    assert client.get(path).status_code == 404
    refused = client.post(path)
    assert refused.status_code == 404
    assert "This confirmation link is not valid" in refused.text
    assert client.get("/status/subscribe/confirm/not-a-token").status_code == 404
    _ask(client, "late@example.com")  # asking again starts afresh...
    [new] = _rows(session)  # ...and the unconfirmed request is gone (personal data)
    assert new.confirm_token != old_token
    assert (new.confirmed_at, new.unsubscribed_at) == (None, None)


def test_a_responder_subscription_replaces_a_pending_one(
    client: TestClient, alice_token: str, session: Session
) -> None:
    _ask(client, "ops@example.com")
    made = client.post(
        "/api/v1/subscriptions",
        json={"target": "ops@example.com"},
        headers=auth_header(alice_token),
    )
    assert made.status_code == 201, made.text
    pending, active = _rows(session)
    assert pending.unsubscribed_at is not None
    assert active.confirmed_at is not None
    assert client.post(f"/status/subscribe/confirm/{pending.confirm_token}").status_code == 404


def test_the_form_can_be_switched_off(
    playbook: Playbook, settings: object, clock: FrozenClock, engine: Engine
) -> None:
    from warroom.api.app import create_app
    from warroom.config import Settings

    assert isinstance(settings, Settings)
    page = playbook.status_page.model_copy(update={"public_subscriptions": False})
    off = playbook.model_copy(update={"status_page": page})
    with TestClient(create_app(settings, playbook=off, clock=clock, engine=engine)) as client:
        assert "/status/subscribe" not in client.get("/status").text
        refused = client.post(
            "/status/subscribe", data={"email": "a@example.com"}, headers=SAME_ORIGIN
        )
        assert refused.status_code == 404
        assert "does not take subscriptions" in refused.text
