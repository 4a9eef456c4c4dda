"""Webhook intake with the key in the path: Alertmanager, Sentry and generic JSON.

``POST /api/v1/intake/{kind}/{key}``. A batch is all or nothing: every alert is validated
before any is stored, and the answer (202) comes only after the commit that holds them.
Errors use warroom's ``{"error": {...}}`` body: 400 malformed or invalid, 401 revoked key or
bad signature, 404 unknown key, 413 body over the intake limit, 429 with Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from warroom.alerts import alertmanager, generic, sentry
from warroom.alerts.event import AlertEvent
from warroom.alerts.formats import PayloadError
from warroom.api.errors import error_body
from warroom.api.routes.intake_support import BodyTooLarge, KeyInfo, RateLimited, intake_of
from warroom.errors import InvalidInput, NotFound, Unauthenticated

Parser = Callable[[Request, bytes, Any, KeyInfo], list[AlertEvent]]


def _answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def _error(status: int, code: str, message: str, details: Any = None, **headers: str) -> Response:
    return _answer(status, error_body(code, message, details), headers or None)


def _alertmanager(_request: Request, _raw: bytes, body: Any, info: KeyInfo) -> list[AlertEvent]:
    return alertmanager.parse(body, integration_id=info.id)


def _generic(_request: Request, _raw: bytes, body: Any, info: KeyInfo) -> list[AlertEvent]:
    return generic.parse(body, integration_id=info.id)


def _sentry(request: Request, raw: bytes, body: Any, info: KeyInfo) -> list[AlertEvent]:
    sentry.check_signature(info.signing_secret, raw, request.headers.get("sentry-hook-signature"))
    resource = request.headers.get("sentry-hook-resource", "")
    return sentry.parse(resource, body, integration_id=info.id)


PARSERS: dict[str, Parser] = {
    "alertmanager": _alertmanager,
    "sentry": _sentry,
    "generic": _generic,
}


def _endpoint(kind: str) -> Callable[[Request], Any]:
    parse = PARSERS[kind]

    async def receive(request: Request) -> Response:
        intake = intake_of(request)
        key = request.path_params["key"]
        try:
            info = await intake.integration(key, kind)
            intake.check_rate(info)
            raw = await intake.body(request)
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                return _error(400, "malformed_json", f"request body is not valid JSON: {exc}")
            events = parse(request, raw, body, info)
            results = await intake.apply(events, info)  # every event validated first
        except NotFound:
            return _error(404, "not_found", f"no {kind} integration has this key")
        except Unauthenticated as exc:
            return _error(401, exc.code, exc.message)
        except RateLimited as exc:
            retry = {"Retry-After": str(exc.retry_after)}
            return _error(429, "rate_limited", str(exc), None, **retry)
        except BodyTooLarge:
            limit = intake.settings.max_body_bytes
            return _error(413, "body_too_large", f"request body is larger than {limit} bytes")
        except PayloadError as exc:
            return _error(
                400, exc.code, f"invalid {kind} payload: {exc.message}", {"errors": exc.errors}
            )
        except InvalidInput as exc:
            return _error(400, exc.code, exc.message, exc.details)
        return _answer(
            202,
            {
                "status": "success",
                "received": len(events),
                "processed": sum(results),
                "dedup_keys": [e.dedup_key for e in events] if kind == "generic" else None,
            },
        )

    receive.__name__ = f"intake_{kind}"
    return receive


endpoints = {kind: _endpoint(kind) for kind in PARSERS}
routes = [
    Route(f"/api/v1/intake/{kind}/{{key}}", endpoint, methods=["POST"])
    for kind, endpoint in endpoints.items()
]
