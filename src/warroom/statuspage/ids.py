"""Public ids: short lowercase strings like Statuspage's, never the internal row numbers."""

from __future__ import annotations

import hashlib
import secrets
import string

ALPHABET = string.ascii_lowercase + string.digits
LENGTH = 12


def new_id() -> str:
    """A random 12-character id for a published incident, update or maintenance."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def stable_id(kind: str, key: str) -> str:
    """The same 12-character id for the same playbook key on every server (components, groups)."""
    number = int.from_bytes(hashlib.sha256(f"{kind}:{key}".encode()).digest()[:16], "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def new_token() -> str:
    """An unguessable token for links that work without logging in (unsubscribe)."""
    return secrets.token_urlsafe(32)
