"""潮汐 switches: a window's state gains the category it is switched to and until when

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("window_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tidal_category", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("tidal_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("window_state", schema=None) as batch_op:
        batch_op.drop_column("tidal_until")
        batch_op.drop_column("tidal_category")
