"""The monitors and checks domains import no web or CLI stack."""

from __future__ import annotations

import subprocess
import sys

# Not "rich": httpx itself imports it (for its own command line) whenever it is installed.
EDGE_PACKAGES = ["fastapi", "starlette", "typer", "uvicorn"]
MODULES = [
    "warroom.monitors.service",
    "warroom.monitors.scheduler",
    "warroom.checks.service",
    "warroom.checks.timing",
    "warroom.checks.load",
    "warroom.checks.diagnostics",
]


def test_domains_do_not_import_the_edges() -> None:
    code = (
        f"import sys, {', '.join(MODULES)}; "
        f"print(','.join(p for p in {EDGE_PACKAGES!r} if p in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "", f"the monitors/checks domains import {loaded}"
