"""Probes: one asyncio function per monitor kind, turning a target into an Observation."""
