"""Request latency for warroom's own Prometheus metrics: a small ASGI middleware and the
per-app registry that `GET /metrics` serves."""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warroom.api.deps import AppState
from warroom.metrics.exposition import DatabaseCollector

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Observability:
    registry: CollectorRegistry
    latency: Histogram


class RequestLatency:
    """Times every HTTP request, labelled by route template (not raw path) and status class."""

    def __init__(self, app: ASGIApp, latency: Histogram) -> None:
        self.app = app
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            # FastAPI puts the matched route in the scope; unmatched paths share one label so
            # random URLs cannot blow up the number of series.
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.latency.labels(scope["method"], route, f"{status // 100}xx").observe(
                time.perf_counter() - start
            )


def install(app: FastAPI) -> None:
    """Give the app its own registry (tests build many apps), the collector and the timer."""
    state: AppState = app.state.warroom
    registry = CollectorRegistry(auto_describe=False)
    latency = Histogram(
        "warroom_http_request_duration_seconds",
        "HTTP request latency by method, route and status class",
        ["method", "route", "status"],
        registry=registry,
        buckets=BUCKETS,
    )
    registry.register(DatabaseCollector(state.sessions, state.playbook, state.clock.now))
    app.state.observability = Observability(registry=registry, latency=latency)
    app.add_middleware(RequestLatency, latency=latency)
