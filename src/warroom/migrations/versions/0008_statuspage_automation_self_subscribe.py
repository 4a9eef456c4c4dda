"""statuspage: automatic component status (who owns it and why), pending public subscriptions

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
# Continues the status page's branch (0005 made these tables), so `warroom db upgrade` applies it
# after 0005 and the heads stay one per branch.
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statuspage_components", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("automatic", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("reason", sa.String(length=400), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("held_for_incident_id", sa.Integer(), nullable=True))
    # A status nobody changed from operational is automation's to move; one a responder set to
    # something else stays theirs until they hand it back.
    op.execute(
        "UPDATE statuspage_components SET automatic = true, reason = 'no cause' "
        "WHERE status = 'operational'"
    )
    with op.batch_alter_table("statuspage_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("confirm_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("confirm_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(
            op.f("uq_statuspage_subscriptions_confirm_token"), ["confirm_token"]
        )
    # Subscriptions made before this revision were made by responders: they are confirmed.
    op.execute("UPDATE statuspage_subscriptions SET confirmed_at = created_at")


def downgrade() -> None:
    op.execute("DELETE FROM statuspage_subscriptions WHERE confirmed_at IS NULL")
    with op.batch_alter_table("statuspage_subscriptions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_statuspage_subscriptions_confirm_token"), type_="unique")
        batch_op.drop_column("confirm_sent_at")
        batch_op.drop_column("confirm_token")
        batch_op.drop_column("confirmed_at")
    with op.batch_alter_table("statuspage_components", schema=None) as batch_op:
        batch_op.drop_column("held_for_incident_id")
        batch_op.drop_column("reason")
        batch_op.drop_column("automatic")
