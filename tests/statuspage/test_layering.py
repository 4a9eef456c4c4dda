"""The communication domains know no transport: importing them loads no web or CLI stack.

(Jinja is not checked: rendering the playbook's messages goes through the playbook's sandbox,
and ``warroom.incidents.messages`` imports its ``render`` eagerly. HTML is only rendered in
``warroom.web``.)"""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "warroom.statuspage.components",
    "warroom.statuspage.publication",
    "warroom.statuspage.maintenance",
    "warroom.statuspage.documents",
    "warroom.statuspage.feeds",
    "warroom.statuspage.cache",
    "warroom.updates.public",
    "warroom.updates.internal",
    "warroom.updates.announcements",
    "warroom.updates.subscriptions",
]
EDGES = ["fastapi", "starlette", "typer", "uvicorn"]


def test_domains_do_not_import_the_edges() -> None:
    code = (
        f"import sys, {', '.join(MODULES)}; "
        f"print(','.join(p for p in {EDGES!r} if p in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "", f"the communication domains import {loaded}"
