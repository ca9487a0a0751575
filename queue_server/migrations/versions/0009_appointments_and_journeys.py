"""appointments (预约取号), journeys from 补件 to 出件 and their visits; tickets gain the
booking, the journey and (real-name tickets) the keyed hash of the applicant's ID number

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALL = sa.String(length=32)
CATEGORY = sa.String(length=32)
HASH = sa.String(length=64)
AT = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def _index(table: str, name: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(name, columns, unique=False)


def upgrade() -> None:
    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("category", CATEGORY, nullable=False),
        sa.Column("matter", sa.String(length=64), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot_start", AT, nullable=False),
        sa.Column("slot_end", AT, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            _enum("appointmentstatus", "booked", "cancelled", "checked_in", "no_show"),
            nullable=False,
        ),
        sa.Column("id_hash", HASH, nullable=True),
        sa.Column("id_masked", sa.String(length=18), nullable=True),
        sa.Column("phone_hash", HASH, nullable=True),
        sa.Column("phone_masked", sa.String(length=11), nullable=True),
        sa.Column("booked_at", AT, nullable=False),
        sa.Column("cancelled_at", AT, nullable=True),
        sa.Column("checked_in_at", AT, nullable=True),
        sa.Column("no_show_at", AT, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    _index("appointment", "ix_appointment_slot", ["hall", "day", "category", "status"])
    _index("appointment", "ix_appointment_person", ["hall", "id_hash", "day"])

    op.create_table(
        "journey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall", HALL, nullable=False),
        sa.Column("category", CATEGORY, nullable=False),
        sa.Column("matter", sa.String(length=64), nullable=True),
        sa.Column("return_code", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            _enum(
                "journeystatus", "awaiting_documents", "returned", "ready", "collected", "expired"
            ),
            nullable=False,
        ),
        sa.Column("first_ticket_id", sa.Integer(), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("window_no", sa.Integer(), nullable=True),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("opened_at", AT, nullable=False),
        sa.Column("valid_until", AT, nullable=False),
        sa.Column("ready_at", AT, nullable=True),
        sa.Column("collect_at", sa.String(length=8), nullable=True),
        sa.Column("collected_at", AT, nullable=True),
        sa.Column("closed_at", AT, nullable=True),
        sa.ForeignKeyConstraint(["clerk_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("return_code"),
    )
    _index("journey", "ix_journey_status", ["hall", "status"])

    op.create_table(
        "journey_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journey.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    _index("journey_visit", "ix_journey_visit_journey_id", ["journey_id"])

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appointment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("appointment_slot", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("appointment_until", AT, nullable=True))
        batch_op.add_column(sa.Column("journey_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("person_hash", HASH, nullable=True))
        batch_op.add_column(
            sa.Column("return_visit", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_foreign_key(
            "fk_ticket_appointment_id", "appointment", ["appointment_id"], ["id"]
        )
        batch_op.create_foreign_key("fk_ticket_journey_id", "journey", ["journey_id"], ["id"])
        batch_op.create_index("ix_ticket_appointment_id", ["appointment_id"], unique=False)
        batch_op.create_index("ix_ticket_journey_id", ["journey_id"], unique=False)
        batch_op.create_index(
            "ix_ticket_person", ["hall", "service_day", "person_hash"], unique=False
        )
    with op.batch_alter_table("window_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("appointment_streak", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("window_state", schema=None) as batch_op:
        batch_op.drop_column("appointment_streak")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_person")
        batch_op.drop_index("ix_ticket_journey_id")
        batch_op.drop_index("ix_ticket_appointment_id")
        batch_op.drop_constraint("fk_ticket_journey_id", type_="foreignkey")
        batch_op.drop_constraint("fk_ticket_appointment_id", type_="foreignkey")
        batch_op.drop_column("return_visit")
        batch_op.drop_column("person_hash")
        batch_op.drop_column("journey_id")
        batch_op.drop_column("appointment_until")
        batch_op.drop_column("appointment_slot")
        batch_op.drop_column("appointment_id")
    for table in ("journey_visit", "journey", "appointment"):
        op.drop_table(table)
