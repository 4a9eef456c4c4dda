"""ASGI middleware serving the public documents (``/status``, ``/api/v2/*.json``, the feeds)
straight from the page cache, before routing; and keeping the server's collector pauses short.

The status page is what the world hits hardest during an outage. With a few dozen routes in the
application, matching a path costs more than serving a cached document, so a GET or HEAD of a
known public path is answered here with a dictionary lookup; everything else passes through.

Collector pauses: a full garbage collection walks every container object the process holds,
and a built application holds some 140,000 (modules, routes, schemas, the ORM's mappings): about
60 ms on an idle core, 100-140 ms on a busy one. An alert storm allocates fast enough to trigger
full collections, and each one stopped every request in flight, which set the page's p99 under
ingest. Once the application has started, its objects are frozen (``gc.freeze``: kept out of
collections; they live as long as the process anyway), so a full collection walks only what was
made since.
"""

from __future__ import annotations

import gc
import threading

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warroom.web.public import DOCUMENTS, PUBLIC_HEADERS, cached

_EXTRA_HEADERS = [(k.lower().encode(), v.encode()) for k, v in PUBLIC_HEADERS.items()]
_frozen = threading.Event()


def freeze_startup_heap() -> bool:
    """Keep every object alive now out of later collections (once per process); True if done now."""
    if _frozen.is_set():
        return False
    _frozen.set()
    gc.collect()  # what is garbage already goes first, so none of it is kept forever
    gc.freeze()
    return True


class PublicFastPath:
    """Answers GET/HEAD of the registered public documents; passes everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, _freezing_after_startup(send))
            return
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and "app" in scope:
            document = DOCUMENTS.get(scope["path"])
            if document is not None:
                body = await cached(Request(scope), document.key, document.build)
                headers = [
                    (b"content-type", document.media_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    *_EXTRA_HEADERS,
                ]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send(
                    {
                        "type": "http.response.body",
                        "body": b"" if scope["method"] == "HEAD" else body,
                    }
                )
                return
        await self.app(scope, receive, send)


def _freezing_after_startup(send: Send) -> Send:
    async def forward(message: Message) -> None:
        if message["type"] == "lifespan.startup.complete":
            freeze_startup_heap()
        await send(message)

    return forward
