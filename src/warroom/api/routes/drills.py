"""/api/v1/drills: record game-day drills, follow them, end them, read their reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep, Viewer
from warroom.api.schemas import Strict
from warroom.drills import scenarios
from warroom.drills import service as drills
from warroom.drills.models import Drill
from warroom.errors import InvalidInput
from warroom.playbook import Playbook, parse_duration

router = APIRouter(prefix="/api/v1/drills", tags=["drills"])


class DrillIn(Strict):
    scenario: str = Field(min_length=1, max_length=40, description="Built-in or playbook drill")
    target_url: str = Field(min_length=1, max_length=500, description="The target's base URL")
    duration: str = Field(default="10m", max_length=20, description="Time limit, e.g. 10m")
    severity: str | None = Field(default=None, max_length=8, description="Expected severity")


class FinishIn(Strict):
    outcome: str = Field(description="resolved, timed-out, aborted or error")
    fault_removed: bool = Field(description="Whether the runner switched the faults off")


class ScenarioOut(BaseModel):
    name: str
    description: str
    faults: list[str]
    severity: str | None
    built_in: bool
    fault_bodies: list[dict[str, Any]]


class DrillOut(BaseModel):
    id: int
    scenario: str
    faults: list[str]
    target_url: str
    status: str
    outcome: str | None
    expected_severity: str | None
    started_by: str
    started_at: datetime
    deadline: datetime
    ended_at: datetime | None
    fault_removed: bool | None
    report: dict[str, Any]


def _scenario_out(s: scenarios.Scenario, duration: str | None = None) -> ScenarioOut:
    return ScenarioOut(
        name=s.name,
        description=s.description,
        faults=list(s.faults),
        severity=s.severity,
        built_in=s.built_in,
        fault_bodies=s.fault_bodies(duration),
    )


def _drill_out(drill: Drill, report: dict[str, Any]) -> DrillOut:
    return DrillOut(
        id=drill.id,
        scenario=drill.scenario,
        faults=list(drill.faults),
        target_url=drill.target_url,
        status=drill.status,
        outcome=drill.outcome,
        expected_severity=drill.expected_severity,
        started_by=drill.started_by,
        started_at=drill.started_at,
        deadline=drill.deadline,
        ended_at=drill.ended_at,
        fault_removed=drill.fault_removed,
        report=report,
    )


def _duration(text: str) -> str:
    try:
        parse_duration(text)
    except ValueError as exc:
        raise InvalidInput(f"duration: {exc}", field="duration") from None
    return text


@router.get("/scenarios", response_model=list[ScenarioOut])
def list_scenarios(playbook: PlaybookDep, _actor: Viewer) -> list[ScenarioOut]:
    return [_scenario_out(s) for s in scenarios.catalogue(playbook).values()]


@router.post("", status_code=201, response_model=dict[str, Any])
def start_drill(
    body: DrillIn, session: SessionDep, playbook: PlaybookDep, now: NowDep, actor: Responder
) -> dict[str, Any]:
    """Record a drill (the lock on its target); answers the drill and the faults to switch."""
    scenario = scenarios.scenario(playbook, body.scenario)
    duration = _duration(body.duration)
    drill = drills.start(
        session,
        scenario=scenario,
        target_url=body.target_url,
        duration=parse_duration(duration),
        severity=body.severity,
        playbook=playbook,
        actor=actor.label,
        now=now,
    )
    session.flush()
    return {
        "drill": _drill_out(drill, {}).model_dump(mode="json"),
        "scenario": _scenario_out(scenario, duration).model_dump(mode="json"),
    }


def _report(session: Any, drill: Drill, playbook: Playbook, now: datetime) -> DrillOut:
    return _drill_out(drill, drills.build_report(session, drill, playbook=playbook, now=now))


@router.get("", response_model=list[DrillOut])
def list_drills(
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Viewer,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DrillOut]:
    return [_drill_out(d, d.report) for d in drills.list_drills(session, limit=limit)]


@router.get("/{drill_id}", response_model=DrillOut)
def read_drill(
    drill_id: int, session: SessionDep, playbook: PlaybookDep, now: NowDep, _actor: Viewer
) -> DrillOut:
    return _report(session, drills.get(session, drill_id), playbook, now)


@router.post("/{drill_id}/observe", response_model=DrillOut)
def observe_drill(
    drill_id: int, session: SessionDep, playbook: PlaybookDep, now: NowDep, _actor: Responder
) -> DrillOut:
    """The report so far; links (and marks as a drill) the incident the fault produced."""
    return _report(session, drills.get(session, drill_id), playbook, now)


@router.post("/{drill_id}/finish", response_model=DrillOut)
def finish_drill(
    drill_id: int,
    body: FinishIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    _actor: Responder,
) -> DrillOut:
    drill = drills.finish(
        session,
        drill_id=drill_id,
        outcome=body.outcome,
        fault_removed=body.fault_removed,
        playbook=playbook,
        now=now,
    )
    return _drill_out(drill, drill.report)
