"""Alerts: normalized, fingerprinted, deduplicated signals that open or join incidents."""
