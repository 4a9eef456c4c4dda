"""Triage: the playbook's rules that turn an alert into a severity P0-P3."""
