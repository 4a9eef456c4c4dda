"""The playbook's ``notify`` section: channels, notification rules, retries and semantics.

People's contact methods (``people[].contact``) are Apprise URLs; ``notify.rules`` says which of
them to use and when (immediately by chat, after 5 minutes by SMS). Channels are named Apprise
URLs for announcements and stakeholders. This module must not import ``schema`` (which imports
it), so it declares its own small field types.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from warroom.errors import Problem
from warroom.playbook.durations import Duration

# The same patterns as schema.py, so the loader's hints apply to them.
HANDLE = r"^[a-z0-9][a-z0-9._-]{0,39}$"
SLUG = r"^[a-z0-9][a-z0-9_-]*$"
CONTACT_URL = r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$"

NotifyHandle = Annotated[str, StringConstraints(pattern=HANDLE)]
NotifySlug = Annotated[str, StringConstraints(pattern=SLUG, max_length=80)]
AppriseUrl = Annotated[str, StringConstraints(pattern=CONTACT_URL)]

LineOf = Callable[[str, int | None], int | None]

# Schemes that reach a phone (SMS, calls, messengers tied to a number): a message whose send was
# interrupted is never sent again, because a duplicate wakes someone twice (at-most-once).
# Everything else (webhooks, email, chat) is retried after a crash (at-least-once).
DEFAULT_AT_MOST_ONCE = (
    "bulksms",
    "bulkvs",
    "burstsms",
    "clickatell",
    "d7sms",
    "dapnet",
    "freemobile",
    "httpsms",
    "kavenegar",
    "msg91",
    "plivo",
    "seven",
    "signal",
    "sinch",
    "smseagle",
    "smsmgr",
    "sns",
    "threema",
    "twilio",
    "vonage",
    "nexmo",
    "voipms",
    "whatsapp",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class NotificationRule(_Model):
    """Reach a person through one of their contact methods, immediately or after a delay."""

    contact: Annotated[str, StringConstraints(min_length=1)]
    """The ``label`` of one of the person's contact methods, e.g. "chat" or "sms"."""
    after: Duration | None = None
    """Wait this long after the page before using this method (unset: immediately). A page
    acknowledged or resolved before then is not sent."""


class Retry(_Model):
    """Retries of a delivery that failed (the provider refused or could not be reached)."""

    attempts: Annotated[int, Field(ge=1, le=20)] = 5
    """Attempts in all, the first included; after the last one the notification has failed."""
    first_delay: Duration = timedelta(seconds=30)
    """Wait before the second attempt; each later wait doubles."""
    max_delay: Duration = timedelta(minutes=15)
    """The longest wait between two attempts."""

    def delay(self, attempts_done: int) -> timedelta:
        """The backoff after ``attempts_done`` failed attempts (1 → first_delay, 2 → twice ...)."""
        doubled: timedelta = self.first_delay * (2 ** max(0, attempts_done - 1))
        return min(doubled, self.max_delay)


class Notify(_Model):
    """How notifications are delivered."""

    channels: dict[NotifySlug, AppriseUrl] = Field(default_factory=dict)
    """Named Apprise URLs (announcement and stakeholder channels); secrets are redacted when
    shown."""
    rules: dict[NotifyHandle, tuple[NotificationRule, ...]] = Field(default_factory=dict)
    """Notification rules by person handle. A person without rules gets their first contact
    method immediately and each further one ``next_contact_after`` later than the one before."""
    next_contact_after: Duration = timedelta(minutes=5)
    """Spacing of contact methods for people without rules."""
    retry: Retry = Field(default_factory=Retry)
    """Retry policy for failed deliveries."""
    send_timeout: Duration = timedelta(minutes=2)
    """How long one attempt may take; an attempt still unfinished then (the engine died) is
    retried (at-least-once) or given up (at-most-once)."""
    at_most_once: tuple[Annotated[str, StringConstraints(pattern=r"^[a-z0-9+.-]+$")], ...] = (
        DEFAULT_AT_MOST_ONCE
    )
    """URL schemes (phone-like: SMS, calls) that are never sent twice, even after a crash."""

    def rules_for(self, handle: str, labels: list[str | None]) -> list[tuple[int, timedelta]]:
        """(contact index, delay) pairs for a person whose contact methods have ``labels``."""
        rules = self.rules.get(handle)
        if not rules:
            return [(i, self.next_contact_after * i) for i in range(len(labels))]
        out = []
        for rule in rules:
            if rule.contact in labels:
                out.append((labels.index(rule.contact), rule.after or timedelta(0)))
        return out


@functools.cache
def _apprise_accepts(url: str) -> bool:
    import apprise  # heavy: loads every plugin; only needed when validating

    return bool(apprise.Apprise().add(url))


def apprise_url_problem(url: str) -> str | None:
    """Why Apprise refuses ``url``, or None when it accepts it."""
    if _apprise_accepts(url):
        return None
    scheme = url.partition("://")[0] or url
    return (
        f'Apprise does not accept this URL (scheme "{scheme}"); see the Apprise wiki for the '
        f"URL format of each service"
    )


def _items(value: object) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if isinstance(item, Mapping):
                yield i, item


def notify_problems(data: Mapping[str, Any], line_of: LineOf) -> list[Problem]:
    """Contact and channel URLs Apprise accepts; rules name known people and their methods."""
    problems: list[Problem] = []

    def add(path: str, message: str) -> None:
        problems.append(Problem(path, message, line_of(path, None)))

    labels: dict[str, list[str | None]] = {}
    for i, person in _items(data.get("people")):
        methods = list(_items(person.get("contact")))
        if isinstance(person.get("handle"), str):
            labels[person["handle"]] = [m.get("label") for _j, m in methods]
        for j, method in methods:
            url = method.get("url")
            if isinstance(url, str) and "://" in url and (problem := apprise_url_problem(url)):
                add(f"people[{i}].contact[{j}].url", problem)
    notify = data.get("notify")
    if not isinstance(notify, Mapping):
        return problems
    channels = notify.get("channels")
    if isinstance(channels, Mapping):
        for name, url in channels.items():
            if isinstance(url, str) and "://" in url and (problem := apprise_url_problem(url)):
                add(f"notify.channels.{name}", problem)
    rules = notify.get("rules")
    if isinstance(rules, Mapping):
        for handle, person_rules in rules.items():
            if handle not in labels:
                known = ", ".join(sorted(labels)) or "none"
                add(f"notify.rules.{handle}", f'unknown person "{handle}"; people are: {known}')
                continue
            for k, rule in _items(person_rules):
                contact = rule.get("contact")
                if isinstance(contact, str) and contact not in labels[handle]:
                    have = ", ".join(str(x) for x in labels[handle] if x) or "no labelled methods"
                    add(
                        f"notify.rules.{handle}[{k}].contact",
                        f'@{handle} has no contact method labelled "{contact}"; they have: {have}',
                    )
    return problems
