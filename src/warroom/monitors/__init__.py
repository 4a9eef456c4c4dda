"""Monitors: probes that run on a schedule, their results, and the alerts they raise."""
