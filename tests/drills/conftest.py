"""Drill fixtures: a real practice target and a real inbox on loopback, and the demo playbook
pointing warroom's monitors and notifications at them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import free_port
from warroom.clock import FrozenClock
from warroom.demo.book import demo_playbook
from warroom.demo.inbox import Inbox
from warroom.demo.launcher import TARGET_TOKEN_ENV, ServerThread
from warroom.playbook import Playbook
from warroom.target.app import create_target_app

TARGET_TOKEN = "wt_drill_test_token"


@pytest.fixture
def target_url(clock: FrozenClock) -> Iterator[str]:
    """The practice target (no simulated users), on a free loopback port, on the test clock."""
    port = free_port()
    server = ServerThread(
        create_target_app(token=TARGET_TOKEN, clock=clock), "127.0.0.1", port, "target"
    )
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """The demo's local inbox, receiving Apprise json:// posts."""
    box = Inbox().start()
    yield box
    box.stop()


@pytest.fixture
def playbook(target_url: str, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> Playbook:
    """The demo playbook, monitoring the test's target and paging into the test's inbox."""
    monkeypatch.setenv(TARGET_TOKEN_ENV, TARGET_TOKEN)
    return demo_playbook(
        target_url=target_url, inbox=inbox.address, warroom_url="http://127.0.0.1:8080"
    )
