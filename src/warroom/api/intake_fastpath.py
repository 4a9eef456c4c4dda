"""The intake endpoints answered before the framework: the busiest POSTs skip FastAPI's
middleware stack and route matching (about half of their HTTP cost) and go straight to their
plain Starlette endpoints, which already speak each sender's own error format.

What the stack would add is kept: the request-latency histogram is observed here, and an
unexpected error is logged and answered 500 in JSON.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from warroom.api.routes import intake_pagerduty, intake_webhooks

log = logging.getLogger("warroom.intake")

Endpoint = Callable[[Request], Awaitable[Response]]
_PREFIX = "/api/v1/intake/"
_EXACT: dict[str, Endpoint] = {
    "/v2/enqueue": intake_pagerduty.enqueue,
    "/v2/change/enqueue": intake_pagerduty.change_enqueue,
}
_BY_KIND: dict[str, Endpoint] = {
    kind: intake_webhooks.endpoints[kind] for kind in intake_webhooks.PARSERS
}


def match(path: str) -> tuple[Endpoint, str, dict[str, str]] | None:
    """The endpoint for an intake path, its route template and path parameters."""
    endpoint = _EXACT.get(path)
    if endpoint is not None:
        return endpoint, path, {}
    if not path.startswith(_PREFIX):
        return None
    kind, slash, key = path[len(_PREFIX) :].partition("/")
    endpoint = _BY_KIND.get(kind)
    if endpoint is None or not slash or not key or "/" in key:
        return None
    return endpoint, f"{_PREFIX}{kind}/{{key}}", {"key": key}


async def serve(
    app: object,
    found: tuple[Endpoint, str, dict[str, str]],
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Answer one intake request with its endpoint."""
    endpoint, template, params = found
    start = time.perf_counter()
    scope["app"] = app
    scope["path_params"] = params
    try:
        response = await endpoint(Request(scope, receive))
    except Exception:
        log.exception("intake request failed: %s", template)
        body = {"error": {"code": "internal", "message": "internal server error", "details": None}}
        response = Response(orjson.dumps(body), status_code=500, media_type="application/json")
    await response(scope, receive, send)
    observability = getattr(getattr(app, "state", None), "observability", None)
    if observability is not None:
        observability.latency.labels("POST", template, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - start
        )
