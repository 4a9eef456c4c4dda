"""Sending one message to one Apprise URL: the interface, Apprise behind it, and a fake.

Apprise reports success or failure but not why; warroom treats every failure of a URL Apprise
accepts as temporary (retried with backoff) and a URL it refuses as permanent. Webhook-like
targets get an ``Idempotency-Key`` header carrying the notification's dedup key, so a receiver
can drop the duplicate that at-least-once delivery may produce after a crash.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

from warroom.timeline.service import redact_text

# Apprise's webhook schemes, which accept custom headers as "+Name=value" URL parameters.
HEADER_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})
ERROR_MAX = 500


@dataclass(frozen=True)
class SendResult:
    ok: bool
    temporary: bool = True
    error: str | None = None


class Sender(Protocol):
    """Delivers one message; never raises for a delivery failure, returns it instead."""

    def send(self, *, target: str, title: str, body: str, key: str) -> SendResult: ...


def with_idempotency_key(target: str, key: str) -> str:
    """``target`` with an Idempotency-Key header parameter when its scheme supports headers."""
    scheme = target.partition("://")[0].lower()
    if scheme not in HEADER_SCHEMES:
        return target
    joiner = "&" if "?" in target else "?"
    return f"{target}{joiner}+Idempotency-Key={quote(key, safe='')}"


class _ThreadLog(logging.Handler):
    """Collects the apprise log records of one thread (several sends run side by side)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.lines.append(record.getMessage())


class AppriseSender:
    """The real sender: the URL's Apprise plugin, called in this thread, errors redacted."""

    def send(self, *, target: str, title: str, body: str, key: str) -> SendResult:
        import apprise  # heavy (loads its plugins); only the engine process needs it

        plugin = apprise.Apprise.instantiate(with_idempotency_key(target, key))
        if plugin is None:
            return SendResult(False, temporary=False, error="Apprise does not accept this URL")
        log = _ThreadLog()
        logger = logging.getLogger("apprise")
        logger.addHandler(log)
        try:
            ok = bool(plugin.notify(title=title, body=body))
        except Exception as exc:  # a plugin bug must not take the engine down
            ok = False
            log.lines.append(f"{type(exc).__name__}: {exc}")
        finally:
            logger.removeHandler(log)
        if ok:
            return SendResult(True)
        error = redact_text(" ".join(log.lines))[:ERROR_MAX] or "the provider refused the message"
        return SendResult(False, temporary=True, error=error)


@dataclass
class FakeSender:
    """For unit tests: records messages; fails the first ``failures`` sends of each key."""

    failures: int = 0
    permanent: bool = False
    sent: list[tuple[str, str, str, str]] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)

    def send(self, *, target: str, title: str, body: str, key: str) -> SendResult:
        self.attempts[key] = self.attempts.get(key, 0) + 1
        if self.attempts[key] <= self.failures:
            return SendResult(False, temporary=not self.permanent, error="fake failure")
        self.sent.append((target, title, body, key))
        return SendResult(True)
