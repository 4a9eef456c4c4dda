"""The target's HTTP and WebSocket edge: the seed's routes, the fault switch, the instrumentation.

``create_target_app(token=..., clock=...)`` builds a Starlette app around a fresh ``Target``.
Admin routes and the fault switch need ``Authorization: Bearer <token>``; ``down`` and ``slow``
act on every route except the fault switch itself, so a broken target can always be mended.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from warroom.clock import Clock, SystemClock
from warroom.target.faults import (
    FaultInputError,
    fault_kind,
    parse_fault_duration,
    parse_latency,
    parse_rate,
)
from warroom.target.metrics import CONTENT_TYPE, TargetMetrics
from warroom.target.state import Target, TargetError
from warroom.target.traffic import USER_HEADER, Traffic

FAULT_PATH = "/__faults"
UNMEASURED = frozenset({"/metrics", FAULT_PATH})  # scrapes and drills must not skew the gauges
SWITCH_FIELDS = frozenset({"fault", "on", "duration", "rate", "latency"})
MAX_TRENDING = 10

Handler = Callable[[Request], Awaitable[Response]]


def _error(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    """warroom's error body, so the CLI reads the target's refusals like the API's."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def _authorized(request: Request, token: str) -> JSONResponse | None:
    """None when the request carries the admin token, else the 401/403 to send."""
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return _error(401, "unauthenticated", "this route needs 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return _error(403, "forbidden", "that token is not the target's admin token")
    return None


def _guarded(token: str, handler: Handler) -> Handler:
    """``handler`` behind the admin token."""

    async def guarded(request: Request) -> Response:
        refusal = _authorized(request, token)
        return refusal if refusal is not None else await handler(request)

    return guarded


class _Instrumented:
    """ASGI middleware: applies down and slow, then counts and times every HTTP answer."""

    def __init__(
        self, app: ASGIApp, target: Target, metrics: TargetMetrics, routes: frozenset[str]
    ) -> None:
        self.app = app
        self.target = target
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == FAULT_PATH:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        route = scope["path"] if scope["path"] in self.routes else "other"
        status = 500
        slow = self.target.faults.get("slow")
        if slow is not None:
            await asyncio.sleep(slow.latency)

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if self.target.faults.is_on("down"):
                response = _error(503, "unavailable", "service unavailable")
                await response(scope, receive, send_status)
            else:
                await self.app(scope, receive, send_status)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.observe(scope["method"], route, status, seconds)
            if route not in UNMEASURED:
                user = dict(scope["headers"]).get(USER_HEADER.encode(), b"")[:64].decode("latin-1")
                self.target.record(route, status, seconds, user or None)


def _routes(target: Target, metrics: TargetMetrics, token: str) -> list[Route | WebSocketRoute]:
    async def health(_request: Request) -> Response:
        return JSONResponse(target.health())

    async def metrics_text(_request: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    async def trending(request: Request) -> Response:
        raw = request.query_params.get("limit", str(MAX_TRENDING))
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_TRENDING:
            return _error(422, "invalid_input", f"limit must be 1 to {MAX_TRENDING}, got {raw!r}")
        try:
            items = target.trending(int(raw))
        except TargetError as exc:
            return _error(exc.status, exc.code, exc.message)
        return JSONResponse({"items": items, "count": len(items), "version": target.release})

    async def db_status(_request: Request) -> Response:
        ok, body = target.db_status()
        return JSONResponse(body, status_code=200 if ok else 503)

    async def db_pool(_request: Request) -> Response:
        return JSONResponse(target.db_pool())

    async def cache_stats(_request: Request) -> Response:
        return JSONResponse(target.cache_stats())

    async def cache_clear(_request: Request) -> Response:
        return JSONResponse(target.clear_cache())

    async def cache_warm(_request: Request) -> Response:
        return JSONResponse(target.warm_cache())

    async def rollback(_request: Request) -> Response:
        try:
            return JSONResponse(target.rollback())
        except TargetError as exc:
            return _error(exc.status, exc.code, exc.message)

    async def faults(_request: Request) -> Response:
        return JSONResponse(target.faults.as_json())

    async def switch(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(422, "invalid_input", "the body must be JSON")
        try:
            return JSONResponse(_switch(target, body))
        except FaultInputError as exc:
            return _error(422, "invalid_input", exc.message, exc.details)

    async def websocket(ws: WebSocket) -> None:
        if not target.websocket_opened():
            await ws.close(code=1013)  # before accept: the handshake is refused (HTTP 403)
            return
        try:
            await ws.accept()
            while True:
                text = await ws.receive_text()
                if text.strip().lower() == "ping":
                    await ws.send_text("pong")
                elif text.strip().lower() == "hello":
                    await ws.send_json({"type": "hello", "version": target.release})
                else:
                    await ws.send_text(text)
        except WebSocketDisconnect:
            pass
        finally:
            target.websocket_closed()

    def admin(handler: Handler) -> Handler:
        return _guarded(token, handler)

    return [
        Route("/health", health, methods=["GET"]),
        Route("/metrics", metrics_text, methods=["GET"]),
        Route("/api/pitches/trending", trending, methods=["GET"]),
        Route("/api/admin/db/status", admin(db_status), methods=["GET"]),
        Route("/api/admin/db/pool", admin(db_pool), methods=["GET"]),
        Route("/api/admin/cache/stats", admin(cache_stats), methods=["GET"]),
        Route("/api/admin/cache", admin(cache_clear), methods=["DELETE"]),
        Route("/api/admin/cache/warm", admin(cache_warm), methods=["POST"]),
        Route("/api/admin/rollback", admin(rollback), methods=["POST"]),
        Route(FAULT_PATH, admin(faults), methods=["GET"]),
        Route(FAULT_PATH, admin(switch), methods=["POST"]),
        WebSocketRoute("/ws", websocket),
    ]


def _switch(target: Target, body: object) -> dict[str, Any]:
    """Apply one POST /__faults body; the fault's state afterwards."""
    if not isinstance(body, dict):
        raise FaultInputError("body", "the body must be a JSON object")
    unknown = sorted(set(body) - SWITCH_FIELDS)
    if unknown:
        raise FaultInputError(
            unknown[0],
            f"unknown field(s): {', '.join(unknown)}",
            {"allowed": sorted(SWITCH_FIELDS)},
        )
    name = body.get("fault")
    if not isinstance(name, str):
        raise FaultInputError("fault", "'fault' is required: the name of a fault")
    on = body.get("on", True)
    if not isinstance(on, bool):
        raise FaultInputError("on", f"'on' must be true or false, got {on!r}")
    fault_kind(name)  # an unknown name is the first thing to say, before its settings
    if not on:
        extra = sorted(k for k in ("duration", "rate", "latency") if body.get(k) is not None)
        if extra:
            raise FaultInputError(extra[0], f"{', '.join(extra)} only apply when switching on")
        was_on = target.faults.switch_off(name)
        return {"fault": name.strip().lower(), "on": False, "was_on": was_on}
    fault = target.faults.switch_on(
        name,
        duration=parse_fault_duration(body["duration"])
        if body.get("duration") is not None
        else None,
        rate=parse_rate(body["rate"]) if body.get("rate") is not None else None,
        latency=parse_latency(body["latency"]) if body.get("latency") is not None else None,
    )
    return fault.as_json()


def create_target_app(
    *, token: str, clock: Clock | None = None, traffic: bool = False
) -> Starlette:
    """The practice target as an ASGI app; ``app.state.target`` is its state, for tests.

    With ``traffic``, simulated users make requests for as long as the app runs (its lifespan).
    """
    if not token:
        raise ValueError("the target needs an admin token")
    target = Target(clock or SystemClock())
    metrics = TargetMetrics(target)
    routes = _routes(target, metrics, token)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(Traffic(app).run()) if traffic else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(
        _Instrumented,
        target=target,
        metrics=metrics,
        routes=frozenset(r.path for r in routes if isinstance(r, Route)),
    )
    app.state.target = target
    app.state.metrics = metrics
    return app
