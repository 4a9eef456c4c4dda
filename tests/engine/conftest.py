"""Fixtures of the engine tests: loopback peers and a playbook whose people can be reached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.peers import HttpReceiver, SmtpSink, self_signed, start_http_receiver, start_smtp
from warroom.playbook import Playbook, default_playbook


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    peer, server = start_http_receiver()
    yield peer
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    sink, controller, port = start_smtp()
    yield sink, port
    controller.stop()


@pytest.fixture(scope="session")
def _tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tls")


@pytest.fixture
def smtp_tls(_tls_dir: Path) -> Iterator[tuple[SmtpSink, int]]:
    sink, controller, port = start_smtp(self_signed(_tls_dir))
    yield sink, port
    controller.stop()


def reachable_playbook(base: Playbook | None = None, **sections: Any) -> Playbook:
    """The default playbook with the given sections replaced (plain data, validated)."""
    data = (base or default_playbook()).model_dump(mode="json")
    data.update(sections)
    return Playbook.model_validate(data)


def with_contacts(receiver: HttpReceiver, **extra: Any) -> Playbook:
    """alice and bob (and carol, a third person) reachable on the HTTP receiver."""
    data = default_playbook().model_dump(mode="json")
    people = data["people"]
    for person in people:
        person["contact"] = [{"url": receiver.url(person["handle"]), "label": "chat"}]
    people.append(
        {
            "handle": "carol",
            "name": "Carol Example",
            "title": "Support engineer",
            "contact": [{"url": receiver.url("carol"), "label": "chat"}],
        }
    )
    data.update(extra)
    return Playbook.model_validate(data)


@pytest.fixture
def reachable(receiver: HttpReceiver) -> Playbook:
    return with_contacts(receiver)
