"""The notify contracts: enqueue is idempotent, people expand per their rules, channels by name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.engine.conftest import reachable_playbook, with_contacts
from tests.engine.peers import HttpReceiver
from warroom.clock import FrozenClock
from warroom.errors import InvalidInput, NotFound
from warroom.notify import service as notify
from warroom.notify.models import Notification, Semantics
from warroom.playbook import Playbook, default_playbook


def test_enqueue_is_idempotent_by_dedup_key(session: Session, clock: FrozenClock) -> None:
    first = notify.enqueue(
        session,
        now=clock.now(),
        target="json://127.0.0.1:9/hook",
        title="Hello",
        body="body",
        reason="announcement",
        dedup_key="k1",
    )
    again = notify.enqueue(
        session,
        now=clock.now(),
        target="json://127.0.0.1:9/other",
        title="Hello again",
        body="body",
        reason="announcement",
        dedup_key="k1",
    )
    session.commit()
    assert first is not None
    assert first.status == "queued"
    assert first.not_before == clock.now()
    assert again is None
    assert session.scalar(select(func.count()).select_from(Notification)) == 1


def test_enqueue_refuses_bad_input_and_stores_nothing(session: Session, clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput, match="not an Apprise URL"):
        notify.enqueue(
            session,
            now=clock.now(),
            target="alice@example.com",
            title="t",
            body="",
            reason="page",
            dedup_key="k",
        )
    with pytest.raises(InvalidInput, match="title"):
        notify.enqueue(
            session,
            now=clock.now(),
            target="json://h/x",
            title="  ",
            body="",
            reason="page",
            dedup_key="k",
        )
    assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_semantics_by_scheme() -> None:
    assert notify.semantics_for("twilio://sid:token@15551234567") is Semantics.AT_MOST_ONCE
    assert notify.semantics_for("json://example.com/hook") is Semantics.AT_LEAST_ONCE
    assert notify.semantics_for("mailtos://user:pw@example.com") is Semantics.AT_LEAST_ONCE


def test_notify_person_follows_rules_with_derived_keys(
    session: Session, clock: FrozenClock, receiver: HttpReceiver
) -> None:
    data = with_contacts(receiver).model_dump(mode="json")
    alice = data["people"][0]
    alice["contact"].append({"url": "twilio://AC123:token@15551234567/15557654321", "label": "sms"})
    data["notify"]["rules"] = {"alice": [{"contact": "chat"}, {"contact": "sms", "after": "5m"}]}
    playbook = Playbook.model_validate(data)

    rows = notify.notify_person(
        session,
        playbook=playbook,
        now=clock.now(),
        person="@alice",
        title="Page",
        body="b",
        reason="page",
        dedup_key="esc/1",
        incident_id=None,
    )
    assert [(r.dedup_key, r.not_before - clock.now(), r.semantics) for r in rows] == [
        ("esc/1/alice/0", timedelta(0), "at_least_once"),
        ("esc/1/alice/1", timedelta(minutes=5), "at_most_once"),
    ]
    again = notify.notify_person(
        session,
        playbook=playbook,
        now=clock.now(),
        person="alice",
        title="Page",
        body="b",
        reason="page",
        dedup_key="esc/1",
    )
    assert again == []


def test_notify_person_without_rules_spaces_methods(session: Session, clock: FrozenClock) -> None:
    data = default_playbook().model_dump(mode="json")
    data["people"][1]["contact"] = [
        {"url": "json://127.0.0.1:9/a"},
        {"url": "json://127.0.0.1:9/b"},
    ]
    playbook = Playbook.model_validate(data)
    rows = notify.notify_person(
        session,
        playbook=playbook,
        now=clock.now(),
        person="bob",
        title="t",
        body="",
        reason="page",
        dedup_key="x",
    )
    assert [r.not_before - clock.now() for r in rows] == [timedelta(0), timedelta(minutes=5)]
    assert (
        notify.notify_person(
            session,
            playbook=playbook,
            now=clock.now(),
            person="alice",
            title="t",
            body="",
            reason="page",
            dedup_key="x",
        )
        == []
    )  # alice has no contact methods
    with pytest.raises(NotFound):
        notify.notify_person(
            session,
            playbook=playbook,
            now=clock.now(),
            person="mallory",
            title="t",
            body="",
            reason="page",
            dedup_key="x",
        )


def test_notify_channel(session: Session, clock: FrozenClock) -> None:
    playbook = reachable_playbook(
        notify={
            "channels": {
                "stakeholders": "mailto://127.0.0.1:2525?from=w@example.com&to=s@example.com"
            }
        }
    )
    row = notify.notify_channel(
        session,
        playbook=playbook,
        now=clock.now(),
        channel="stakeholders",
        title="Update",
        body="b",
        reason="stakeholder_update",
        dedup_key="u/1",
    )
    assert row is not None
    assert row.channel == "stakeholders"
    assert row.dedup_key == "u/1/channel/stakeholders"
    with pytest.raises(InvalidInput, match="unknown notification channel 'nope'"):
        notify.notify_channel(
            session,
            playbook=playbook,
            now=clock.now(),
            channel="nope",
            title="t",
            body="",
            reason="x",
            dedup_key="y",
        )


def test_long_keys_are_shortened_with_a_digest() -> None:
    key = notify.derive_key("x" * 300, "alice", "0")
    assert len(key) == 255
    assert key != notify.derive_key("x" * 301, "alice", "0")
