"""Alembic environment: runs on the connection that `storage.migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import BigInteger, DateTime

import storage.models  # noqa: F401  (registers every table on Base.metadata)
from storage.base import Base, ScaledDecimal, UTCDateTime

config = context.config


def _render_item(type_, obj, autogen_context):
    """Write our decorated types as their database types, so migrations stay plain."""
    if type_ == "type" and isinstance(obj, ScaledDecimal):
        return "sa.BigInteger()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _compare_type(
    context_, inspected_column, metadata_column, inspected_type, metadata_type
):
    if isinstance(metadata_type, ScaledDecimal):
        return not isinstance(inspected_type, BigInteger)
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, DateTime)
    return None


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through storage.migrate, which passes a connection"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    render_item=_render_item,
    compare_type=_compare_type,
)
with context.begin_transaction():
    context.run_migrations()
