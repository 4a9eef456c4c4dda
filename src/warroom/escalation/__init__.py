"""Escalation: paging an incident's policy level by level until someone acknowledges."""
