"""ASGI middleware serving the public documents (``/status``, ``/api/v2/*.json``, the feeds)
straight from the page cache, before routing.

The status page is what the world hits hardest during an outage. With a few dozen routes in the
application, matching a path costs more than serving a cached document, so a GET or HEAD of a
known public path is answered here with a dictionary lookup; everything else passes through.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from warroom.web.public import DOCUMENTS, PUBLIC_HEADERS, cached

_EXTRA_HEADERS = [(k.lower().encode(), v.encode()) for k, v in PUBLIC_HEADERS.items()]


class PublicFastPath:
    """Answers GET/HEAD of the registered public documents; passes everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
