"""The playbook's ``monitors:`` section: what to probe, how often, and what must hold.

Conditions are parsed here, when the playbook loads, so a typo is an error with its path
(``monitors[0].conditions[1]: invalid condition ...``) rather than a check that never fails.
Kind-specific requirements (an http monitor needs a url, a tcp one a host and port) are checked
by ``monitor_problems``, which ``checks.py`` calls with the file's plain data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from warroom.monitors.conditions import ConditionError, kind_problem, parse
from warroom.playbook.durations import Duration, parse_duration

MonitorKind = Literal["http", "metrics", "websocket", "tcp", "sql", "heartbeat"]
KINDS: tuple[str, ...] = ("http", "metrics", "websocket", "tcp", "sql", "heartbeat")
AlertSeverity = Literal["critical", "error", "warning", "info"]
HttpMethod = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_SCHEMES = {"http": ("http", "https"), "metrics": ("http", "https"), "websocket": ("ws", "wss")}
_MS = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")


def _condition(text: str) -> str:
    try:
        parse(text)
    except ConditionError as exc:
        raise ValueError(str(exc)) from None
    return text.strip()


def _milliseconds(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f'expected a response time like "800ms" or "2s", got {value}')
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = _MS.match(str(value).strip())
        if match is None:
            raise ValueError(f'expected a response time like "800ms" or "2s", got "{value}"')
        number = float(match.group(1)) * (1000.0 if match.group(2) == "s" else 1.0)
    if number <= 0:
        raise ValueError(f"a response time must be above 0, got {value}")
    return number


ConditionText = Annotated[str, AfterValidator(_condition)]
Milliseconds = Annotated[float, BeforeValidator(_milliseconds)]
MonitorName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]


class MonitorSpec(BaseModel):
    """One monitor: a target, a schedule, conditions, and when failures become an alert."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: MonitorName
    """Unique name; the alert's dedup key is ``monitor:NAME``."""
    kind: MonitorKind
    """http, metrics (Prometheus text exposition), websocket, tcp, sql or heartbeat (push)."""
    description: str = ""
    """What the monitor watches, in words."""
    service: str | None = None
    """The affected service (one of services); alerts carry it to triage."""
    url: str | None = None
    """Target URL: http(s):// for http and metrics, ws(s):// for websocket."""
    method: HttpMethod = "GET"
    """HTTP method (http monitors)."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Request headers; ``${NAME}`` is replaced by the environment variable NAME when probing."""
    body: str | None = None
    """Request body (http monitors)."""
    verify_tls: bool = True
    """Refuse invalid or expired certificates (a TLS error fails the check)."""
    host: str | None = None
    """Host to connect to (tcp monitors)."""
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    """Port to connect to (tcp monitors)."""
    send: str | None = None
    """Message to send after connecting (websocket monitors); its reply is [REPLY]."""
    dsn_env: str | None = None
    """Environment variable holding the SQLAlchemy URL (sql monitors); never the URL itself."""
    query: str = "SELECT 1"
    """Query to run (sql monitors); its rows are [BODY], a list of lists."""
    interval: Duration = timedelta(seconds=60)
    """How often to probe (heartbeat: how often a beat is expected)."""
    timeout: Duration = timedelta(seconds=10)
    """Give up on one probe after this long; must be shorter than the interval."""
    grace: Duration = timedelta(seconds=60)
    """Heartbeat monitors: how late a beat may be before it counts as missing."""
    conditions: tuple[ConditionText, ...] = ()
    """All must hold for a check to pass; default: [STATUS] < 400 or [CONNECTED] == true."""
    degraded_over: Milliseconds | None = None
    """A passing check slower than this ("800ms", "2s") makes the monitor degraded."""
    failures_to_alert: Annotated[int, Field(ge=1, le=100)] = 3
    """Consecutive failures that open an alert."""
    successes_to_resolve: Annotated[int, Field(ge=1, le=100)] = 2
    """Consecutive successes that resolve it."""
    summary: str | None = None
    """Alert summary while failing; triage rules match it. Default: "Health check failing: NAME"
    for http monitors ("health check fail" is the default playbook's P0 site-down rule), else
    "KIND check failing: NAME". The failure reason is appended."""
    severity: AlertSeverity = "critical"
    """Severity of the alert raised (critical, error, warning, info)."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Extra alert labels for triage rules; ``monitor`` and ``kind`` are always set."""
    enabled: bool = True
    """false: keep the monitor and its history but stop probing."""


def _duration(value: object) -> timedelta | None:
    if isinstance(value, str | int | float):
        try:
            return parse_duration(value)
        except ValueError:
            return None
    return None


def _url_problem(kind: str, url: object) -> str | None:
    if url is None:
        return f"required for {kind} monitors"
    if not isinstance(url, str):
        return None
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    wanted = _SCHEMES[kind]
    if scheme not in wanted:
        return f'expected a {" or ".join(s + "://" for s in wanted)} URL, got "{url}"'
    return None


def spec_problems(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Kind-specific problems of one monitor's plain data, as (relative path, message)."""
    kind = item.get("kind")
    if kind not in KINDS:
        return []
    found: list[tuple[str, str]] = []
    if kind in _SCHEMES:
        problem = _url_problem(kind, item.get("url"))
        if problem:
            found.append(("url", problem))
    if kind == "tcp":
        found += [
            (key, "required for tcp monitors") for key in ("host", "port") if not item.get(key)
        ]
    if kind == "sql" and not item.get("dsn_env"):
        found.append(("dsn_env", "required for sql monitors: the environment variable's name"))
    interval, timeout = _duration(item.get("interval", 60)), _duration(item.get("timeout", 10))
    if interval and timeout and timeout >= interval and kind != "heartbeat":
        found.append(("timeout", "must be shorter than the interval"))
    conditions = item.get("conditions")
    if isinstance(conditions, list | tuple):
        for j, text in enumerate(conditions):
            try:
                problem = kind_problem(parse(text), str(kind)) if isinstance(text, str) else None
            except ConditionError:
                continue  # the schema reports it
            if problem:
                found.append((f"conditions[{j}]", problem))
    return found


def monitor_problems(data: Mapping[str, Any], services: set[str]) -> list[tuple[str, str]]:
    """Every cross-reference problem of the monitors section: (path, message)."""
    found: list[tuple[str, str]] = []
    monitors = data.get("monitors")
    if not isinstance(monitors, list | tuple):
        return found
    first: dict[str, int] = {}
    for i, item in enumerate(monitors):
        if not isinstance(item, Mapping):
            continue
        name = item.get("name")
        if isinstance(name, str):
            if name in first:
                found.append(
                    (
                        f"monitors[{i}].name",
                        f'duplicate monitor "{name}" (also monitors[{first[name]}])',
                    )
                )
            else:
                first[name] = i
        service = item.get("service")
        if isinstance(service, str) and service not in services:
            known = ", ".join(sorted(services)) or "none are defined"
            found.append(
                (f"monitors[{i}].service", f'unknown service "{service}"; services: {known}')
            )
        found += [(f"monitors[{i}].{path}", msg) for path, msg in spec_problems(item)]
    return found
