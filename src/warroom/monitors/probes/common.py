"""What every probe shares: ${ENV} expansion, TLS settings and errors told in words."""

from __future__ import annotations

import os
import re
import socket
import ssl
from datetime import UTC, datetime
from typing import Any

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ProbeError(Exception):
    """A probe could not run at all; the message is the failed result's reason."""


def expand_env(text: str) -> str:
    """Replace ``${NAME}`` by the environment variable NAME; a missing one is a ProbeError."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ProbeError(f"environment variable {name} is not set")
        return os.environ[name]

    return _ENV.sub(value, text)


def tls_context(verify: bool) -> ssl.SSLContext:
    """A client TLS context; with ``verify=False`` any certificate is accepted."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def cert_expiry_seconds(ssl_object: Any, now: datetime | None = None) -> float | None:
    """Seconds until the peer certificate expires (negative once expired), or None."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return None
    from cryptography import x509

    not_after = x509.load_der_x509_certificate(der).not_valid_after_utc
    return (not_after - (now or datetime.now(UTC))).total_seconds()


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def describe_error(exc: BaseException, *, timeout: float | None = None) -> str:
    """One line saying why a probe failed: DNS, refused, timeout, TLS, or the error itself."""
    chain = _chain(exc)
    for err in chain:
        if isinstance(err, ssl.SSLCertVerificationError):
            return f"TLS error: {err.verify_message or err.reason}"
        if isinstance(err, ssl.SSLError):
            return f"TLS error: {err.reason or err}"
        if isinstance(err, socket.gaierror):
            return f"DNS lookup failed: {err.strerror or err}"
        if isinstance(err, ConnectionRefusedError):
            return "connection refused"
    names = {type(err).__name__ for err in chain}
    if names & {"TimeoutError", "TimeoutException", "ConnectTimeout", "ReadTimeout", "PoolTimeout"}:
        return f"timed out after {timeout:g}s" if timeout else "timed out"
    text = str(exc).strip()
    lowered = text.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return f"DNS lookup failed: {text}"
    if "certificate" in lowered or "ssl" in lowered:
        return f"TLS error: {text}"
    if "refused" in lowered:
        return "connection refused"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
