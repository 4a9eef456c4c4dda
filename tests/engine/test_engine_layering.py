"""The engine's domains know no transport, and do not load Apprise until something is sent."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "warroom.notify.service",
    "warroom.notify.delivery",
    "warroom.escalation.service",
    "warroom.oncall.service",
    "warroom.reminders.updates",
    "warroom.engine.jobs",
]
EDGES = ["fastapi", "starlette", "typer", "uvicorn", "rich", "apprise"]


def test_domains_do_not_import_the_edges() -> None:
    # One interpreter for all of them: each import is what a real process would pay.
    code = (
        f"import sys, {', '.join(MODULES)}; "
        f"print(','.join(p for p in {EDGES!r} if p in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "", f"the engine's domains import {loaded}"
