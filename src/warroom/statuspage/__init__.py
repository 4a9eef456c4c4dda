"""The public status page: components, published incidents, maintenance, Statuspage v2 JSON."""
