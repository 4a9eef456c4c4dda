"""Recording and listing changes (deployments). Intake, the API and the CLI all record here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.changes.models import SERVICE_MAX, SOURCE_MAX, SUMMARY_MAX, VERSION_MAX, Change
from warroom.errors import InvalidInput

FUTURE_SKEW = timedelta(minutes=2)
MAX_PAGE = 200
MAX_LINKS = 20
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def record_change(
    session: Session,
    *,
    now: datetime,
    service: str | None,
    summary: str,
    source: str,
    version: str | None = None,
    at: datetime | None = None,
    links: list[dict[str, Any]] | None = None,
    details: dict[str, Any] | None = None,
) -> Change:
    """Store one change; ``at`` (when it happened) defaults to ``now``, never in the future."""
    summary = " ".join(summary.split())
    if not summary:
        raise InvalidInput("summary must not be empty", field="summary")
    if len(summary) > SUMMARY_MAX:
        raise InvalidInput(
            f"summary is {len(summary)} characters; at most {SUMMARY_MAX}", field="summary"
        )
    if not _SOURCE.match(source) or len(source) > SOURCE_MAX:
        raise InvalidInput(
            f"source {source!r} must be up to {SOURCE_MAX} lowercase letters, digits, '.', '_' "
            "or '-' (e.g. cli, api, pagerduty)",
            field="source",
        )
    service = _optional_text(service, "service", SERVICE_MAX)
    version = _optional_text(version, "version", VERSION_MAX)
    if at is not None:
        if at.tzinfo is None:
            raise InvalidInput("at needs a UTC offset, e.g. 2026-11-02T09:00:00Z", field="at")
        if at > now + FUTURE_SKEW:
            raise InvalidInput(
                f"at cannot be in the future ({at.isoformat()} is after {now.isoformat()})",
                field="at",
            )
    change = Change(
        service=service,
        summary=summary,
        source=source,
        version=version,
        at=at or now,
        recorded_at=now,
        links=_clean_links(links or []),
        details=dict(details or {}),
    )
    session.add(change)
    session.flush()
    return change


def _optional_text(value: str | None, field: str, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise InvalidInput(f"{field} is {len(value)} characters; at most {limit}", field=field)
    return value


def _clean_links(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(links) > MAX_LINKS:
        raise InvalidInput(f"at most {MAX_LINKS} links per change", field="links")
    cleaned = []
    for i, link in enumerate(links):
        href = link.get("href") if isinstance(link, dict) else None
        if not isinstance(href, str) or not href.strip():
            raise InvalidInput(f"links[{i}] needs an href", field=f"links[{i}].href")
        text = link.get("text")
        cleaned.append({"href": href.strip(), "text": text if isinstance(text, str) else None})
    return cleaned


@dataclass(frozen=True)
class ChangePage:
    items: list[Change]
    total: int


def list_changes(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    service: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ChangePage:
    """Changes newest first, within [since, until) and for one service if given."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must not be negative", field="offset")
    if since is not None and until is not None and since > until:
        raise InvalidInput("from must not be after to", field="from")
    query = select(Change)
    if since is not None:
        query = query.where(Change.at >= since)
    if until is not None:
        query = query.where(Change.at < until)
    if service is not None:
        query = query.where(Change.service == service)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(Change.at.desc(), Change.id.desc()).limit(limit).offset(offset)
    )
    return ChangePage(items=list(items), total=total)
