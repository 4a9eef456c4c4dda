import pytest

from warroom.playbook import redact_url


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("slack://TokenA/TokenB/TokenC", "slack://***/***/***"),
        (
            "slack://T1JJ3T3L2/A1BRTD4JD/TWNZyGBVrTfKyyQYpnVvmrgb/#incidents",
            "slack://***/***/***/#incidents",
        ),
        ("mailto://user:pass@host", "mailto://user:***@host"),
        ("mailto://alice@example.com", "mailto://alice@example.com"),
        ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "discord://***/***"),
        ("tgram://123456789:AABBccdd/12345", "tgram://***:***/***"),
        ("https://example.com/status", "https://example.com/status"),
        (
            "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "https://hooks.slack.com/services/T000/B000/***",
        ),
        ("https://user:secret@example.com/hook", "https://user:***@example.com/hook"),
        (
            "json://example.com/path?token=abc123&mode=full&apikey=k",
            "json://example.com/path?token=***&mode=full&apikey=***",
        ),
        ("https://example.com/?password=hunter2&q=ok", "https://example.com/?password=***&q=ok"),
        ("mailgun://user@mydomain.com/apikey1234567890", "mailgun://user@mydomain.com/***"),
        ("ntfy://localhost/topic", "ntfy://localhost/***"),
        ("not a url", "***"),
        ("", ""),
    ],
)
def test_redact_url(url, redacted):
    assert redact_url(url) == redacted


def test_redaction_never_leaks_the_secret_parts():
    url = "pover://u7u3ih1zz4bhphk6y9pnbjmxebevhi@awg8xw6vxycg2ih1zt5qm1ry5sdq6c"
    out = redact_url(url)
    assert "awg8xw" not in out
    assert "u7u3ih" not in out


def test_dump_redacts_urls_in_every_section():
    from warroom.playbook import default_playbook_text, dump_playbook, parse_playbook

    text = default_playbook_text()
    text = text.replace(
        "notify:\n  channels: {}",
        'notify:\n  channels:\n    stakeholders: "mailtos://user:hunter2@smtp.example.com"',
    )
    text = text.replace(
        "announcements:\n  severities: [P0, P1]\n  channels: []",
        'announcements:\n  severities: [P0, P1]\n  channels: ["slack://TokenAAAAA/TokenBBBBB/C1"]',
    )
    dumped = dump_playbook(parse_playbook(text))
    assert "hunter2" not in dumped
    assert "TokenAAAAA" not in dumped
    assert "mailtos://user:***@smtp.example.com" in dumped
