"""Notifications: an outbox of messages to Apprise URLs, delivered by the engine with retries."""
