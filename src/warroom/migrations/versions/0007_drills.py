"""drills: game-day runs and the incidents they produced

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scenario", sa.String(length=40), nullable=False),
        sa.Column("faults", sa.JSON(), nullable=False),
        sa.Column("target_url", sa.String(length=500), nullable=False),
        sa.Column("lock_key", sa.String(length=500), nullable=True),
        sa.Column("expected_severity", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("started_by", sa.String(length=80), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("fault_removed", sa.Boolean(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_drills_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drills")),
        sa.UniqueConstraint("lock_key", name=op.f("uq_drills_lock_key")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_drills_incident_id")),
    )


def downgrade() -> None:
    op.drop_table("drills")
