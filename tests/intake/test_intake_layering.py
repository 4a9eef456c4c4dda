"""The intake domain knows no transport: importing it must not pull in the web or CLI stack."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "warroom.alerts.service",
    "warroom.alerts.writer",
    "warroom.alerts.queries",
    "warroom.alerts.pagerduty",
    "warroom.alerts.alertmanager",
    "warroom.alerts.sentry",
    "warroom.alerts.generic",
    "warroom.integrations.service",
    "warroom.triage.rules",
]
EDGES = ["fastapi", "starlette", "typer", "uvicorn", "rich"]


def test_intake_domain_does_not_import_the_edges() -> None:
    # One interpreter for all of them: each import is checked on its own before the next.
    code = (
        "import importlib, sys\n"
        f"for m in {MODULES!r}:\n"
        "    importlib.import_module(m)\n"
        f"    bad = [p for p in {EDGES!r} if p in sys.modules]\n"
        "    if bad:\n"
        "        print(m, bad)\n"
        "        break\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
