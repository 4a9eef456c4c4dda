"""Subscribing from the public page: anyone may ask, the address's owner decides.

A request from the page makes a *pending* subscription and mails a confirmation link (through
the notification outbox, like every other message); the subscription hears nothing until that
link is followed and its button pressed (mail scanners follow links, they do not press buttons).
The answer to a request never says whether the address was already subscribed or pending, and an
address gets at most one confirmation mail per ``RESEND_AFTER``, so the form cannot be used to
probe the list or to flood someone's inbox. Requests nobody confirmed within ``CONFIRM_WITHIN``
are deleted (at the next request).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warroom.errors import InvalidInput, NotFound
from warroom.playbook import Playbook
from warroom.statuspage import components, ids
from warroom.statuspage.models import Subscription
from warroom.updates.subscriptions import EMAIL, send_to

ACTOR = "public"
CONFIRM_WITHIN = timedelta(hours=48)
RESEND_AFTER = timedelta(minutes=10)
EMAIL_MAX = 254  # RFC 5321's limit on a path
REASON = "subscription_confirm"


def check_email(value: str) -> str:
    """The address, trimmed and lowercased, or InvalidInput saying what is wrong with it."""
    email = value.strip()
    if not email:
        raise InvalidInput("enter your e-mail address", field="email")
    if len(email) > EMAIL_MAX:
        raise InvalidInput(
            f"that e-mail address is {len(email)} characters long; at most {EMAIL_MAX}",
            field="email",
        )
    if not EMAIL.match(email):
        raise InvalidInput(
            "that is not an e-mail address; write it as name@example.com", field="email"
        )
    return email.lower()


def check_components(playbook: Playbook, keys: Sequence[str]) -> list[str]:
    """The chosen component keys without repeats, or InvalidInput naming an unknown one."""
    chosen = list(dict.fromkeys(keys))
    for key in chosen:
        components.find(playbook, key)
    return chosen


def request(
    session: Session,
    *,
    playbook: Playbook,
    email: str,
    component_keys: Sequence[str],
    now: datetime,
) -> bool:
    """Ask for a subscription from the public page; True if a confirmation mail was queued.

    An address already subscribed gets nothing; a pending one gets its components updated and
    the link again (at most once per ``RESEND_AFTER``). Callers answer the same in every case.
    """
    address = check_email(email)
    keys = check_components(playbook, component_keys)
    target = f"mailto://{address}"
    purge_unconfirmed(session, now=now)
    rows = session.scalars(
        select(Subscription)
        .where(Subscription.target == target, Subscription.unsubscribed_at.is_(None))
        .with_for_update()
    ).all()
    if any(row.confirmed_at is not None for row in rows):
        return False
    pending = next((row for row in rows if now - row.created_at < CONFIRM_WITHIN), None)
    if pending is None:
        pending = Subscription(
            target=target,
            components=keys,
            token=ids.new_token(),
            confirm_token=ids.new_token(),
            created_at=now,
            created_by=ACTOR,
        )
        session.add(pending)
        session.flush()
    else:
        pending.components = keys
        if pending.confirm_sent_at is not None and now - pending.confirm_sent_at < RESEND_AFTER:
            return False
    pending.confirm_sent_at = now
    return _mail(session, playbook=playbook, row=pending, now=now)


def purge_unconfirmed(session: Session, *, now: datetime) -> int:
    """Delete requests nobody confirmed in time (addresses are personal data); how many."""
    result = session.execute(
        delete(Subscription).where(
            Subscription.confirmed_at.is_(None), Subscription.created_at <= now - CONFIRM_WITHIN
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _mail(session: Session, *, playbook: Playbook, row: Subscription, now: datetime) -> bool:
    try:
        from warroom.notify import service as outbox
    except ImportError:
        return False
    page = playbook.status_page
    base = page.url.rstrip("/")
    names = {c.key: c.name for c in playbook.components}
    what = ", ".join(names.get(k, k) for k in row.components) or "all components"
    body = (
        f"Someone, hopefully you, asked for e-mail updates from {page.name} ({what}).\n\n"
        f"To start receiving them, open this link and press Confirm:\n"
        f"{base}/subscribe/confirm/{row.confirm_token}\n\n"
        f"The link works for {int(CONFIRM_WITHIN.total_seconds() // 3600)} hours. If this was "
        f"not you, ignore this message: nothing more will be sent."
    )
    sent = outbox.enqueue(
        session,
        now=now,
        target=send_to(row.target, playbook),
        title=f"[{page.name}] Confirm your subscription",
        body=body,
        reason=REASON,
        dedup_key=outbox.derive_key("statuspage", "confirm", str(row.id), now.isoformat()),
    )
    return sent is not None


def pending_by_token(session: Session, token: str, *, now: datetime) -> Subscription | None:
    """The subscription a confirmation link points at, while the link is good."""
    if not token or len(token) > 64:
        return None
    row = session.scalar(select(Subscription).where(Subscription.confirm_token == token))
    if row is None or row.unsubscribed_at is not None:
        return None
    if row.confirmed_at is None and now - row.created_at >= CONFIRM_WITHIN:
        return None
    return row


def confirm(session: Session, *, token: str, now: datetime) -> Subscription:
    """Start a pending subscription (confirming twice is harmless)."""
    row = pending_by_token(session, token, now=now)
    if row is None:
        raise NotFound(
            "this confirmation link is not valid: it may have expired or been withdrawn; "
            "subscribe again from the status page"
        )
    if row.confirmed_at is None:
        twin = session.scalar(
            select(Subscription).where(
                Subscription.target == row.target,
                Subscription.id != row.id,
                Subscription.unsubscribed_at.is_(None),
                Subscription.confirmed_at.is_not(None),
            )
        )
        if twin is not None:  # two requests raced; the address keeps one subscription
            row.unsubscribed_at = now
            return twin
        row.confirmed_at = now
    return row
