"""The sql probe: connect with a SQLAlchemy URL and run a query under a time limit."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from warroom.db import normalize_url
from warroom.monitors.observation import Observation

ROW_LIMIT = 100


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def run_query(url: str, query: str, timeout: float) -> Observation:
    """Blocking: run ``query`` on a fresh connection; rows (at most 100) become [BODY]."""
    url = normalize_url(url)
    args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        # The server stops a slow query itself, so a hung query never outlives the probe.
        args = {
            "connect_timeout": max(1, int(timeout)),
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        }
    elif url.startswith("sqlite"):
        args = {"timeout": timeout}
    engine = create_engine(url, poolclass=NullPool, connect_args=args)
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            connected = time.perf_counter()
            result = connection.execute(text(query))
            rows = (
                [[_jsonable(v) for v in row] for row in result.fetchmany(ROW_LIMIT)]
                if result.returns_rows
                else []
            )
    finally:
        engine.dispose()
    done = time.perf_counter()
    return Observation(
        connected=True,
        response_time_ms=(done - started) * 1000.0,
        data=rows,
        timings={"connect": (connected - started) * 1000.0, "total": (done - started) * 1000.0},
    )


async def sql(*, url: str, query: str, timeout: float) -> Observation:
    """run_query in a worker thread, so the event loop keeps probing others meanwhile."""
    return await asyncio.to_thread(run_query, url, query, timeout)
