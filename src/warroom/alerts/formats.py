"""What the wire-format parsers share: the error they raise and small value checks."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from warroom.errors import InvalidInput

GROUP_KEY_MAX = 255


class PayloadError(InvalidInput):
    """A webhook body that is not what its sender's format says; lists every problem."""

    code = "invalid_event"

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors), errors=errors)
        self.errors = errors


class Problems:
    """Collects every problem of a payload, so the sender learns them all at once."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, message: str) -> None:
        self.errors.append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise PayloadError(self.errors)

    def string(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool, max_length: int
    ) -> str | None:
        """A string field, reporting it missing, of the wrong type, or too long."""
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip() and required):
            if required:
                self.add(f"'{where}' is missing or blank")
            return None
        if not isinstance(value, str):
            self.add(f"'{where}' must be a string")
            return None
        if len(value) > max_length:
            self.add(f"'{where}' is {len(value)} characters; at most {max_length}")
            return None
        return value

    def object(self, data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(f"'{where}' must be an object")
            return {}
        return value

    def string_map(self, data: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
        """An object of strings (labels, annotations)."""
        value = self.object(data, key, where)
        bad = [k for k, v in value.items() if not isinstance(v, str)]
        if bad:
            self.add(f"'{where}.{bad[0]}' must be a string")
            return {}
        return value

    def links(
        self, data: Mapping[str, Any], key: str, where: str, need: str
    ) -> list[dict[str, Any]]:
        """A list of objects each with a string ``need`` (href of links, src of images)."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(f"'{where}' must be a list")
            return []
        out: list[dict[str, Any]] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get(need), str) or not item[need]:
                self.add(f"'{where}[{i}].{need}' is missing or not a string")
                continue
            out.append({k: v for k, v in item.items() if isinstance(v, str)})
        return out


def group_key(value: str | None) -> str | None:
    """Group keys longer than the column are hashed, keeping equal keys equal."""
    if value is None or len(value) <= GROUP_KEY_MAX:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def labels_fingerprint(labels: Mapping[str, str]) -> str:
    """A stable key for an alert that came without one: its sorted labels, hashed."""
    text = "\0".join(f"{k}\0{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
