"""warroom: an incident response playbook, run as software."""

__version__ = "0.1.0"
