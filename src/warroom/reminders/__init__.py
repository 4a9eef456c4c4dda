"""Timers with a due time, and the reminders built on them (internal updates on a cadence)."""
