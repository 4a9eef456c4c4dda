"""End to end: the outage drill against a real target, warroom's real engine and a real inbox.

The engine runs cycle by cycle on the test's FrozenClock: the drill runner's "sleep" moves the
clock five seconds and runs one cycle, in which the monitors really probe the target on
loopback and the pages are really posted to the inbox. The responder's moves (acknowledge, fix,
walk the incident to resolved) happen in that same hook when their moment comes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.drills.conftest import TARGET_TOKEN
from tests.support import auth_header
from warroom.cli.target import TargetClient
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.demo.inbox import Inbox
from warroom.drills.models import Drill
from warroom.drills.runner import DrillClient, DrillRunner
from warroom.engine.runner import Runner, default_jobs
from warroom.playbook import Playbook

STEP = timedelta(seconds=5)


class Responder:
    """Plays bob: acknowledges, takes command, fixes, walks the incident to resolved."""

    def __init__(self, api: httpx.Client, target: TargetClient, inbox: Inbox) -> None:
        self.api, self.target, self.inbox = api, target, inbox
        self.latest: dict[str, Any] = {}
        self.acked = self.fixed = False
        self.page_count_at_ack = 0

    def _move(self, ref: str, to: str) -> None:
        answer = self.api.post(f"/api/v1/incidents/{ref}/transitions", json={"to": to})
        assert answer.status_code == 200, answer.text

    def act(self) -> None:
        incident = (self.latest.get("report") or {}).get("incident")
        if incident is None:
            return
        ref = incident["ref"]
        paged = [m for m in self.inbox.messages if m.mailbox in ("alice", "bob")]
        if not self.acked and paged:
            self.api.post(f"/api/v1/incidents/{ref}/acknowledge").raise_for_status()
            self.acked, self.page_count_at_ack = True, len(paged)
        elif self.acked and not self.fixed:
            self.target.switch({"fault": "down", "on": False})  # the fix
            answer = self.api.put(
                f"/api/v1/incidents/{ref}/roles/incident_commander", json={"person": "bob"}
            )
            assert answer.status_code == 200, answer.text
            for to in ("investigating", "identified", "fixing", "verifying"):
                self._move(ref, to)
            self.fixed = True
        elif self.fixed and incident["status"] != "resolved":
            health = self.api.get("/api/v1/monitors/target-health").json()
            if health["state"] == "up":  # the monitors recovered: it holds
                for to in ("monitoring", "resolved"):
                    self._move(ref, to)


def test_outage_drill_end_to_end(
    live_server: str,
    engine: Engine,
    clock: FrozenClock,
    playbook: Playbook,
    target_url: str,
    inbox: Inbox,
    bob_token: str,
) -> None:
    engine_runner = Runner(default_jobs(playbook), sessions=make_sessionmaker(engine), clock=clock)
    engine_runner.cycle()  # the monitors' first checks: all up
    api = DrillClient(live_server, bob_token)
    target = TargetClient(target_url, TARGET_TOKEN)
    bob = httpx.Client(base_url=live_server, headers=auth_header(bob_token))
    responder = Responder(bob, target, inbox)
    faults_seen: list[bool] = []

    def tick(_seconds: float) -> None:
        faults_seen.append(any(f["on"] for f in target.faults()["faults"]))
        clock.advance(STEP)
        engine_runner.cycle()
        responder.act()

    def progress(drill: dict[str, Any]) -> None:
        responder.latest = drill

    runner = DrillRunner(
        api,
        target,
        scenario="outage",
        duration="10m",
        duration_seconds=600,
        sleep=tick,
        monotonic=lambda: clock.now().timestamp(),
        on_progress=progress,
    )
    final = runner.run()

    assert final["outcome"] == "resolved"
    assert final["fault_removed"] is True
    assert faults_seen[0] is True  # the fault really went on
    assert not any(f["on"] for f in target.faults()["faults"])
    report = final["report"]
    assert report["incident"]["severity"] == "P0"
    assert report["severity_as_expected"] is True
    assert report["incident"]["status"] == "resolved"
    # three failed health checks five seconds apart: detected 10-15 s after the fault
    assert 10 <= report["times_seconds"]["detect"] <= 15
    assert report["times_seconds"]["acknowledge"] <= 10
    assert report["acknowledged_in_time"] is True
    assert report["times_seconds"]["resolve"] > report["times_seconds"]["acknowledge"]
    steps = {s["step"]: s["state"] for s in report["steps"]}
    assert steps["declared"] == steps["paged"] == steps["acknowledged"] == "done"
    assert steps["mitigated"] == steps["verifying"] == steps["resolved"] == "done"
    assert steps["commander"] == "done"
    # what bob never did is flagged
    assert steps["public_update"] == steps["internal_update"] == "skipped"
    assert "Public (status page) update" in report["skipped"]
    assert any(m.title.startswith("[P0]") for m in inbox.messages)
    kinds = {e["kind"] for e in report["timeline"]}
    assert {"alert", "page", "acknowledged", "status_changed"} <= kinds
    marks = [e for e in report["timeline"] if e["actor"] == "warroom:drill"]
    assert len(marks) == 1
    assert marks[0]["body"].startswith("Game-day drill 1 (outage)")
    with make_sessionmaker(engine)() as session:
        drill = session.scalars(select(Drill)).one()
        assert drill.lock_key is None
        assert drill.incident_id is not None
    # the production metrics leave the drill's incident out unless asked
    plain = bob.get("/api/v1/metrics").json()
    with_drills = bob.get("/api/v1/metrics", params={"include_drills": "true"}).json()
    assert with_drills["incidents"] > plain["incidents"]
    bob.close()
    api.close()
    target.close()
