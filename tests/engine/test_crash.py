"""Crash safety (slow but essential, PostgreSQL only): two `warroom engine` processes share the
work; one is SIGKILLed mid-cycle; every due page still reaches the receiver exactly once per
idempotency key, and the escalation state is never advanced twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.engine.conftest import with_contacts
from tests.engine.peers import HttpReceiver
from warroom.incidents import service as incidents
from warroom.notify.models import Notification
from warroom.timeline.models import TimelineEvent

INCIDENTS = 12
PAGES_PER_INCIDENT = 7  # level 1: bob + alice; level 2: alice, bob; level 3: all three


def _playbook_file(receiver: HttpReceiver, path: Path) -> Path:
    data = with_contacts(receiver).model_dump(mode="json")
    data["schedules"][0]["layers"][0]["members"] = ["bob"]
    data["escalation_policies"]["immediate-all-hands"]["levels"] = [
        {"targets": [{"schedule": "primary"}, {"person": "alice"}], "delay": "1s"},
        {"targets": [{"team": "engineering"}], "delay": "1s"},
        {"targets": [{"all_hands": True}], "delay": "1s"},
    ]
    data["escalation_policies"]["immediate-all-hands"]["repeat"] = 0
    # A short deadline, so the survivor soon takes over what the dead engine was sending.
    data["notify"]["send_timeout"] = "3s"
    data["notify"]["retry"] = {"attempts": 5, "first_delay": "1s", "max_delay": "2s"}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _engine(db_url: str, playbook: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WARROOM_DATABASE_URL": db_url, "WARROOM_PLAYBOOK": str(playbook)}
    return subprocess.Popen(
        [sys.executable, "-m", "warroom.cli.main", "engine", "--interval", "0.05"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_sigkill_one_of_two_engines_mid_cycle(
    db_url: str, engine: Engine, session: Session, receiver: HttpReceiver, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several engines share work on PostgreSQL only")
    receiver.delay = 0.02  # a slow provider: engines spend their time mid-send
    playbook_path = _playbook_file(receiver, tmp_path / "playbook.yaml")
    from warroom.playbook import load_playbook

    playbook = load_playbook(playbook_path)
    now = datetime.now(UTC)
    for i in range(INCIDENTS):
        incidents.declare(
            session,
            playbook=playbook,
            actor="alice",
            now=now,
            title=f"Outage {i}",
            severity="P0",
            service="api",
            declarer="alice",
        )
    session.commit()

    first, second = _engine(db_url, playbook_path), _engine(db_url, playbook_path)
    try:
        _wait(lambda: len(receiver.delivered()) >= 12, 60, "the first pages")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        expected = INCIDENTS * PAGES_PER_INCIDENT
        _wait(
            lambda: len({r.headers["Idempotency-Key"] for r in receiver.delivered()}) >= expected,
            60,
            "every page",
        )
        time.sleep(1)  # anything more arriving now would be a duplicate
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(10)
    keys = Counter(r.headers["Idempotency-Key"] for r in receiver.delivered())
    session.expire_all()
    rows = session.scalars(select(Notification)).all()
    assert len(rows) == expected
    assert set(keys) == {r.dedup_key for r in rows}  # every due page arrived ...
    duplicates = sum(n - 1 for n in keys.values())
    # ... and at most the one batch the killed engine had in flight arrived twice, each time
    # with the same Idempotency-Key, so the receiver can drop it (at-least-once for webhooks).
    assert duplicates <= 50
    assert {r.status for r in rows} == {"sent"}
    pages = session.scalar(
        select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "page")
    )
    assert pages == expected  # no escalation level was ever paged twice
    print(f"\ncrash test: {expected} pages, {duplicates} raw duplicate deliveries")
