"""The playbook's schedules, escalation_policies and notify sections: the seed, and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from warroom.errors import PlaybookError
from warroom.escalation.service import policy_for
from warroom.playbook import Playbook, default_playbook, default_playbook_text, parse_playbook


def test_default_playbook_maps_every_severity_to_the_seed_column() -> None:
    playbook = default_playbook()
    described = {}
    for key in playbook.severity_keys():
        chosen = policy_for(playbook, key)
        assert chosen is not None
        described[key] = chosen[1].description
    assert described == {key: playbook.severity(key).escalation for key in playbook.severity_keys()}
    assert [s.name for s in playbook.schedules] == ["primary"]
    assert playbook.schedules[0].layers[0].members == ("alice", "bob")


def _problems(mutate: Any) -> list[str]:
    data = default_playbook().model_dump(mode="json")
    mutate(data)
    with pytest.raises(PlaybookError) as caught:
        Playbook.model_validate(data)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def test_every_problem_is_listed_with_its_path() -> None:
    def mutate(data: dict[str, Any]) -> None:
        policy = data["escalation_policies"]["immediate-all-hands"]
        policy["levels"][0]["targets"] = [{"schedule": "nightly"}, {"person": "mallory"}]
        policy["levels"][1]["targets"] = [{"team": "sre"}]
        data["escalation_policies"]["lead-and-oncall"]["severities"] = ["P1", "P7"]
        data["people"][0]["contact"] = [{"url": "bogus://whatever", "label": "chat"}]
        data["notify"]["channels"] = {"stakeholders": "mailto://nobody"}
        data["notify"]["rules"] = {"bob": [{"contact": "sms"}], "zed": []}
        data["schedules"][0]["layers"][0]["members"] = ["alice", "trudy"]
        data["schedules"][0]["overrides"] = [
            {"person": "bob", "start": "2026-12-02T09:00:00", "end": "2026-12-01T09:00:00"}
        ]

    problems = _problems(mutate)
    assert problems == [
        'schedules[0].layers[0].members[1]: unknown person "trudy"; people are: alice, bob',
        "schedules[0].overrides[0].end: the override ends before (or when) it starts",
        "escalation_policies.immediate-all-hands.levels[0].targets[0].schedule: unknown "
        'schedule "nightly"; schedules: primary',
        "escalation_policies.immediate-all-hands.levels[0].targets[1].person: unknown person "
        '"mallory"; people: alice, bob',
        'escalation_policies.immediate-all-hands.levels[1].targets[0].team: unknown team "sre"; '
        "teams: engineering",
        'escalation_policies.lead-and-oncall.severities[1]: unknown severity "P7"; severities: '
        "P0, P1, P2, P3",
        'people[0].contact[0].url: Apprise does not accept this URL (scheme "bogus"); see the '
        "Apprise wiki for the URL format of each service",
        'notify.channels.stakeholders: Apprise does not accept this URL (scheme "mailto"); see '
        "the Apprise wiki for the URL format of each service",
        'notify.rules.bob[0].contact: @bob has no contact method labelled "sms"; they have: no '
        "labelled methods",
        'notify.rules.zed: unknown person "zed"; people are: alice, bob',
    ]


def _yaml_problems(old: str, new: str) -> list[str]:
    text = default_playbook_text()
    assert old in text
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(text.replace(old, new, 1))
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def test_zero_and_negative_delays_are_refused_with_their_line() -> None:
    text = default_playbook_text()
    bad = text.replace("        delay: 5m", "        delay: 0s", 1).replace(
        "        delay: 10m", "        delay: -5m", 1
    )
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(bad)
    problems = caught.value.problems
    assert [(p.path, p.message) for p in problems] == [
        (
            "escalation_policies.immediate-all-hands.levels[0].delay",
            'expected a duration like "15m", got "0s"',
        ),
        (
            "escalation_policies.immediate-all-hands.levels[1].delay",
            'expected a duration like "15m", got "-5m"',
        ),
    ]
    assert all(p.line is not None for p in problems)


def test_rotation_without_members_unknown_zone_and_odd_turn() -> None:
    problems = _yaml_problems(
        "    timezone: Europe/London\n    layers:\n      - name: weekly\n"
        "        members: [alice, bob]\n        turn: 1w",
        "    timezone: Mars/Olympus\n    layers:\n      - name: weekly\n"
        "        members: []\n        turn: 90m",
    )
    assert problems == [
        'schedules[0].timezone: unknown timezone "Mars/Olympus"; use an IANA name like "UTC" or '
        '"Europe/London"',
        "schedules[0].layers[0].members: must not be empty",
        "schedules[0].layers[0].turn: a turn is a whole number of hours, days or weeks (e.g. "
        "12h, 1d, 1w)",
    ]


def test_a_target_names_exactly_one_thing() -> None:
    problems = _yaml_problems(
        "      - targets: [{team: engineering}]                    # the whole team",
        "      - targets: [{team: engineering, person: bob}]       # the whole team",
    )
    assert problems == [
        "escalation_policies.immediate-all-hands.levels[1].targets[0]: a target names exactly "
        "one of person, schedule, team or all_hands"
    ]


def test_a_severity_follows_one_policy() -> None:
    problems = _yaml_problems("    severities: [P1]\n", "    severities: [P1, P0]\n")
    assert problems == [
        "escalation_policies.lead-and-oncall.severities[1]: P0 already follows the policy "
        '"immediate-all-hands"; a severity has one'
    ]
