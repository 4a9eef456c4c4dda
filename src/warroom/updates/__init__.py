"""Incident updates: public (status page) and internal (war room), with their templates,
announcements of declarations, and stakeholder subscriptions."""
