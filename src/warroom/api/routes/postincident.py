"""The post-incident features' routers, so the app includes them with one line."""

from __future__ import annotations

from fastapi import APIRouter

from warroom.api.routes import actions, changes, closure, metrics, postmortems

routers: list[APIRouter] = [
    closure.router,
    postmortems.router,
    actions.router,
    changes.router,
    metrics.router,
]
