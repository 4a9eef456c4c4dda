"""The public, unauthenticated edge: ``GET /status``, the history feeds, the unsubscribe pages,
and the cache (shared with the Statuspage v2 JSON routes) that they are served from."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.routing import Route

from warroom.api.deps import NowDep, PlaybookDep, SessionDep, app_state
from warroom.errors import NotFound
from warroom.statuspage import feeds, snapshot
from warroom.statuspage.cache import PageCache, attached
from warroom.statuspage.snapshot import Snapshot, UptimeSource
from warroom.updates import subscriptions
from warroom.web import pages

router = APIRouter(tags=["status page"], include_in_schema=False)

# Public documents may be cached by browsers and proxies for a few seconds, and read by widgets
# on other sites (Statuspage sends the same CORS header).
PUBLIC_HEADERS = {"Cache-Control": "public, max-age=5", "Access-Control-Allow-Origin": "*"}


def uptime_source() -> UptimeSource | None:
    """The monitors' ``daily_uptime`` if that feature is installed, else None ("no data" bars)."""
    try:
        module = importlib.import_module("warroom.monitors.service")
    except ImportError:
        return None
    daily = getattr(module, "daily_uptime", None)
    if daily is None:
        return None

    def source(session: Session, monitor: str, now: datetime) -> list[float | None]:
        try:
            values = daily(session, monitor=monitor, days=pages.UPTIME_DAYS, now=now)
        except Exception:  # a monitor's history must never take the status page down
            return []
        return [_percent(v) for v in values]

    return source


def _percent(value: object) -> float | None:
    """``daily_uptime`` gives fractions (0.999) per day; the page shows percents."""
    if isinstance(value, tuple | list):  # (day, fraction) pairs
        value = value[-1]
    if value is None or not isinstance(value, int | float):
        return None
    return float(value) * 100


def cache_for(request: Request) -> PageCache:
    """The application's status page cache (made on first use)."""
    state = app_state(request)

    def load(session: Session) -> Snapshot:
        return snapshot.load(
            session, playbook=state.playbook, now=state.clock.now(), uptime=uptime_source()
        )

    return attached(request.app.state, lambda: PageCache(sessions=state.sessions, load=load))


def invalidate(request: Request) -> Callable[[], None]:
    """A callable for BackgroundTasks: after the response (so after the commit), drop the cache."""
    cache = cache_for(request)
    return cache.invalidate


_checks: set[asyncio.Task[None]] = set()


async def cached(request: Request, key: str, build: Callable[[Snapshot], bytes]) -> bytes:
    """A cached document; the hot path does no I/O and no thread hop. When the periodic
    version check is due, one background task does it while requests go on being served."""
    cache = cache_for(request)
    body = cache.fresh(key)
    if body is not None:
        return body
    body = cache.servable(key)
    if body is not None:
        if cache.claim_check():
            task = asyncio.create_task(run_in_threadpool(cache.check))
            _checks.add(task)  # a reference, so the task is not collected mid-way
            task.add_done_callback(_checks.discard)
        return body
    return await run_in_threadpool(cache.get, key, build)


def json_bytes(document: dict[str, object]) -> bytes:
    """A document as compact JSON."""
    return orjson.dumps(document)


def endpoint(
    key: str, build: Callable[[Snapshot], bytes], media_type: str
) -> Callable[[Request], Awaitable[Response]]:
    """A plain Starlette endpoint serving one cached document: the hottest routes skip
    FastAPI's dependency machinery (see docs/statuspage.md, "Performance")."""

    async def serve(request: Request) -> Response:
        body = await cached(request, key, build)
        return Response(body, media_type=media_type, headers=PUBLIC_HEADERS)

    serve.__name__ = f"public_{key.replace('.', '_').replace('-', '_')}"
    return serve


@dataclass(frozen=True)
class Document:
    """A public document: its cache key, how it is built, and its media type."""

    key: str
    build: Callable[[Snapshot], bytes]
    media_type: str


DOCUMENTS: dict[str, Document] = {}
"""Every public document by path; the fast path (``fastpath.py``) serves these."""


def public_route(path: str, key: str, build: Callable[[Snapshot], bytes], media_type: str) -> Route:
    """Register a public document and return its (fallback) route."""
    DOCUMENTS[path] = Document(key, build, media_type)
    return Route(path, endpoint(key, build, media_type), methods=["GET"])


def _html(snap: Snapshot) -> bytes:
    return pages.status_page(snap, generated_at=snap.built_at).encode()


router.routes.extend(
    [
        public_route("/status", "status.html", _html, "text/html; charset=utf-8"),
        public_route("/history.atom", "history.atom", feeds.atom, "application/atom+xml"),
        public_route("/history.rss", "history.rss", feeds.rss, "application/rss+xml"),
    ]
)


@router.get("/status/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_form(token: str, session: SessionDep, playbook: PlaybookDep) -> HTMLResponse:
    """Confirm before unsubscribing: mail scanners follow links, they do not press buttons."""
    row = subscriptions.by_token(session, token)
    page = pages.unsubscribe_page(
        page_name=playbook.status_page.name,
        state="confirm" if row is not None and row.unsubscribed_at is None else "invalid",
        target=subscriptions.address(row.target) if row else None,
        action=f"/status/unsubscribe/{token}",
    )
    return HTMLResponse(page, status_code=200 if row is not None else 404)


@router.post("/status/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(
    token: str,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
) -> HTMLResponse:
    """Unsubscribe without logging in: the unguessable token is the authority."""
    try:
        row = subscriptions.unsubscribe(session, token=token, now=now)
    except NotFound:
        page = pages.unsubscribe_page(
            page_name=playbook.status_page.name, state="invalid", target=None, action=""
        )
        return HTMLResponse(page, status_code=404)
    page = pages.unsubscribe_page(
        page_name=playbook.status_page.name,
        state="done",
        target=subscriptions.address(row.target),
        action="",
    )
    return HTMLResponse(page)
