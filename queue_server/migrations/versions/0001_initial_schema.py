"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "event",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "ticket.issued",
                "ticket.called",
                "ticket.recalled",
                "ticket.started",
                "ticket.finished",
                "ticket.no_show",
                "ticket.requeued",
                "ticket.transferred",
                "ticket.cancelled",
                "window.signed_in",
                "window.signed_out",
                "window.paused",
                "window.resumed",
                name="eventtype",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("window_no", sa.Integer(), nullable=True),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_day_type", ["service_day", "type"], unique=False)
        batch_op.create_index("ix_event_ticket", ["ticket_id"], unique=False)

    op.create_table(
        "hall_lock", sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id")
    )
    op.create_table(
        "idempotent_response",
        sa.Column("principal", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key"),
    )
    op.create_table(
        "number_counter",
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_day", "category"),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "manager",
                "clerk",
                "kiosk",
                "board",
                name="role",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("staff_no", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "manager",
                "clerk",
                "kiosk",
                "board",
                name="role",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("device", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "called",
                "serving",
                "done",
                "no_show",
                "transferred",
                "cancelled",
                name="ticketstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "elderly",
                "disabled",
                "military",
                "pregnant",
                "other",
                name="priorityreason",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("priority_note", sa.String(length=200), nullable=True),
        sa.Column("matter", sa.String(length=64), nullable=True),
        sa.Column("public_code", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queue_key", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_no", sa.Integer(), nullable=True),
        sa.Column("target_window_no", sa.Integer(), nullable=True),
        sa.Column(
            "call_reason",
            sa.Enum(
                "transfer",
                "priority",
                "longest_wait",
                "category_order",
                "by_number",
                name="callreason",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("recall_count", sa.Integer(), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("transferred_from_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["clerk_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["transferred_from_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("service_day", "category", "number", "hop", name="uq_ticket_number"),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_public_code", ["public_code"], unique=False)
        batch_op.create_index(
            "ix_ticket_queue", ["service_day", "status", "category"], unique=False
        )

    op.create_table(
        "window_state",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "status",
            sa.Enum("closed", "open", "paused", name="windowstatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pause_reason", sa.String(length=200), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_ticket_id", sa.Integer(), nullable=True),
        sa.Column("priority_streak", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clerk_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["current_ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("number"),
    )


def downgrade() -> None:

    op.drop_table("window_state")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_queue")
        batch_op.drop_index("ix_ticket_public_code")

    op.drop_table("ticket")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    op.drop_table("user_account")
    op.drop_table("number_counter")
    op.drop_table("idempotent_response")
    op.drop_table("hall_lock")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_ticket")
        batch_op.drop_index("ix_event_day_type")

    op.drop_table("event")
