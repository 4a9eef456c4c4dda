"""What the intake routes share: the body limit, key lookup with a short cache, per-key rate
limits, and the group-commit writer, all kept on the application's state."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from warroom.alerts import service
from warroom.alerts.event import AlertEvent
from warroom.alerts.writer import GroupCommitter, Result
from warroom.api.deps import AppState
from warroom.errors import NotFound, Unauthenticated
from warroom.integrations import service as integrations

KEY_CACHE_SECONDS = 1.0
KEY_CACHE_SIZE = 10_000


class IntakeSettings(BaseSettings):
    """WARROOM_INTAKE_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="WARROOM_INTAKE_", extra="ignore")

    max_body_bytes: int = Field(default=512 * 1024, description="Largest intake body (413 above)")
    rate_limit: int = Field(
        default=1000, description="Requests per second per key unless the integration sets one"
    )
    gather_ms: float = Field(
        default=0.3,
        ge=0,
        le=50,
        description="How long the writer waits for more requests before each group commit",
    )
    writers: int = Field(
        default=1,
        ge=1,
        le=32,
        description=(
            "Writer threads per process: more overlap the round trips to a distant PostgreSQL "
            "(on loopback they only contend for the GIL; SQLite writes one at a time anyway)"
        ),
    )


class BodyTooLarge(Exception):
    pass


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class KeyInfo:
    """What intake needs of an integration, cached for a second per key."""

    id: int
    name: str
    kind: str
    service: str
    signing_secret: str | None
    rate_limit: int | None
    revoked: bool


class _Bucket:
    """Token bucket: ``rate`` requests per second, bursts up to one second's worth."""

    __slots__ = ("rate", "stamp", "tokens")

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.tokens = float(rate)
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 if a request may go now, else seconds until it may."""
        now = time.monotonic()
        self.tokens = min(float(self.rate), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Intake:
    """Per-application intake state."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.settings = IntakeSettings()
        self.writer = GroupCommitter(
            state.sessions,
            playbook=state.playbook,
            clock=state.clock,
            gather_seconds=self.settings.gather_ms / 1000,
            writers=self.settings.writers,
        )
        self._keys: dict[tuple[str, str | None], tuple[float, KeyInfo | None]] = {}
        self._buckets: dict[int, _Bucket] = {}
        self._lock = threading.Lock()

    # -- bodies -----------------------------------------------------------------------------

    async def body(self, request: Request) -> bytes:
        """The request body, refusing more than max_body_bytes before reading it all."""
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    # -- keys -------------------------------------------------------------------------------

    async def integration(self, key: str, kind: str) -> KeyInfo:
        """The integration behind a key: NotFound if unknown, Unauthenticated if revoked."""
        now = time.monotonic()
        cached = self._keys.get((key, kind))
        if cached is None or now - cached[0] > KEY_CACHE_SECONDS:
            info = await run_in_threadpool(self._lookup, key, kind)
            if len(self._keys) >= KEY_CACHE_SIZE:
                self._keys.clear()  # a flood of made-up keys must not grow it without end
            self._keys[(key, kind)] = (now, info)
        else:
            info = cached[1]
        if info is None:
            raise NotFound("unknown integration key")
        if info.revoked:
            raise Unauthenticated(f"integration key of {info.name!r} was revoked")
        return info

    def _lookup(self, key: str, kind: str) -> KeyInfo | None:
        with self.state.sessions() as session:
            try:
                row = integrations.authenticate(session, key, kind=kind)
            except NotFound:
                return None
            except Unauthenticated:
                row = integrations.get_by_key(session, key)
            return KeyInfo(
                id=row.id,
                name=row.name,
                kind=row.kind,
                service=row.service,
                signing_secret=row.signing_secret,
                rate_limit=row.rate_limit,
                revoked=row.revoked_at is not None,
            )

    def forget_keys(self) -> None:
        """Drop cached keys (after a revocation in this process)."""
        self._keys.clear()

    # -- rate limits ------------------------------------------------------------------------

    def check_rate(self, info: KeyInfo) -> None:
        """RateLimited with the seconds to wait when the key is over its limit."""
        rate = info.rate_limit or self.settings.rate_limit
        with self._lock:
            bucket = self._buckets.get(info.id)
            if bucket is None or bucket.rate != rate:
                bucket = self._buckets[info.id] = _Bucket(rate)
            wait = bucket.take()
        if wait > 0:
            raise RateLimited(max(1, math.ceil(wait)))

    # -- writing ----------------------------------------------------------------------------

    async def apply(self, events: Sequence[AlertEvent], info: KeyInfo) -> Result:
        """Validate and triage events (InvalidInput names the first wrong field), then apply
        them through the group-commit writer; returns after their commit.

        The pure work happens here, on the request's thread, not in the writer: with several
        processes on one SQLite database the writers take turns, and work done in a turn
        holds up every process's writes."""
        if not events:
            return []
        prepared = service.Prepared(self.writer.playbook, events, {info.id: info})
        return await self.writer.submit_async(events, prepared)


def intake_of(request: Request) -> Intake:
    """The application's Intake, made on first use."""
    app_state = request.app.state
    intake: Intake | None = getattr(app_state, "intake", None)
    if intake is None:
        intake = Intake(app_state.warroom)
        app_state.intake = intake
    return intake
