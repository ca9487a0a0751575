"""the 24-hour self-service zone: device status history, inspections, repair cases, help
requests, locker deposits and wrong pickup codes; an index the overdue check of cross-region
steps can use

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALL = sa.String(length=32)
DEVICE = sa.String(length=64)
AT = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def _index(table: str, name: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(name, columns, unique=False)


def upgrade() -> None:
    # The overdue check filters open steps by the case's halls, not the step's: (hall, …)
    # served no query.
    with op.batch_alter_table("cross_region_step", schema=None) as batch_op:
        batch_op.drop_index("ix_cross_region_step_open")
        batch_op.create_index("ix_cross_region_step_due", ["done_at", "due_at"], unique=False)

    op.create_table(
        "device_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("device", DEVICE, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column(
            "status", _enum("zonestatus", "ok", "fault", "offline", "unknown"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("device_status_change", "ix_device_status_change_at", ["hall", "device", "at"])

    op.create_table(
        "zone_inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("device", DEVICE, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("result", _enum("inspectionresult", "ok", "fault"), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("zone_inspection", "ix_zone_inspection_at", ["hall", "at"])

    op.create_table(
        "inspection_alert",
        sa.Column("hall", HALL, nullable=False),
        sa.Column("device", DEVICE, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("round", sa.String(length=32), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.PrimaryKeyConstraint("hall", "device", "day", "round"),
    )

    op.create_table(
        "repair_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("device", DEVICE, nullable=False),
        sa.Column(
            "source",
            _enum("repairsource", "inspection", "staff", "heartbeat", "offline"),
            nullable=False,
        ),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            _enum("repairstatus", "open", "assigned", "fixed", "verified"),
            nullable=False,
        ),
        sa.Column("opened_at", AT, nullable=False),
        sa.Column("due_at", AT, nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("assigned_at", AT, nullable=True),
        sa.Column("fixed_at", AT, nullable=True),
        sa.Column("verified_at", AT, nullable=True),
        sa.Column("verified_by", sa.Integer(), nullable=True),
        sa.Column("overdue_alerted_at", AT, nullable=True),
        sa.ForeignKeyConstraint(["opened_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["verified_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("repair_case", "ix_repair_case_open", ["hall", "device", "status"])

    op.create_table(
        "help_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("device", DEVICE, nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("token_name", sa.String(length=64), nullable=False),
        sa.Column("requested_at", AT, nullable=False),
        sa.Column("acked_at", AT, nullable=True),
        sa.Column("acked_by", sa.Integer(), nullable=True),
        sa.Column("escalated_at", AT, nullable=True),
        sa.ForeignKeyConstraint(["acked_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("help_request", "ix_help_request_at", ["hall", "requested_at"])

    op.create_table(
        "locker_deposit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("locker", DEVICE, nullable=False),
        sa.Column("compartment", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("status", _enum("depositstatus", "stored", "picked_up"), nullable=False),
        sa.Column("deposited_at", AT, nullable=False),
        sa.Column("deposited_by", sa.Integer(), nullable=False),
        sa.Column("picked_up_at", AT, nullable=True),
        sa.Column("uncollected_alerted_at", AT, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cross_region_case.id"]),
        sa.ForeignKeyConstraint(["deposited_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("locker_deposit", "ix_locker_deposit_open", ["hall", "locker", "status"])
    _index("locker_deposit", "ix_locker_deposit_ticket_id", ["ticket_id"])
    _index("locker_deposit", "ix_locker_deposit_case_id", ["case_id"])

    op.create_table(
        "locker_code_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("locker", DEVICE, nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("locker_code_failure", "ix_locker_code_failure_at", ["hall", "locker", "at"])


def downgrade() -> None:
    for table in (
        "locker_code_failure",
        "locker_deposit",
        "help_request",
        "repair_case",
        "inspection_alert",
        "zone_inspection",
        "device_status_change",
    ):
        op.drop_table(table)
    with op.batch_alter_table("cross_region_step", schema=None) as batch_op:
        batch_op.drop_index("ix_cross_region_step_due")
        batch_op.create_index(
            "ix_cross_region_step_open", ["hall", "done_at", "due_at"], unique=False
        )
