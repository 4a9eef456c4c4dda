"""Start the practice target, a local inbox and warroom (API and engine) on loopback.

Each server runs in a thread of this process; ``Demo.stop`` stops them all, engine first, so a
Ctrl-C leaves nothing running.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn
from rich.console import Console

from warroom import migrate
from warroom.api.app import create_app
from warroom.auth import service as auth
from warroom.clock import SystemClock
from warroom.config import Settings
from warroom.db import make_engine, make_sessionmaker, session_scope
from warroom.demo.book import demo_playbook
from warroom.demo.inbox import Inbox, Message
from warroom.engine.runner import Runner, default_jobs
from warroom.target.app import create_target_app

TARGET_TOKEN_ENV = "WARROOM_DEMO_TARGET_TOKEN"  # the demo playbook's db monitor sends it


class PortInUse(Exception):
    """A port the demo needs is taken."""


class ServerThread:
    """One uvicorn server in a daemon thread."""

    def __init__(self, app: object, host: str, port: int, name: str) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=name, daemon=True)

    def start(self, timeout: float = 15.0) -> None:
        """Start serving; returns once the socket listens."""
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.thread.name} did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for it."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _check_free(host: str, port: int) -> None:
    with socket.socket() as probe:
        # as uvicorn binds: a port left in TIME_WAIT by the last demo is free to use
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise PortInUse(
                f"port {port} on {host} is in use; pick another with the options"
            ) from None


@dataclass
class Demo:
    """Everything the demo started, and what to tell the person at the terminal."""

    warroom_url: str
    target_url: str
    target_token: str
    admin_token: str
    responder_tokens: dict[str, str]
    inbox: Inbox
    runner: Runner
    servers: list[ServerThread] = field(default_factory=list)
    engine_thread: threading.Thread | None = None

    def stop(self) -> None:
        """Stop the engine, then warroom, the target and the inbox."""
        self.runner.stop()
        if self.engine_thread is not None:
            self.engine_thread.join(timeout=10)
        for server in reversed(self.servers):
            server.stop()
        self.inbox.stop()


def start(
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    target_port: int = 8090,
    database_url: str,
    traffic: bool = True,
    on_message: Callable[[Message], None] | None = None,
) -> Demo:
    """Start the demo's servers and engine; the caller must ``stop()`` it."""
    _check_free(host, port)
    _check_free(host, target_port)
    target_token = f"wt_{secrets.token_urlsafe(18)}"
    os.environ[TARGET_TOKEN_ENV] = target_token
    warroom_url, target_url = f"http://{host}:{port}", f"http://{host}:{target_port}"
    inbox = Inbox(on_message=on_message or (lambda _m: None)).start()
    started: list[ServerThread] = []
    try:
        book = demo_playbook(target_url=target_url, inbox=inbox.address, warroom_url=warroom_url)
        target = ServerThread(
            create_target_app(token=target_token, traffic=traffic), host, target_port, "target"
        )
        target.start()
        started.append(target)
        db = make_engine(database_url)
        migrate.upgrade(db)
        tokens: dict[str, str] = {}
        now = SystemClock().now()
        with session_scope(make_sessionmaker(db)) as session:
            stamp = secrets.token_hex(3)  # a reused demo.db already has tokens of these names
            for person in (None, "alice", "bob"):
                _row, secret = auth.create_token(
                    session,
                    name=f"demo-{person or 'admin'}-{stamp}",
                    role="responder" if person else "admin",
                    person=person,
                    playbook=book,
                    now=now,
                )
                tokens[person or "admin"] = secret
        settings = Settings(database_url=database_url, host=host, port=port, public_url=warroom_url)
        api = ServerThread(create_app(settings, playbook=book, engine=db), host, port, "warroom")
        api.start()
        started.append(api)
        runner = Runner(default_jobs(book), sessions=make_sessionmaker(db), clock=SystemClock())
        engine_thread = threading.Thread(target=runner.run_forever, name="engine", daemon=True)
        engine_thread.start()
    except BaseException:
        for server in reversed(started):
            server.stop()
        inbox.stop()
        raise
    admin = tokens.pop("admin")
    return Demo(
        warroom_url=warroom_url,
        target_url=target_url,
        target_token=target_token,
        admin_token=admin,
        responder_tokens=tokens,
        inbox=inbox,
        runner=runner,
        servers=started,
        engine_thread=engine_thread,
    )


def print_message(console: Console) -> Callable[[Message], None]:
    """A callback printing each inbox message as it arrives."""

    def show(message: Message) -> None:
        body = " ".join(message.body.split())[:300]
        console.print(
            f"[bold magenta]📬 inbox/{message.mailbox}[/] [bold]{message.title}[/] {body}"
        )

    return show


def print_welcome(demo: Demo, console: Console, database_url: str) -> None:
    """What to open and what to try."""
    w, t = demo.warroom_url, demo.target_url
    console.print(f"\n[bold green]warroom demo is running[/] (database: {database_url})\n")
    console.print(f"  status page      {w}/status")
    console.print(f"  API docs         {w}/docs")
    console.print(f"  practice target  {t}/health   {t}/metrics")
    console.print(f"  admin token      {demo.admin_token}")
    for person, secret in demo.responder_tokens.items():
        label = f"{person}'s token"
        console.print(f"  {label:<17}{secret}")
    console.print("\nIn another shell:")
    console.print(f"  export WARROOM_URL={w} WARROOM_TOKEN={demo.responder_tokens['bob']}")
    console.print(f"  export WARROOM_TARGET_URL={t} WARROOM_TARGET_TOKEN={demo.target_token}")
    console.print("\nThen try:")
    console.print("  warroom target fault down --on     # break it; watch the inbox below")
    console.print("  warroom incident list              # the P0 warroom declared")
    console.print("  warroom incident ack DEMO-N        # N: the P0 in `incident list`")
    console.print("  warroom target fault down --off    # the monitors recover")
    console.print("  warroom drill run outage           # the whole thing, measured")
    console.print("  warroom drill scenarios            # outage, database, error-rate, ...")
    console.print("\nNotifications for alice and bob appear here. Ctrl-C stops everything.\n")
