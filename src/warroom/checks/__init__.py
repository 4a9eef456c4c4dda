"""One-off diagnostic checks for responders: http timings, metrics grep, ws, sql, load."""
