"""cross-region cases (市域通办): cases, their steps, the overdue alerts raised; wider event types

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALL = sa.String(length=32)
AT = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade() -> None:
    op.create_table(
        "cross_region_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("receiving_hall", HALL, nullable=False),
        sa.Column("owner_hall", HALL, nullable=False),
        sa.Column("delivering_hall", HALL, nullable=False),
        sa.Column("pickup_hall", HALL, nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("matter", sa.String(length=40), nullable=False),
        sa.Column("matter_name", sa.String(length=64), nullable=False),
        sa.Column(
            "mode", _enum("crossregionmode", "remote_accept", "remote_handle"), nullable=False
        ),
        sa.Column("delivery", _enum("delivery", "pickup", "mail"), nullable=False),
        sa.Column("mail_address", sa.String(length=300), nullable=True),
        sa.Column("originals_by_mail", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            _enum(
                "crossregionstatus",
                "received",
                "forwarded",
                "accepted",
                "returned",
                "decided",
                "delivered",
            ),
            nullable=False,
        ),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("returned_materials", sa.JSON(), nullable=False),
        sa.Column("forward_channel", _enum("forwardchannel", "electronic", "mail"), nullable=True),
        sa.Column("result", _enum("decision", "approved", "rejected"), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("opened_at", AT, nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("delivered_at", AT, nullable=True),
        sa.ForeignKeyConstraint(["opened_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("cross_region_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cross_region_case_delivering", ["delivering_hall", "status"], unique=False
        )
        batch_op.create_index("ix_cross_region_case_owner", ["owner_hall", "status"], unique=False)
        batch_op.create_index(
            "ix_cross_region_case_receiving", ["receiving_hall", "status"], unique=False
        )
        batch_op.create_index("ix_cross_region_case_ticket_id", ["ticket_id"], unique=False)

    op.create_table(
        "cross_region_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "step",
            _enum(
                "crossregionstep",
                "receive",
                "forward",
                "accept",
                "return",
                "resubmit",
                "decide",
                "deliver",
            ),
            nullable=False,
        ),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("started_at", AT, nullable=False),
        sa.Column("due_at", AT, nullable=True),
        sa.Column("done_at", AT, nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("tracking_no", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cross_region_case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cross_region_step", schema=None) as batch_op:
        batch_op.create_index("ix_cross_region_step_case_id", ["case_id"], unique=False)
        batch_op.create_index(
            "ix_cross_region_step_open", ["hall", "done_at", "due_at"], unique=False
        )

    op.create_table(
        "cross_region_alert",
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.ForeignKeyConstraint(["step_id"], ["cross_region_step.id"]),
        sa.PrimaryKeyConstraint("step_id", "hall"),
    )
    # `alert.cross_region_overdue` is longer than the 24 characters event types had.
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=sa.String(length=24),
            type_=sa.String(length=40),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column(
            "type",
            existing_type=sa.String(length=40),
            type_=sa.String(length=24),
            existing_nullable=False,
        )
    op.drop_table("cross_region_alert")
    op.drop_table("cross_region_step")
    op.drop_table("cross_region_case")
