"""Secrets pasted into the timeline are masked before they are stored."""

from __future__ import annotations

import pytest

from warroom.timeline.service import redact_text


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
