"""Stakeholder subscriptions: e-mail addresses (Apprise ``mailto://`` URLs) that hear about public
updates and maintenance of the components they chose, through the notification outbox. Each
message carries an unsubscribe link that works without logging in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import quote, unquote

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.playbook import Playbook
from warroom.statuspage import components, ids, maintenance
from warroom.statuspage.models import Maintenance, Subscription

EMAIL = re.compile(r"^[^@\s/:?#]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
MAILTO = re.compile(r"^mailtos?://\S+$")
PLAIN = re.compile(r"^mailto://([^@/?:#\s]+@[^@/?:#\s]+)$")
REASON = "status_update"


def address(target: str) -> str:
    """The e-mail address a subscription's target sends to (for pages and listings)."""
    rest = target.split("://", 1)[-1]
    query = re.search(r"[?&]to=([^&]+)", rest)
    if query:
        return unquote(query.group(1))
    return unquote(rest.split("?", 1)[0]).rsplit("/", 1)[-1]


def send_to(target: str, playbook: Playbook) -> str:
    """The Apprise URL a message to this subscription goes to: a plain ``mailto://address``
    goes through ``status_page.mail_url`` when the playbook names an SMTP server."""
    server = playbook.status_page.mail_url
    plain = PLAIN.match(target)
    if server is None or plain is None:
        return target
    joiner = "&" if "?" in server else "?"
    return f"{server}{joiner}to={quote(plain.group(1), safe='@')}"


def _target(value: str) -> str:
    value = value.strip()
    if EMAIL.match(value):
        return f"mailto://{value}"
    if MAILTO.match(value):
        return value
    raise InvalidInput(
        f"{value!r} is neither an e-mail address nor an Apprise mailto:// URL", field="target"
    )


def subscribe(
    session: Session,
    *,
    playbook: Playbook,
    target: str,
    component_keys: Sequence[str],
    actor: str,
    now: datetime,
) -> Subscription:
    """Subscribe an address to some components (none listed: all of them)."""
    url = _target(target)
    keys = list(dict.fromkeys(component_keys))
    for key in keys:
        components.find(playbook, key)
    same = session.scalars(
        select(Subscription).where(
            Subscription.target == url, Subscription.unsubscribed_at.is_(None)
        )
    ).all()
    for existing in same:
        if existing.confirmed_at is not None:
            raise Conflict(f"{address(url)} is already subscribed (subscription {existing.id})")
        existing.unsubscribed_at = now  # a pending request from the page: this one replaces it
    row = Subscription(
        target=url,
        components=keys,
        token=ids.new_token(),
        created_at=now,
        created_by=actor,
        # A responder subscribes someone who asked them to: no confirmation round trip.
        confirmed_at=now,
    )
    session.add(row)
    session.flush()
    return row


def list_active(session: Session) -> list[Subscription]:
    """Current, confirmed subscriptions, oldest first (pending ones hear nothing)."""
    query = select(Subscription).where(
        Subscription.unsubscribed_at.is_(None), Subscription.confirmed_at.is_not(None)
    )
    return list(session.scalars(query.order_by(Subscription.id)))


def by_token(session: Session, token: str) -> Subscription | None:
    """The subscription an unsubscribe link points at."""
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Subscription).where(Subscription.token == token))


def unsubscribe(session: Session, *, token: str, now: datetime) -> Subscription:
    """Stop a subscription by its link's token."""
    row = by_token(session, token)
    if row is None or row.unsubscribed_at is not None:
        raise NotFound("this unsubscribe link is not valid (it may have been used already)")
    row.unsubscribed_at = now
    return row


def remove(session: Session, *, subscription_id: int, now: datetime) -> Subscription:
    """Stop a subscription by id (responders)."""
    row = session.get(Subscription, subscription_id)
    if row is None or row.unsubscribed_at is not None or row.confirmed_at is None:
        raise NotFound(f"no active subscription {subscription_id}")
    row.unsubscribed_at = now
    return row


def notify(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    component_keys: Iterable[str],
    title: str,
    body: str,
    key: str,
    incident_id: int | None = None,
) -> int:
    """Queue the message for every subscriber of any of these components; how many queued.

    Uses the notification outbox when that feature is installed (each message keyed by
    ``key`` and the subscription, so a retry queues nothing twice); without it, nothing is sent.
    """
    try:
        from warroom.notify import service as outbox
    except ImportError:
        return 0
    affected = set(component_keys)
    base = playbook.status_page.url.rstrip("/")
    queued = 0
    for row in list_active(session):
        if row.components and affected and not affected.intersection(row.components):
            continue
        link = f"{base}/unsubscribe/{row.token}"
        sent = outbox.enqueue(
            session,
            now=now,
            target=send_to(row.target, playbook),
            title=title,
            body=f"{body}\n\n{base}\n\nUnsubscribe: {link}",
            reason=REASON,
            dedup_key=outbox.derive_key("statuspage", key, str(row.id)),
            incident_id=incident_id,
        )
        queued += sent is not None
    return queued


def notify_maintenance(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    public_id: str,
    status: str,
    name: str,
    body: str,
    component_keys: Iterable[str],
) -> int:
    """Tell subscribers about a maintenance being scheduled, started or completed."""
    words = {
        "scheduled": "Scheduled maintenance",
        "in_progress": "Maintenance in progress",
        "verifying": "Maintenance being verified",
        "completed": "Maintenance completed",
    }
    return notify(
        session,
        playbook=playbook,
        now=now,
        component_keys=component_keys,
        title=f"[{playbook.status_page.name}] {words.get(status, status)}: {name}",
        body=body,
        key=f"maintenance/{public_id}/{status}",
    )


def notify_maintenance_step(
    session: Session, *, playbook: Playbook, now: datetime, row: Maintenance
) -> int:
    """Tell subscribers about the maintenance's newest step (scheduled, started, completed)."""
    return notify_maintenance(
        session,
        playbook=playbook,
        now=now,
        public_id=row.public_id,
        status=row.status,
        name=row.name,
        body=maintenance.latest_body(session, row),
        component_keys=row.components,
    )
