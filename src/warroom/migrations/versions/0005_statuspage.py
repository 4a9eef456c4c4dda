"""statuspage: component states, published incidents, updates, maintenance, subscriptions

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statuspage_components",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_statuspage_components")),
    )
    op.create_table(
        "statuspage_incidents",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("impact", sa.String(length=12), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("monitoring_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_statuspage_incidents_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_statuspage_incidents")),
        sa.UniqueConstraint("public_id", name=op.f("uq_statuspage_incidents_public_id")),
    )
    op.create_table(
        "statuspage_maintenances",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("public_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("impact", sa.String(length=12), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuspage_maintenances")),
        sa.UniqueConstraint("public_id", name=op.f("uq_statuspage_maintenances_public_id")),
    )
    with op.batch_alter_table("statuspage_maintenances", schema=None) as batch_op:
        batch_op.create_index("ix_statuspage_maintenances_status", ["status"], unique=False)
    op.create_table(
        "statuspage_updates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("public_id", sa.String(length=12), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("maintenance_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("affected_components", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_statuspage_updates_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["maintenance_id"],
            ["statuspage_maintenances.id"],
            name=op.f("fk_statuspage_updates_maintenance_id_statuspage_maintenances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuspage_updates")),
        sa.UniqueConstraint("public_id", name=op.f("uq_statuspage_updates_public_id")),
    )
    with op.batch_alter_table("statuspage_updates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_statuspage_updates_incident", ["incident_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_statuspage_updates_maintenance", ["maintenance_id", "created_at"], unique=False
        )
    op.create_table(
        "statuspage_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target", sa.String(length=400), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuspage_subscriptions")),
        sa.UniqueConstraint("token", name=op.f("uq_statuspage_subscriptions_token")),
    )
    version = op.create_table(
        "statuspage_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuspage_version")),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("statuspage_version")
    op.drop_table("statuspage_subscriptions")
    with op.batch_alter_table("statuspage_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_statuspage_updates_maintenance")
        batch_op.drop_index("ix_statuspage_updates_incident")
    op.drop_table("statuspage_updates")
    with op.batch_alter_table("statuspage_maintenances", schema=None) as batch_op:
        batch_op.drop_index("ix_statuspage_maintenances_status")
    op.drop_table("statuspage_maintenances")
    op.drop_table("statuspage_incidents")
    op.drop_table("statuspage_components")
