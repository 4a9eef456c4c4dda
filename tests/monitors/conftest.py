"""Real targets on loopback for the monitor tests: HTTP(S), /metrics and a WebSocket echo."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.sync.server import ServerConnection, serve

OK_BODY = {"status": "ok", "data": {"items": [{"id": 3}, {"id": 4}]}}


@dataclass
class Target:
    """What the test HTTP server answers; tests flip ``mode`` to break it."""

    url: str = ""
    mode: str = "ok"  # ok | error | slow | badjson | huge | binary
    delay: float = 0.0
    errors_total: float = 0.0
    metrics_text: str | None = None
    hits: list[str] = field(default_factory=list)


def _handler(target: Target) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            target.hits.append(self.path)
            if self.path.startswith("/metrics"):
                text = target.metrics_text or (
                    "# HELP error_rate Share of failed requests\n# TYPE error_rate gauge\n"
                    f"error_rate {0.2 if target.mode == 'error' else 0.01}\n"
                    "# TYPE http_requests_total counter\n"
                    f'http_requests_total{{code="500"}} {target.errors_total}\n'
                    'http_requests_total{code="200"} 1000\n'
                )
                self._send(200, text.encode(), "text/plain; version=0.0.4")
                return
            if target.delay:
                time.sleep(target.delay)
            mode = target.mode
            if mode == "error":
                self._send(500, b'{"status":"error"}', "application/json")
            elif mode == "badjson":
                self._send(200, b"{not json", "application/json")
            elif mode == "huge":
                self._send(200, b"x" * 3_000_000, "text/plain")
            elif mode == "binary":
                self._send(200, bytes(range(256)) * 10, "application/octet-stream")
            else:
                self._send(200, json.dumps(OK_BODY).encode(), "application/json")

        do_HEAD = do_GET
        do_POST = do_GET

    return Handler


def _serve(target: Target, context: ssl.SSLContext | None = None) -> Iterator[Target]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(target))
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # resets by the probe's size limit
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https" if context else "http"
    target.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield target
    server.shutdown()
    server.server_close()


@pytest.fixture
def target() -> Iterator[Target]:
    """A plain HTTP target that tests switch to 500s, slow answers, bad JSON, huge bodies."""
    yield from _serve(Target())


def _certificate(directory: Path, *, not_after: datetime) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - timedelta(days=365))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture
def expired_tls_target(tmp_path: Path) -> Iterator[Target]:
    """An HTTPS target whose self-signed certificate expired two days ago."""
    context = _certificate(tmp_path, not_after=datetime.now(UTC) - timedelta(days=2))
    yield from _serve(Target(), context)


@pytest.fixture
def tls_target(tmp_path: Path) -> Iterator[Target]:
    """An HTTPS target with a self-signed certificate valid for 3 more days."""
    context = _certificate(tmp_path, not_after=datetime.now(UTC) + timedelta(days=3))
    yield from _serve(Target(), context)


@pytest.fixture
def ws_echo() -> Iterator[str]:
    """A WebSocket server that echoes every message back, prefixed with "echo:"."""

    def echo(connection: ServerConnection) -> None:
        for message in connection:
            connection.send(f"echo:{message}")

    with serve(echo, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/ws"
        server.shutdown()
        thread.join(timeout=5)
