"""PagerDuty Events API v2 intake: ``POST /v2/enqueue`` and ``POST /v2/change/enqueue``.

Plain Starlette endpoints parsing with orjson (the hot path skips FastAPI's body machinery);
every answer, including errors, is in PagerDuty's own format so existing senders and the
official client understand it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from warroom.alerts import pagerduty
from warroom.alerts.formats import PayloadError
from warroom.api.routes.intake_support import BodyTooLarge, KeyInfo, RateLimited, intake_of
from warroom.changes import service as changes
from warroom.errors import InvalidInput, NotFound, Unauthenticated, WarroomError


def _answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def _invalid(
    errors: list[str], status: int = 400, message: str = "Event object is invalid"
) -> Response:
    return _answer(status, {"status": "invalid event", "message": message, "errors": errors})


async def _authorized(request: Request) -> tuple[dict[str, Any], KeyInfo] | Response:
    """The event body and its integration, or the PagerDuty-format refusal."""
    intake = intake_of(request)
    try:
        raw = await intake.body(request)
    except BodyTooLarge:
        limit = intake.settings.max_body_bytes
        return _invalid(
            [f"request body is larger than {limit} bytes"], 413, "Event object is too large"
        )
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return _invalid([f"malformed JSON: {exc}"])
    try:
        key = pagerduty.routing_key(body)
        info = await intake.integration(key, "pagerduty")
        intake.check_rate(info)
    except PayloadError as exc:
        return _invalid(exc.errors)
    except NotFound:
        return _invalid(["Invalid routing key: no integration has this key"], 404)
    except Unauthenticated as exc:
        return _invalid([exc.message], 401)
    except RateLimited as exc:
        return _answer(
            429,
            {
                "status": "throttle event",
                "message": (
                    "Requests for this service are arriving too quickly. Please retry later."
                ),
            },
            {"Retry-After": str(exc.retry_after)},
        )
    return body, info


async def enqueue(request: Request) -> Response:
    """An alert event: trigger, acknowledge or resolve."""
    checked = await _authorized(request)
    if isinstance(checked, Response):
        return checked
    body, info = checked
    try:
        event = pagerduty.parse_event(body, integration_id=info.id)
        await intake_of(request).apply([event], info)
    except PayloadError as exc:
        return _invalid(exc.errors)
    except InvalidInput as exc:
        return _invalid([exc.message])
    return _answer(
        202, {"status": "success", "message": "Event processed", "dedup_key": event.dedup_key}
    )


async def change_enqueue(request: Request) -> Response:
    """A change event (a deployment), recorded as a change; it never notifies."""
    checked = await _authorized(request)
    if isinstance(checked, Response):
        return checked
    body, info = checked
    try:
        change = pagerduty.parse_change(body)
        await run_in_threadpool(_record_change, request, info, change)
    except PayloadError as exc:
        return _invalid(exc.errors)
    except WarroomError as exc:
        return _invalid([exc.message])
    return _answer(202, {"status": "success", "message": "Change event processed"})


def _record_change(request: Request, info: KeyInfo, change: pagerduty.ChangeEvent) -> None:
    state = intake_of(request).state
    at = None
    if change.timestamp:
        try:
            at = datetime.fromisoformat(change.timestamp.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(
                f"'payload.timestamp' {change.timestamp!r} is not ISO 8601"
            ) from None
        if at.tzinfo is None:
            raise InvalidInput("'payload.timestamp' needs a UTC offset")
    details = dict(change.details)
    if change.source:
        details.setdefault("source", change.source)
    with state.sessions() as session:
        changes.record_change(
            session,
            now=state.clock.now(),
            service=info.service,
            summary=change.summary,
            source="pagerduty",
            at=at,
            links=change.links,
            details={"integration": info.name, **details},
        )
        session.commit()


routes = [
    Route("/v2/enqueue", enqueue, methods=["POST"]),
    Route("/v2/change/enqueue", change_enqueue, methods=["POST"]),
]
