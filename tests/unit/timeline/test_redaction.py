"""Secrets pasted into the timeline are masked before they are stored."""

from __future__ import annotations

import pytest

from warroom.timeline.service import _SECRET_PATTERNS, redact_text


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("use wr_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab", "AbCdEfGhIj", "wr_***"),
        ("curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y'", "eyJhbGci", "Bearer ***"),
        ("db password=hunter2 now", "hunter2", "password=***"),
        ("psql postgresql://app:s3cret@db:5432/prod", "s3cret", "app:***@db"),
        ("API_KEY: abcdef123456", "abcdef123456", "API_KEY: ***"),
    ],
)
def test_secrets_are_masked(text: str, hidden: str, kept: str) -> None:
    redacted = redact_text(text)
    assert hidden not in redacted
    assert kept in redacted


def test_ordinary_text_is_untouched() -> None:
    text = "Rolled back deploy 2026.11.02-3; error rate back to 0.1% (was 14%)."
    assert redact_text(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Disk 90% full on db-1",
        "token: abc123 and Token=xyz",
        "Authorization: Bearer abcdefgh12345678",
        "BASIC dXNlcjpwYXNzd29yZA==",
        "see https://user:hunter2@example.com/x",
        "wr_" + "a" * 30,
        "PASSWD=secret api-key: k API_KEY=v apikey=w",
        "nothing://here but a scheme",
        "pas\u017fword=hunter2 and To\u212aen=abc",  # long s and the Kelvin sign fold to s, k
        "ap\u0131_key=abc bas\u0131c dXNlcjpwYXNzd29yZA==",  # dotless i folds to i
        "Bearer\u00a0abcdefgh12345678 täglich",
    ],
)
def test_the_quick_check_never_skips_a_secret(text: str) -> None:
    # redact_text skips the substitutions when a cheap search finds nothing they could match;
    # the answer must be what running every substitution gives.
    full = text
    for pattern, replacement in _SECRET_PATTERNS:
        full = pattern.sub(replacement, full)
    assert redact_text(text) == full
