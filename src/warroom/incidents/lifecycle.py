"""The incident lifecycle as one literal table, after the playbook's response flow.

Rules:
- Declared incidents (severities with ``declare: true``, P0/P1 by default) follow the seed's
  flow: detected → triaged → declared → investigating ⇄ escalated → identified → fixing →
  verifying → monitoring → resolved → closed; a failed fix goes verifying → rolled_back →
  investigating.
- Tickets (P2/P3 by default) take the lighter path the seed calls "Create Ticket": no
  declaration, no war room, and monitoring is optional after verification.
- A move that is not in the table is refused (IllegalTransition names the current state, the
  requested one and the allowed ones). ``closed`` is final.
- Reopening: monitoring → investigating (the fix did not hold) and resolved → investigating
  (the problem came back) are allowed on both paths.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DETECTED = "detected"
    TRIAGED = "triaged"
    DECLARED = "declared"
    INVESTIGATING = "investigating"
    ESCALATED = "escalated"
    IDENTIFIED = "identified"
    FIXING = "fixing"
    VERIFYING = "verifying"
    ROLLED_BACK = "rolled_back"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Kind(StrEnum):
    INCIDENT = "incident"
    TICKET = "ticket"


S = Status

TRANSITIONS: dict[Kind, dict[Status, frozenset[Status]]] = {
    Kind.INCIDENT: {
        S.DETECTED: frozenset({S.TRIAGED}),
        S.TRIAGED: frozenset({S.DECLARED}),
        S.DECLARED: frozenset({S.INVESTIGATING}),
        S.INVESTIGATING: frozenset({S.ESCALATED, S.IDENTIFIED}),
        S.ESCALATED: frozenset({S.INVESTIGATING, S.IDENTIFIED}),
        S.IDENTIFIED: frozenset({S.FIXING}),
        S.FIXING: frozenset({S.VERIFYING}),
        S.VERIFYING: frozenset({S.MONITORING, S.ROLLED_BACK}),
        S.ROLLED_BACK: frozenset({S.INVESTIGATING}),
        S.MONITORING: frozenset({S.RESOLVED, S.INVESTIGATING}),
        S.RESOLVED: frozenset({S.CLOSED, S.INVESTIGATING}),
        S.CLOSED: frozenset(),
    },
    Kind.TICKET: {
        S.DETECTED: frozenset({S.TRIAGED}),
        S.TRIAGED: frozenset({S.INVESTIGATING}),
        # A ticket downgraded from a declared incident continues from here.
        S.DECLARED: frozenset({S.INVESTIGATING}),
        S.INVESTIGATING: frozenset({S.ESCALATED, S.IDENTIFIED, S.RESOLVED}),
        S.ESCALATED: frozenset({S.INVESTIGATING, S.IDENTIFIED}),
        S.IDENTIFIED: frozenset({S.FIXING}),
        S.FIXING: frozenset({S.VERIFYING}),
        S.VERIFYING: frozenset({S.RESOLVED, S.MONITORING, S.ROLLED_BACK}),
        S.ROLLED_BACK: frozenset({S.INVESTIGATING}),
        S.MONITORING: frozenset({S.RESOLVED, S.INVESTIGATING}),
        S.RESOLVED: frozenset({S.CLOSED, S.INVESTIGATING}),
        S.CLOSED: frozenset(),
    },
}

# States an incident may be created in; later states are reached only through transitions.
INITIAL_STATES: frozenset[Status] = frozenset({S.DETECTED, S.TRIAGED, S.DECLARED})

# States in which the incident is still open (not resolved or closed).
OPEN_STATES: frozenset[Status] = frozenset(Status) - {S.RESOLVED, S.CLOSED}


def allowed(kind: Kind, current: Status) -> list[Status]:
    """The states reachable in one move, in lifecycle order."""
    targets = TRANSITIONS[kind][current]
    return [s for s in Status if s in targets]


def is_allowed(kind: Kind, current: Status, requested: Status) -> bool:
    return requested in TRANSITIONS[kind][current]
