"""Attaching a responder's one-off check to an incident's timeline as a ``check`` event."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.checks.report import CHECK_KINDS
from warroom.errors import InvalidInput
from warroom.incidents import service as incidents
from warroom.playbook import Playbook
from warroom.timeline import service as timeline
from warroom.timeline.models import EventKind, TimelineEvent

DATA_MAX = 20_000
"""Bytes of check data kept on the timeline; a load test's numbers fit easily."""


def attach(
    session: Session,
    *,
    playbook: Playbook,
    ref: str,
    actor: str,
    now: datetime,
    kind: str,
    target: str,
    ok: bool,
    summary: str,
    data: dict[str, Any] | None = None,
) -> TimelineEvent:
    """Record a check's result on the incident ``ref``; InvalidInput for an unknown kind or
    oversized data, NotFound for an unknown incident."""
    if kind not in CHECK_KINDS:
        raise InvalidInput(
            f"unknown check kind {kind!r}; expected one of: {', '.join(CHECK_KINDS)}", field="kind"
        )
    if not summary.strip():
        raise InvalidInput("summary must not be empty", field="summary")
    payload = data or {}
    if len(json.dumps(payload, default=str)) > DATA_MAX:
        raise InvalidInput(f"check data is larger than {DATA_MAX} bytes", field="data")
    incident = incidents.get(session, ref, playbook=playbook)
    verdict = "passed" if ok else "FAILED"
    return timeline.record(
        session,
        incident_id=incident.id,
        kind=EventKind.CHECK,
        actor=actor,
        now=now,
        body=f"check {kind} {target} {verdict}: {summary.strip()}"[:2000],
        data={
            "check": kind,
            "target": target,
            "ok": ok,
            "summary": summary.strip(),
            "result": payload,
        },
    )
