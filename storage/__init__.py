"""Evaluation database: SQLAlchemy 2 models, engine set-up and the audit ledger."""
