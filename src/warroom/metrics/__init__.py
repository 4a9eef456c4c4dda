"""Incident metrics (MTTD, MTTA, MTTR, rates) computed in SQL, and the monthly review."""
