"""The domain's exceptions. Services raise these; the API maps them to HTTP in one table.

WarroomError
├── NotFound                 an incident, token or person that does not exist      → 404
├── InvalidInput             a value the domain refuses (unknown severity, ...)     → 422
├── Conflict                 the request clashes with current state                 → 409
│   └── IllegalTransition    a lifecycle move the transition table does not allow   → 409
├── AuthError
│   ├── Unauthenticated      missing, unknown or revoked token                      → 401
│   └── Forbidden            a token whose role does not allow the action           → 403
└── PlaybookError            a playbook file with problems, each with path and line
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class WarroomError(Exception):
    """Base of every error warroom raises on purpose."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(WarroomError):
    code = "not_found"


class InvalidInput(WarroomError):
    code = "invalid_input"


class Conflict(WarroomError):
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"

    def __init__(self, *, ref: str, current: str, requested: str, allowed: Sequence[str]) -> None:
        allowed_text = ", ".join(allowed) if allowed else "none (final state)"
        super().__init__(
            f"{ref} cannot go from '{current}' to '{requested}'; allowed from '{current}': "
            f"{allowed_text}",
            current=current,
            requested=requested,
            allowed=list(allowed),
        )


class AuthError(WarroomError):
    code = "auth_error"


class Unauthenticated(AuthError):
    code = "unauthenticated"


class Forbidden(AuthError):
    code = "forbidden"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a playbook file: where it is and what is wrong."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        location = f"{self.path}: " if self.path else ""
        return f"{where}{location}{self.message}"


class PlaybookError(WarroomError):
    code = "invalid_playbook"

    def __init__(self, problems: Sequence[Problem], source: str = "playbook") -> None:
        self.problems = list(problems)
        self.source = source
        count = len(self.problems)
        lines = "\n".join(f"  {source}: {p}" for p in self.problems)
        super().__init__(
            f"{source} has {count} problem{'s' if count != 1 else ''}:\n{lines}",
            problems=[
                {"path": p.path, "line": p.line, "message": p.message} for p in self.problems
            ],
        )
