"""Alembic migrations of the evaluation database."""
