"""The demo's local inbox: a loopback HTTP receiver for Apprise ``json://`` notifications.

Every POST is kept (tests read ``messages``) and handed to a callback (the demo prints it), so
paging works end to end without any external service.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Message:
    """One notification as received: who it was for, its title and body."""

    mailbox: str
    title: str
    body: str
    idempotency_key: str | None


class Inbox:
    """A receiver on 127.0.0.1 (port 0: any free one); ``start``/``stop`` run it in a thread."""

    def __init__(
        self, port: int = 0, on_message: Callable[[Message], None] = lambda _m: None
    ) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self.on_message = on_message
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length") or 0), 1_048_576)
                raw = self.rfile.read(length)
                try:
                    data: Any = json.loads(raw or b"{}")
                except ValueError:
                    data = {"message": raw.decode("utf-8", "replace")}
                if not isinstance(data, dict):
                    data = {"message": str(data)}
                inbox._receive(
                    Message(
                        mailbox=self.path.rstrip("/").rsplit("/", 1)[-1],
                        title=str(data.get("title") or ""),
                        body=str(data.get("message") or ""),
                        idempotency_key=self.headers.get("Idempotency-Key"),
                    )
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return  # the demo prints messages itself

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        """host:port, as a json:// URL needs it."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def _receive(self, message: Message) -> None:
        with self._lock:
            self.messages.append(message)
        self.on_message(message)

    def start(self) -> Inbox:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
