"""The background engine: a list of identical, idempotent jobs run over and over against the
database. API processes and engines share work only through rows."""
