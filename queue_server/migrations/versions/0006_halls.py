"""halls: every hall-scoped row carries its hall; one lock row per hall

A database made before halls existed held one hall. Its history lands under the code the
server is configured with (`hall_code` in alembic's config attributes, `main` by default).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALL = sa.String(length=32)
STATE = sa.String(length=24)


def _code() -> str:
    code: str = context.config.attributes.get("hall_code", "main")
    return code


def _add_hall(table: str, *, fill: str | None = None) -> None:
    """Add a nullable `hall` column and fill it (`fill`: a WHERE clause limiting the rows)."""
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column("hall", HALL, nullable=True))
    where = f" WHERE {fill}" if fill else ""
    op.execute(sa.text(f"UPDATE {table} SET hall = :code{where}").bindparams(code=_code()))


def _rebuild(table: str, columns: list[sa.Column[object]], *constraints: object) -> None:
    """Recreate a table keyed by hall, copying its rows under the configured hall."""
    names = [column.name for column in columns]
    op.create_table(
        f"{table}_v6",
        sa.Column("hall", HALL, nullable=False),
        *columns,
        *constraints,  # type: ignore[arg-type]
    )
    listed = ", ".join(names)
    op.execute(
        sa.text(
            f"INSERT INTO {table}_v6 (hall, {listed}) SELECT :code, {listed} FROM {table}"
        ).bindparams(code=_code())
    )
    op.drop_table(table)
    op.rename_table(f"{table}_v6", table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {table}_v6_pkey TO {table}_pkey")


def upgrade() -> None:
    op.create_table(
        "hall", sa.Column("code", HALL, nullable=False), sa.PrimaryKeyConstraint("code")
    )
    op.execute(sa.text("INSERT INTO hall (code) VALUES (:code)").bindparams(code=_code()))
    op.drop_table("hall_lock")

    _add_hall("user_account", fill="role = 'clerk'")
    _add_hall(
        "api_token",
        fill="device OR user_id IN (SELECT id FROM user_account WHERE role = 'clerk')",
    )

    _add_hall("ticket")
    with op.batch_alter_table("ticket") as batch_op:
        batch_op.alter_column("hall", existing_type=HALL, nullable=False)
        batch_op.drop_constraint("uq_ticket_number", type_="unique")
        batch_op.create_unique_constraint(
            "uq_ticket_number", ["hall", "service_day", "category", "number", "hop"]
        )
        batch_op.drop_index("ix_ticket_queue")
        batch_op.create_index("ix_ticket_queue", ["hall", "service_day", "status", "category"])

    _add_hall("event")
    with op.batch_alter_table("event", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.alter_column("hall", existing_type=HALL, nullable=False)
        batch_op.drop_index("ix_event_day_type")
        batch_op.drop_index("ix_event_type_day")
        batch_op.create_index("ix_event_day_type", ["hall", "service_day", "type"])
        batch_op.create_index("ix_event_type_day", ["hall", "type", "service_day"])
        batch_op.create_index("ix_event_hall_seq", ["hall", "seq"])

    _add_hall("evaluation")
    with op.batch_alter_table("evaluation") as batch_op:
        batch_op.alter_column("hall", existing_type=HALL, nullable=False)
        batch_op.drop_index("ix_evaluation_submitted_at")
        batch_op.create_index("ix_evaluation_submitted_at", ["hall", "submitted_at"])

    _add_hall("service_case")
    with op.batch_alter_table("service_case") as batch_op:
        batch_op.alter_column("hall", existing_type=HALL, nullable=False)
        batch_op.drop_index("ix_service_case_status_due")
        batch_op.create_index("ix_service_case_status_due", ["hall", "status", "due"])

    _rebuild(
        "window_state",
        [
            sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("status", STATE, nullable=False),
            sa.Column("clerk_id", sa.Integer(), nullable=True),
            sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("pause_reason", sa.String(length=200), nullable=True),
            sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("current_ticket_id", sa.Integer(), nullable=True),
            sa.Column("priority_streak", sa.Integer(), nullable=False),
        ],
        sa.ForeignKeyConstraint(["clerk_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["current_ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("hall", "number"),
    )
    _rebuild(
        "number_counter",
        [
            sa.Column("service_day", sa.Date(), nullable=False),
            sa.Column("category", sa.String(length=32), nullable=False),
            sa.Column("last_sequence", sa.Integer(), nullable=False),
        ],
        sa.PrimaryKeyConstraint("hall", "service_day", "category"),
    )
    _rebuild(
        "device",
        [
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("kind", STATE, nullable=False),
            sa.Column("state", STATE, nullable=False),
            sa.Column("detail", sa.String(length=200), nullable=True),
            sa.Column("token_name", sa.String(length=64), nullable=False),
            sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        ],
        sa.PrimaryKeyConstraint("hall", "name"),
    )
    _rebuild(
        "stats_rollup",
        [
            sa.Column("service_day", sa.Date(), nullable=False),
            sa.Column("dimension", sa.String(length=16), nullable=False),
            sa.Column("groups", sa.Text(), nullable=False),
            sa.Column("waits", sa.LargeBinary(), nullable=False),
            sa.Column("services", sa.LargeBinary(), nullable=False),
            sa.Column("at_window", sa.LargeBinary(), nullable=False),
            sa.Column("last_seq", sa.Integer(), nullable=False),
        ],
        sa.PrimaryKeyConstraint("hall", "service_day", "dimension"),
    )


def downgrade() -> None:
    raise NotImplementedError("a city database cannot be turned back into one hall's")
