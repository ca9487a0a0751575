"""evaluations (好差评), 办不成事 cases and their log

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "window",
                "status_page",
                "default",
                name="evaluationchannel",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("defaulted", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("window_no", sa.Integer(), nullable=True),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clerk_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_submitted_at", ["submitted_at"], unique=False)

    op.create_table(
        "service_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("unresolved", "followup", name="casekind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "accepted",
                "classified",
                "assigned",
                "resolved",
                "replied",
                "followed_up",
                name="casestatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "case_class",
            sa.Enum(
                "simple",
                "ordinary",
                "legally_impossible",
                "hard",
                "special",
                name="caseclass",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("desk_ticket_id", sa.Integer(), nullable=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("window_no", sa.Integer(), nullable=True),
        sa.Column("matter", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column(
            "resolution",
            sa.Enum("done", "not_possible", name="caseresolution", native_enum=False, length=24),
            nullable=True,
        ),
        sa.Column("reply", sa.String(length=1000), nullable=True),
        sa.Column("negative_reason", sa.String(length=500), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("in_time", sa.Boolean(), nullable=True),
        sa.Column("feedback", sa.String(length=500), nullable=True),
        sa.Column("followup_level", sa.Integer(), nullable=True),
        sa.Column("followup_note", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["desk_ticket_id"],
            ["ticket.id"],
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.create_index("ix_service_case_status_due", ["status", "due"], unique=False)
        batch_op.create_index("ix_service_case_ticket", ["ticket_id"], unique=False)

    op.create_table(
        "case_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "opened",
                "classified",
                "assigned",
                "note",
                "callback",
                "fix",
                "closed",
                "feedback",
                "followed_up",
                name="caselogkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["service_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_log_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_log_case_id"))

    op.drop_table("case_log")
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.drop_index("ix_service_case_ticket")
        batch_op.drop_index("ix_service_case_status_due")

    op.drop_table("service_case")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_submitted_at")

    op.drop_table("evaluation")
