"""`warroom serve` and `warroom db upgrade`."""

from __future__ import annotations

import os
import signal
import threading
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from warroom import migrate
from warroom.api.app import create_app
from warroom.auth import service as auth
from warroom.cli import workers as api_workers
from warroom.cli.common import DatabaseOpt, PlaybookOpt, err, fail, load, out, settings
from warroom.clock import SystemClock
from warroom.db import make_engine, make_sessionmaker, session_scope
from warroom.engine.runner import Runner, default_jobs
from warroom.playbook import Playbook

db_app = typer.Typer(help="Database administration.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOpt = None) -> None:
    """Create or migrate the database schema to the newest version."""
    config = settings(database_url=database_url)
    try:
        migrate.upgrade(make_engine(config.database_url))
    except SQLAlchemyError as exc:
        fail(f"cannot migrate {config.database_url}: {exc.__class__.__name__}: {exc.args[0]}")
    out.print(f"database is up to date ({config.database_url})", highlight=False)


def serve(
    host: Annotated[str | None, typer.Option(envvar="WARROOM_HOST", help="Address to bind")] = None,
    port: Annotated[int | None, typer.Option(envvar="WARROOM_PORT", help="Port to bind")] = None,
    database_url: DatabaseOpt = None,
    playbook: PlaybookOpt = None,
    migrate_db: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply migrations on start")
    ] = True,
    with_engine: Annotated[
        bool,
        typer.Option(
            "--engine/--api-only",
            help="Run the background engine in this process (single-node mode)",
        ),
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            envvar="WARROOM_WORKERS",
            min=1,
            max=64,
            help="API worker processes (one per core puts every core to work on intake)",
        ),
    ] = 1,
) -> None:
    """Serve the API (and, in single-node mode, run the engine)."""
    config = settings(host=host, port=port, database_url=database_url, playbook=playbook)
    book = load(config.playbook)
    engine = make_engine(config.database_url)
    try:
        if migrate_db:
            migrate.upgrade(engine)
        elif migrate.pending(engine):
            fail("the database schema is behind this version; run `warroom db upgrade`")
        admin_secret = _first_admin_token(engine, book)
    except SQLAlchemyError as exc:
        fail(f"cannot use the database {config.database_url}: {exc.__class__.__name__}")
    url = f"http://{config.host}:{config.port}"
    out.print(
        f"[bold]warroom[/] serving on [link={url}]{url}[/]  (database: {config.database_url})"
    )
    out.print(f"playbook: {config.playbook or 'built-in default'}", highlight=False)
    if admin_secret:
        out.print("\n[bold yellow]Admin token (shown once; stored hashed):[/]")
        out.print(f"  {admin_secret}", highlight=False, soft_wrap=True)
        out.print("Log in from a shell with:", highlight=False)
        out.print(f"  export WARROOM_URL={url} WARROOM_TOKEN={admin_secret}\n", highlight=False)
    else:
        out.print(
            "Log in with an existing token (export WARROOM_TOKEN=...); create one with "
            "`warroom token create --name NAME --role responder --person HANDLE`.",
            highlight=False,
        )
    background = None
    if with_engine:
        # With several workers this process only supervises them: the engine runs here, once.
        background = Runner(
            default_jobs(book), sessions=make_sessionmaker(engine), clock=SystemClock()
        )
        threading.Thread(target=background.run_forever, name="engine", daemon=True).start()
    try:
        if workers == 1:
            app = create_app(config, playbook=book, engine=engine)
            uvicorn.run(app, host=config.host, port=config.port, log_level=config.log_level)
        else:
            # Workers are fresh processes: they read what this command resolved from the
            # environment, so every one serves the same database and playbook.
            os.environ["WARROOM_DATABASE_URL"] = config.database_url
            if config.playbook is not None:
                os.environ["WARROOM_PLAYBOOK"] = str(config.playbook.resolve())
            api_workers.run(config.host, config.port, workers, config.log_level)
    finally:
        if background is not None:
            background.stop()


def engine_command(
    database_url: DatabaseOpt = None,
    playbook: PlaybookOpt = None,
    interval: Annotated[
        float, typer.Option(help="Seconds between cycles when there is nothing to do")
    ] = 0.25,
) -> None:
    """Run the background engine alone (several may share one PostgreSQL database)."""
    config = settings(database_url=database_url, playbook=playbook)
    book = load(config.playbook)
    db = make_engine(config.database_url)
    if migrate.pending(db):
        fail("the database schema is behind this version; run `warroom db upgrade`")
    runner = Runner(
        default_jobs(book), sessions=make_sessionmaker(db), clock=SystemClock(), interval=interval
    )
    out.print(f"warroom engine running {len(runner.jobs)} jobs on {config.database_url}")
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()


def _first_admin_token(engine: Engine, book: Playbook) -> str | None:
    """Create the first admin token when none exists; return its secret (shown once)."""
    with session_scope(make_sessionmaker(engine)) as session:
        if auth.has_admin_token(session):
            return None
        name = "admin"
        existing = {t.name for t in auth.list_tokens(session)}
        suffix = 1
        while name in existing:
            suffix += 1
            name = f"admin-{suffix}"
        _token, secret = auth.create_token(
            session,
            name=name,
            role="admin",
            person=None,
            playbook=book,
            now=SystemClock().now(),
        )
        err.print(f"created the first admin token '{name}'", highlight=False)
        return secret
