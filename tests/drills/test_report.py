"""The drill report: measured times against the response time, skipped steps, Markdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.drills.report import DrillFacts, Event, IncidentFacts, build, to_markdown

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _drill(**changes: object) -> DrillFacts:
    base: dict[str, object] = {
        "id": 7,
        "scenario": "outage",
        "faults": ("down",),
        "target_url": "http://127.0.0.1:8090",
        "started_at": T0,
        "expected_severity": "P0",
        "status": "finished",
        "outcome": "resolved",
        "ended_at": T0 + timedelta(hours=2),
        "fault_removed": True,
    }
    base.update(changes)
    return DrillFacts(**base)  # type: ignore[arg-type]


def _incident(**changes: object) -> IncidentFacts:
    base: dict[str, object] = {
        "ref": "INC-3",
        "title": "Health check failing: api",
        "severity": "P0",
        "status": "resolved",
        "detected_at": T0 + timedelta(seconds=15),
        "declared_at": T0 + timedelta(seconds=15),
        "acknowledged_at": T0 + timedelta(minutes=20, seconds=15),
        "acknowledged_by": "@bob",
        "mitigated_at": T0 + timedelta(minutes=50, seconds=15),
        "resolved_at": T0 + timedelta(hours=1, seconds=15),
    }
    base.update(changes)
    return IncidentFacts(**base)  # type: ignore[arg-type]


def test_times_are_measured_against_the_response_time() -> None:
    events = [Event(T0 + timedelta(seconds=16), "page", "engine", "paged @bob")]
    report = build(
        drill=_drill(),
        incident=_incident(),
        events=events,
        response_time=timedelta(minutes=15),
        update_every=timedelta(minutes=30),
        now=T0 + timedelta(hours=3),
    )
    assert report["times_seconds"] == {
        "detect": 15.0,
        "acknowledge": 1200.0,
        "mitigate": 3000.0,
        "resolve": 3600.0,
    }
    assert report["response_time_seconds"] == 900.0
    assert report["acknowledged_in_time"] is False
    assert report["severity_as_expected"] is True


def test_skipped_steps_are_flagged_including_the_30_minute_cadence() -> None:
    # an hour open with a single internal update at minute 10: the cadence broke at minute 40
    events = [
        Event(T0 + timedelta(seconds=16), "page", "engine", "paged"),
        Event(T0 + timedelta(minutes=10), "internal_update", "@bob", "looking"),
    ]
    report = build(
        drill=_drill(),
        incident=_incident(),
        events=events,
        response_time=timedelta(minutes=15),
        update_every=timedelta(minutes=30),
        now=T0 + timedelta(hours=3),
    )
    states = {s["step"]: s["state"] for s in report["steps"]}
    assert states["internal_update"] == "done"
    assert states["internal_cadence"] == "skipped"
    assert states["commander"] == "skipped"
    assert states["public_update"] == "skipped"
    assert report["skipped"] == [
        "Incident Commander assigned",
        "Internal update every 30m",
        "Public (status page) update",
        "Fix verified",
    ]


def test_a_short_incident_owes_no_cadence_and_a_missing_incident_skips_everything() -> None:
    short = build(
        drill=_drill(),
        incident=_incident(resolved_at=T0 + timedelta(minutes=10)),
        events=[],
        response_time=timedelta(minutes=15),
        update_every=timedelta(minutes=30),
        now=T0,
    )
    assert {s["step"]: s["state"] for s in short["steps"]}["internal_cadence"] == "not due"
    none = build(
        drill=_drill(outcome="timed-out"),
        incident=None,
        events=[],
        response_time=None,
        update_every=None,
        now=T0,
    )
    assert none["incident"] is None
    assert all(s["state"] == "skipped" for s in none["steps"])
    assert "No incident was opened" in to_markdown(none)


def test_markdown_has_times_steps_and_timeline() -> None:
    events = [Event(T0 + timedelta(seconds=15), "alert", "monitor", "Health check failing")]
    text = to_markdown(
        build(
            drill=_drill(fault_removed=False),
            incident=_incident(severity="P1"),
            events=events,
            response_time=timedelta(minutes=30),
            update_every=None,
            now=T0,
        )
    )
    assert text.startswith("# Drill 7: outage\n")
    assert "| Time to acknowledge | 20m00s | 30m00s |" in text
    assert "Fault removed: NO - check the target" in text
    assert "Severity: expected P0, got P1" in text
    assert "**alert** (monitor) Health check failing" in text
