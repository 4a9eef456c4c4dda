"""`warroom demo`: the five-minute tour — warroom and a practice target to break, on loopback."""

from __future__ import annotations

import signal
import tempfile
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from warroom.cli import output
from warroom.demo import launcher


def demo(
    port: Annotated[int, typer.Option(min=1, max=65535, help="warroom's port.")] = 8080,
    target_port: Annotated[
        int, typer.Option(min=1, max=65535, help="The practice target's port.")
    ] = 8090,
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file to keep (default: a temporary one).", show_default=False),
    ] = None,
    traffic: Annotated[
        bool, typer.Option("--traffic/--no-traffic", help="Simulated users on the target.")
    ] = True,
) -> None:
    """Run warroom and the practice target together on 127.0.0.1 until Ctrl-C."""
    console = Console(highlight=False, soft_wrap=True)
    workdir = None if db else tempfile.TemporaryDirectory(prefix="warroom-demo-")
    path = db or Path(workdir.name if workdir else ".") / "demo.db"
    database_url = f"sqlite:///{path}"
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        running = launcher.start(
            port=port,
            target_port=target_port,
            database_url=database_url,
            traffic=traffic,
            on_message=launcher.print_message(console),
        )
    except launcher.PortInUse as exc:
        output.error(str(exc))
        raise typer.Exit(2) from None
    except (SQLAlchemyError, RuntimeError) as exc:
        output.error(f"the demo could not start: {exc}")
        raise typer.Exit(1) from None
    try:
        launcher.print_welcome(running, console, database_url)
        while not stop.wait(0.5):
            pass
        console.print("stopping ...")
    finally:
        running.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if workdir is not None:
            workdir.cleanup()
