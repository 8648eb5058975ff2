"""Widen decision_attempts.action to hold the longest action names

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 21:55:00

An action such as "check rectification of 91150402MA0R1XLW22" is 41 characters,
more than the 32 the first schema allowed, and PostgreSQL refuses to store it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decision_attempts") as batch:
        batch.alter_column(
            "action",
            existing_type=sa.String(length=32),
            type_=sa.String(length=255),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("decision_attempts") as batch:
        batch.alter_column(
            "action",
            existing_type=sa.String(length=255),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
