"""Delivering the outbox through Apprise to real peers on loopback, with retries and backoff."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.engine.peers import HttpReceiver, SmtpSink
from warroom.clock import FrozenClock
from warroom.incidents import service as incidents
from warroom.notify import delivery
from warroom.notify import service as notify
from warroom.notify.models import Notification
from warroom.notify.sender import AppriseSender, FakeSender
from warroom.playbook import Playbook
from warroom.timeline import service as timeline

SENDER = AppriseSender()


def _declare(session: Session, playbook: Playbook, clock: FrozenClock) -> int:
    incident = incidents.declare(
        session,
        playbook=playbook,
        actor="alice",
        now=clock.now(),
        title="Checkout is down",
        severity="P1",
        service="api",
        declarer="alice",
    )
    session.flush()
    return incident.id


def _deliver(
    session: Session, playbook: Playbook, clock: FrozenClock, sender: object = SENDER
) -> int:
    done = delivery.deliver_due(session, playbook=playbook, now=clock.now(), sender=sender)  # type: ignore[arg-type]
    session.commit()
    return done


def test_json_webhook_is_delivered_once_with_an_idempotency_key(
    session: Session, clock: FrozenClock, reachable: Playbook, receiver: HttpReceiver
) -> None:
    notify.notify_person(
        session,
        playbook=reachable,
        now=clock.now(),
        person="bob",
        title="Page: INC-1",
        body="Checkout is down",
        reason="page",
        dedup_key="esc/1",
    )
    session.commit()
    assert _deliver(session, reachable, clock) == 1
    assert _deliver(session, reachable, clock) == 0  # nothing due any more
    got = receiver.delivered("bob")
    assert len(got) == 1
    assert got[0].body["title"] == "Page: INC-1"
    assert got[0].body["message"] == "Checkout is down"
    assert got[0].headers["Idempotency-Key"] == "esc/1/bob/0"
    row = session.scalars(select(Notification)).one()
    assert (row.status, row.attempts, row.finished_at) == ("sent", 1, clock.now())


def test_failing_receiver_is_retried_with_exponential_backoff_then_recovers(
    session: Session, clock: FrozenClock, reachable: Playbook, receiver: HttpReceiver
) -> None:
    receiver.fail["bob"] = 3
    notify.notify_person(
        session,
        playbook=reachable,
        now=clock.now(),
        person="bob",
        title="Page",
        body="b",
        reason="page",
        dedup_key="esc/2",
    )
    session.commit()
    start = clock.now()
    waits = []
    for _ in range(3):
        _deliver(session, reachable, clock)
        row = session.scalars(select(Notification)).one()
        assert row.status == "queued"
        assert "500" in (row.last_error or "") or "error" in (row.last_error or "").lower()
        waits.append(row.not_before - clock.now())
        _deliver(session, reachable, clock)  # not due yet: nothing happens
        assert receiver.failures_served["bob"] == len(waits)
        clock.set(row.not_before)
    assert waits == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    _deliver(session, reachable, clock)
    row = session.scalars(select(Notification)).one()
    assert (row.status, row.attempts) == ("sent", 4)
    assert len(receiver.delivered("bob")) == 1
    assert clock.now() - start == timedelta(minutes=3, seconds=30)


def test_final_failure_is_recorded_on_the_timeline_without_the_secret(
    session: Session, clock: FrozenClock, receiver: HttpReceiver
) -> None:
    from tests.engine.conftest import with_contacts

    playbook = with_contacts(receiver, notify={"retry": {"attempts": 2, "first_delay": "10s"}})
    data = playbook.model_dump(mode="json")
    data["people"][1]["contact"] = [
        {"url": f"json://user:hunter2@127.0.0.1:{receiver.port}/bob", "label": "chat"}
    ]
    playbook = Playbook.model_validate(data)
    receiver.fail["bob"] = 10
    incident_id = _declare(session, playbook, clock)
    notify.notify_person(
        session,
        playbook=playbook,
        now=clock.now(),
        person="bob",
        title="Page",
        body="b",
        reason="announcement",
        dedup_key="ann/1",
        incident_id=incident_id,
    )
    session.commit()
    _deliver(session, playbook, clock)
    clock.advance(timedelta(seconds=10))
    _deliver(session, playbook, clock)
    row = session.scalars(select(Notification)).one()
    assert (row.status, row.attempts) == ("failed", 2)
    events = timeline.events(session, incident_id=incident_id, kinds=["notification_failed"])
    assert len(events) == 1
    assert "@bob" in events[0].body
    assert "gave up after 2 attempts" in events[0].body
    assert "hunter2" not in events[0].body
    assert "hunter2" not in str(events[0].data)
    assert events[0].data["target"].startswith("json://user:***@")


def test_invalid_url_fails_at_once(
    session: Session, clock: FrozenClock, reachable: Playbook
) -> None:
    notify.enqueue(
        session,
        now=clock.now(),
        target="json://",
        title="t",
        body="b",
        reason="x",
        dedup_key="bad",
    )
    session.commit()
    _deliver(session, reachable, clock)
    row = session.scalars(select(Notification)).one()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "Apprise does not accept this URL"


def test_interrupted_send_is_retried_at_least_once_but_not_for_sms(
    session: Session, clock: FrozenClock, reachable: Playbook
) -> None:
    for key, target in (
        ("hook", "json://127.0.0.1:9/hook"),
        ("sms", "twilio://AC1:tok@15551234567/15557654321"),
    ):
        notify.enqueue(
            session,
            now=clock.now(),
            target=target,
            title="t",
            body="b",
            reason="x",
            dedup_key=key,
        )
    session.commit()
    # An engine claims both, commits "sending", and dies before sending.
    claimed, _ = delivery.claim(session, playbook=reachable, now=clock.now(), limit=10)
    assert len(claimed) == 2
    session.commit()
    clock.advance(reachable.notify.send_timeout + timedelta(seconds=1))
    fake = FakeSender()
    _deliver(session, reachable, clock, fake)
    rows = {r.dedup_key: r for r in session.scalars(select(Notification))}
    assert rows["sms"].status == "failed"
    assert "at-most-once" in (rows["sms"].last_error or "")
    assert rows["hook"].status == "sent"
    assert rows["hook"].attempts == 2
    assert [s[3] for s in fake.sent] == ["hook"]


def test_pages_are_cancelled_once_acknowledged_but_announcements_are_not(
    session: Session, clock: FrozenClock, reachable: Playbook
) -> None:
    incident_id = _declare(session, reachable, clock)
    for reason in ("page", "announcement"):
        notify.enqueue(
            session,
            now=clock.now(),
            target="json://127.0.0.1:9/x",
            title="t",
            body="b",
            reason=reason,
            dedup_key=reason,
            incident_id=incident_id,
            not_before=clock.now() + timedelta(minutes=5),
        )
    session.commit()
    clock.advance(timedelta(minutes=1))
    incident = incidents.get(session, incident_id, playbook=reachable)
    incidents.acknowledge(
        session, playbook=reachable, incident=incident, actor="bob", now=clock.now()
    )
    session.commit()
    clock.advance(timedelta(minutes=5))
    fake = FakeSender()
    _deliver(session, reachable, clock, fake)
    rows = {r.reason: r for r in session.scalars(select(Notification))}
    assert rows["page"].status == "cancelled"
    assert "acknowledged by bob" in (rows["page"].last_error or "")
    assert rows["announcement"].status == "sent"


def test_email_through_a_real_smtp_server(
    session: Session, clock: FrozenClock, reachable: Playbook, smtp: tuple[SmtpSink, int]
) -> None:
    sink, port = smtp
    notify.enqueue(
        session,
        now=clock.now(),
        target=f"mailto://127.0.0.1:{port}?from=warroom@example.com&to=alice@example.com",
        title="[P0] INC-7: Site down",
        body="Acknowledge: warroom incident ack INC-7",
        reason="page",
        dedup_key="mail/1",
    )
    session.commit()
    _deliver(session, reachable, clock)
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    assert mail.recipients == ["alice@example.com"]
    assert b"Subject: [P0] INC-7: Site down" in mail.content
    assert b"warroom incident ack INC-7" in mail.content


def test_email_over_starttls(
    session: Session, clock: FrozenClock, reachable: Playbook, smtp_tls: tuple[SmtpSink, int]
) -> None:
    sink, port = smtp_tls
    # The test server's certificate is self-signed, hence verify=no.
    notify.enqueue(
        session,
        now=clock.now(),
        target=f"mailtos://127.0.0.1:{port}?mode=starttls&verify=no&from=warroom@example.com&to=bob@example.com",
        title="Reminder",
        body="Post an internal update",
        reason="reminder",
        dedup_key="mail/2",
    )
    session.commit()
    _deliver(session, reachable, clock)
    assert [(m.recipients, m.tls) for m in sink.messages] == [(["bob@example.com"], True)]
    assert session.scalars(select(Notification)).one().status == "sent"
