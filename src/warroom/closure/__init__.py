"""The closure checklist: what must be true before an incident is closed, and the close gate."""
