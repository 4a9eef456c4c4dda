"""Integration keys: how senders (PagerDuty clients, Alertmanager, Sentry, scripts) reach intake."""
