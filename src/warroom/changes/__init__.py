"""Changes and deployments: what was shipped when, for incident-rate-per-deployment metrics."""
