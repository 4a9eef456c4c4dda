"""alerts: indexes that keep grouping lookups fast on an incident with many alerts

The grouping queries ask "has this incident an alert (of this group) seen since T?". With an
index on incident_id alone the database read every alert of the incident to answer: 8 ms per
batch at 300,000 alerts, growing with the storm. (incident_id, last_seen_at) and (incident_id,
group_key, last_seen_at) answer it with one index probe. They replace the indexes on
incident_id alone (the first serves its lookups as well) and on group_key alone (nothing
queried it but grouping): every index costs each of the many alert inserts.

Revision ID: 0009
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_incident_seen", "alerts", ["incident_id", "last_seen_at"])
    op.create_index(
        "ix_alerts_incident_group_seen", "alerts", ["incident_id", "group_key", "last_seen_at"]
    )
    op.drop_index("ix_alerts_incident_id", table_name="alerts")
    op.drop_index("ix_alerts_group_key", table_name="alerts")


def downgrade() -> None:
    op.create_index("ix_alerts_group_key", "alerts", ["group_key"])
    op.create_index("ix_alerts_incident_id", "alerts", ["incident_id"])
    op.drop_index("ix_alerts_incident_group_seen", table_name="alerts")
    op.drop_index("ix_alerts_incident_seen", table_name="alerts")
