"""The literal transition table: complete, faithful to the seed, and strict."""

from __future__ import annotations

import itertools

import pytest

from warroom.errors import IllegalTransition
from warroom.incidents.lifecycle import TRANSITIONS, Kind, Status, allowed, is_allowed

SEED_FLOW = [
    "detected",
    "triaged",
    "declared",
    "investigating",
    "escalated",
    "investigating",
    "identified",
    "fixing",
    "verifying",
    "rolled_back",
    "investigating",
    "identified",
    "fixing",
    "verifying",
    "monitoring",
    "resolved",
    "closed",
]


@pytest.mark.parametrize("kind", list(Kind))
def test_every_state_has_an_entry(kind: Kind) -> None:
    assert set(TRANSITIONS[kind]) == set(Status)


@pytest.mark.parametrize("kind", list(Kind))
def test_closed_is_final(kind: Kind) -> None:
    assert allowed(kind, Status.CLOSED) == []


def test_the_seed_flow_is_a_path_for_declared_incidents() -> None:
    for current, requested in itertools.pairwise(SEED_FLOW):
        assert is_allowed(Kind.INCIDENT, Status(current), Status(requested)), (current, requested)


def test_incidents_must_be_declared_before_investigation() -> None:
    assert allowed(Kind.INCIDENT, Status.TRIAGED) == [Status.DECLARED]
    assert not is_allowed(Kind.INCIDENT, Status.DETECTED, Status.INVESTIGATING)


def test_tickets_skip_declaration_and_may_resolve_without_monitoring() -> None:
    assert allowed(Kind.TICKET, Status.TRIAGED) == [Status.INVESTIGATING]
    assert is_allowed(Kind.TICKET, Status.VERIFYING, Status.RESOLVED)
    assert not is_allowed(Kind.INCIDENT, Status.VERIFYING, Status.RESOLVED)


def test_a_failed_fix_rolls_back_then_investigates_again() -> None:
    assert allowed(Kind.INCIDENT, Status.VERIFYING) == [Status.ROLLED_BACK, Status.MONITORING]
    assert allowed(Kind.INCIDENT, Status.ROLLED_BACK) == [Status.INVESTIGATING]


def test_allowed_lists_states_in_lifecycle_order() -> None:
    order = list(Status)
    for kind in Kind:
        for state in Status:
            targets = allowed(kind, state)
            assert targets == sorted(targets, key=order.index)


def test_illegal_transition_names_current_requested_and_allowed() -> None:
    error = IllegalTransition(
        ref="INC-7", current="declared", requested="resolved", allowed=["investigating"]
    )
    assert "INC-7" in error.message
    assert "'declared'" in error.message
    assert "'resolved'" in error.message
    assert "investigating" in error.message
    assert error.details == {
        "current": "declared",
        "requested": "resolved",
        "allowed": ["investigating"],
    }
