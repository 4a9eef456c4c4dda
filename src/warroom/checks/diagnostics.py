"""`warroom check metrics|ws|sql`: the seed's `curl /metrics | grep`, `wscat` and `psql -c`."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from warroom.checks.report import CheckReport
from warroom.monitors.evaluation import evaluate
from warroom.monitors.observation import Observation
from warroom.monitors.probes import sockets, sql
from warroom.monitors.probes.common import ProbeError, describe_error
from warroom.monitors.probes.http import make_client, scrape

MATCH_LIMIT = 200


def _failed(kind: str, target: str, exc: BaseException, timeout: float) -> CheckReport:
    reason = str(exc) if isinstance(exc, ProbeError) else describe_error(exc, timeout=timeout)
    return CheckReport(kind, target, False, reason)  # type: ignore[arg-type]


def _verdict(
    obs: Observation, expect: tuple[str, ...]
) -> tuple[bool, str | None, list[dict[str, Any]]]:
    result = evaluate(expect, obs)
    rows = [{"condition": r.condition, "ok": r.ok, "reason": r.reason} for r in result.results]
    return result.ok, result.reason(), rows


async def metrics_grep(
    url: str,
    *,
    match: str | None = None,
    expect: tuple[str, ...] = (),
    timeout: float = 10.0,
    verify: bool = True,
) -> CheckReport:
    """Scrape ``url``; list the sample lines matching ``match`` (a regex) and test ``expect``."""
    pattern = re.compile(match, re.IGNORECASE) if match else None
    try:
        async with make_client(verify=verify, max_connections=1) as client:
            obs = await asyncio.wait_for(scrape(client, url=url, timeout=timeout), timeout)
    except Exception as exc:  # every failure is the check's answer, not a traceback
        return _failed("metrics", url, exc, timeout)
    lines = [
        line
        for line in (obs.body or b"").decode("utf-8", "replace").splitlines()
        if line and not line.startswith("#") and (pattern is None or pattern.search(line))
    ]
    ok, reason, rows = _verdict(obs, expect)
    count = len(obs.samples or [])
    summary = f"{count} samples, {len(lines)} matching" + (f" /{match}/" if match else "")
    if reason:
        summary += f"; {reason}"
    data = {"samples": count, "matches": lines[:MATCH_LIMIT], "conditions": rows}
    return CheckReport("metrics", url, ok, summary, data)


async def websocket_check(
    url: str,
    *,
    send: str | None = None,
    expect: tuple[str, ...] = (),
    timeout: float = 10.0,
    verify: bool = True,
) -> CheckReport:
    """Connect to ``url``, optionally send a message and show the reply, timed."""
    try:
        obs = await asyncio.wait_for(
            sockets.websocket(url=url, send=send, verify=verify, timeout=timeout), timeout
        )
    except Exception as exc:  # every failure is the check's answer, not a traceback
        return _failed("ws", url, exc, timeout)
    ok, reason, rows = _verdict(obs, expect or ("[CONNECTED] == true",))
    timings = {k: round(v, 2) for k, v in obs.timings.items()}
    summary = f"connected in {timings.get('connect')} ms"
    if obs.reply is not None:
        summary += f", reply {obs.reply[:80]!r}"
    if reason:
        summary += f"; {reason}"
    data = {"timings": timings, "reply": obs.reply, "conditions": rows}
    return CheckReport("ws", url, ok, summary, data)


async def sql_check(
    url: str, *, label: str, query: str = "SELECT 1", timeout: float = 10.0
) -> CheckReport:
    """Run ``query`` on ``url`` (reported as ``label``, never the URL with its password)."""
    try:
        obs = await asyncio.wait_for(sql.sql(url=url, query=query, timeout=timeout), timeout + 1)
    except Exception as exc:  # every failure is the check's answer, not a traceback
        report = _failed("sql", label, exc, timeout)
        report.summary = report.summary.replace(url, label)
        return report
    rows = obs.data if isinstance(obs.data, list) else []
    timings = {k: round(v, 2) for k, v in obs.timings.items()}
    summary = (
        f"{len(rows)} row(s) in {timings.get('total')} ms (connect {timings.get('connect')} ms)"
    )
    return CheckReport(
        "sql", label, True, summary, {"query": query, "rows": rows[:20], "timings": timings}
    )
