"""Real peers on loopback for delivery tests: an HTTP receiver and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class HttpReceiver:
    """Records every POST; a path listed in ``fail`` answers 500 that many times, then 200."""

    received: list[Received] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)
    failures_served: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    delay: float = 0.0  # seconds to hold each request after recording it (a slow provider)

    def url(self, path: str, scheme: str = "json") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/{path}"

    def delivered(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.received if path is None or r.path == f"/{path}"]

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> int:
        with self.lock:
            key = path.lstrip("/")
            if self.failures_served.get(key, 0) < self.fail.get(key, 0):
                self.failures_served[key] = self.failures_served.get(key, 0) + 1
                return 500
            self.received.append(Received(path, headers, json.loads(raw or b"{}")))
            return 200


def start_http_receiver() -> tuple[HttpReceiver, ThreadingHTTPServer]:
    receiver = HttpReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            status = receiver.handle(self.path.split("?")[0], dict(self.headers), raw)
            if receiver.delay:
                time.sleep(receiver.delay)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    content: bytes
    tls: bool


class SmtpSink:
    """aiosmtpd handler keeping every message."""

    def __init__(self) -> None:
        self.messages: list[Mail] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            Mail(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.content,
                session.ssl is not None,
            )
        )
        return "250 OK"


def self_signed(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a throw-away self-signed certificate (openssl CLI)."""
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def start_smtp(tls: ssl.SSLContext | None = None) -> tuple[SmtpSink, Controller, int]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=tls is not None
    )
    controller.start()
    return sink, controller, port
