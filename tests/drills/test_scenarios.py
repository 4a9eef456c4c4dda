"""The scenario catalogue: the seed's four built in, the playbook's own, bad names refused."""

from __future__ import annotations

import pytest

from warroom.drills.scenarios import BUILT_IN, catalogue, scenario
from warroom.errors import InvalidInput, PlaybookError
from warroom.playbook import Playbook, default_playbook
from warroom.playbook.loader import default_playbook_text, parse_playbook


def _with_drills(section: str) -> Playbook:
    text = default_playbook_text()
    assert "\ndrills: []\n" in text
    return parse_playbook(text.replace("\ndrills: []\n", "\n" + section), source="test")


def test_the_seed_scenarios_are_built_in() -> None:
    assert {name: s.faults for name, s in BUILT_IN.items()} == {
        "outage": ("down",),
        "database": ("db-errors",),
        "error-rate": ("error-rate",),
        "performance": ("slow", "cache-stale"),
    }
    assert BUILT_IN["outage"].severity == "P0"


def test_fault_bodies_carry_duration_and_settings() -> None:
    assert BUILT_IN["outage"].fault_bodies("10m") == [
        {"fault": "down", "on": True, "duration": "10m"}
    ]
    slow, stale = BUILT_IN["performance"].fault_bodies(None)
    assert slow == {"fault": "slow", "on": True, "latency": "1500ms"}
    assert stale == {"fault": "cache-stale", "on": True}
    assert BUILT_IN["error-rate"].fault_bodies(None)[0]["rate"] == 0.3


def test_playbook_drills_join_the_catalogue() -> None:
    book = _with_drills(
        "drills:\n  - name: bad-deploy\n    faults: [bad-release]\n    rate: 0.5\n"
        "    severity: P2\n"
    )
    found = catalogue(book)
    assert list(found)[-1] == "bad-deploy"
    assert not found["bad-deploy"].built_in
    assert found["bad-deploy"].fault_bodies("5m") == [
        {"fault": "bad-release", "on": True, "duration": "5m", "rate": 0.5}
    ]


def test_unknown_scenario_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        scenario(default_playbook(), "meteor")
    assert 'unknown drill scenario "meteor"' in caught.value.message
    assert "outage, database, error-rate, performance" in caught.value.message


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("drills:\n  - name: x\n    faults: [meteor]\n", 'unknown fault "meteor"'),
        ("drills:\n  - name: outage\n    faults: [down]\n", 'drill "outage" is defined twice'),
        ("drills:\n  - name: x\n    faults: [down]\n    severity: P7\n", 'unknown severity "P7"'),
    ],
)
def test_bad_playbook_drills_are_refused(section: str, message: str) -> None:
    with pytest.raises(PlaybookError) as caught:
        _with_drills(section)
    assert message in str(caught.value)
