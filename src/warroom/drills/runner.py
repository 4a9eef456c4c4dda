"""Running a drill from the terminal: switch the faults on, follow warroom, always switch off.

``DrillRunner`` talks to warroom's drill API and the target's fault switch through clients it
is given, sleeps through an injected function, and reports progress to a callback, so tests
drive it without a terminal and without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from warroom.cli.client import JSON, ApiClient, ClientError
from warroom.cli.target import TargetClient

DRILLS = "/api/v1/drills"
FINAL = ("resolved", "closed")


class DrillClient(ApiClient):
    """warroom's /api/v1/drills endpoints."""

    def scenarios(self) -> list[JSON]:
        """Every scenario the server knows: built in and the playbook's."""
        data = self._send("GET", f"{DRILLS}/scenarios").json()
        return list(data) if isinstance(data, list) else []

    def start(self, body: JSON) -> JSON:
        """Record a drill; answers {"drill", "scenario"}."""
        return self._json("POST", DRILLS, body=body)

    def observe(self, drill_id: int) -> JSON:
        """The drill with its report so far (links the incident once there is one)."""
        return self._json("POST", f"{DRILLS}/{drill_id}/observe")

    def finish(self, drill_id: int, *, outcome: str, fault_removed: bool) -> JSON:
        """End the drill; answers it with its final report."""
        body = {"outcome": outcome, "fault_removed": fault_removed}
        return self._json("POST", f"{DRILLS}/{drill_id}/finish", body=body)

    def drill(self, drill_id: int) -> JSON:
        """One drill and its report."""
        return self._json("GET", f"{DRILLS}/{drill_id}")

    def drills(self, limit: int = 50) -> list[JSON]:
        """The newest drills first."""
        data = self._send("GET", DRILLS, params=[("limit", str(limit))]).json()
        return list(data) if isinstance(data, list) else []


class DrillRunner:
    """One drill, start to finish; ``run`` returns the drill with its final report."""

    def __init__(
        self,
        api: DrillClient,
        target: TargetClient,
        *,
        scenario: str,
        duration: str,
        duration_seconds: float,
        severity: str | None = None,
        poll_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        on_progress: Callable[[JSON], None] = lambda _drill: None,
    ) -> None:
        self.api = api
        self.target = target
        self.scenario = scenario
        self.duration = duration
        self.duration_seconds = duration_seconds
        self.severity = severity
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        self.monotonic = monotonic
        self.on_progress = on_progress
        self.faults: list[str] = []
        self.drill_id: int | None = None

    def run(self) -> JSON:
        """Inject, follow until resolved or the time limit, then remove the faults and finish."""
        self.target.health()  # an unreachable target stops here, before anything is recorded
        body: JSON = {
            "scenario": self.scenario,
            "target_url": self.target.base_url,
            "duration": self.duration,
        }
        if self.severity:
            body["severity"] = self.severity
        started = self.api.start(body)
        self.drill_id = int(started["drill"]["id"])
        latest: JSON = started["drill"]
        outcome = "error"
        try:
            for fault in started["scenario"]["fault_bodies"]:
                self.faults.append(str(fault["fault"]))
                self.target.switch(fault)
            latest, outcome = self._follow()
        except KeyboardInterrupt:
            outcome = "aborted"
            raise
        finally:
            removed = self.remove_faults()
            try:
                latest = self.api.finish(self.drill_id, outcome=outcome, fault_removed=removed)
            except ClientError:
                latest = {**latest, "outcome": outcome, "fault_removed": removed}
            self.on_progress(latest)
        return latest

    def _follow(self) -> tuple[JSON, str]:
        deadline = self.monotonic() + self.duration_seconds
        assert self.drill_id is not None
        while True:
            drill = self.api.observe(self.drill_id)
            self.on_progress(drill)
            incident = (drill.get("report") or {}).get("incident") or {}
            if incident.get("status") in FINAL:
                return drill, "resolved"
            if self.monotonic() >= deadline:
                return drill, "timed-out"
            self.sleep(self.poll_seconds)

    def remove_faults(self) -> bool:
        """Switch every fault this drill turned on off; True when all are off."""
        ok = True
        for fault in self.faults:
            for attempt in range(3):
                try:
                    self.target.switch({"fault": fault, "on": False})
                    break
                except ClientError:
                    if attempt == 2:
                        ok = False
                    else:
                        self.sleep(0.5)
        return ok


def describe(drill: JSON) -> list[tuple[str, str, str]]:
    """The report's steps as (label, state, after) rows for a display."""
    rows: list[tuple[str, str, str]] = []
    for step in (drill.get("report") or {}).get("steps") or []:
        after = step.get("after_seconds")
        rows.append(
            (str(step["label"]), str(step["state"]), f"{after:.0f}s" if after is not None else "")
        )
    return rows


def summary(drill: JSON) -> dict[str, Any]:
    """The headline figures of a report, for the end of a run."""
    report = drill.get("report") or {}
    return {
        "times": report.get("times_seconds") or {},
        "target": report.get("response_time_seconds"),
        "skipped": report.get("skipped") or [],
    }
