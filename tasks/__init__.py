"""Thin Prefect tasks over the cycle's business logic: load, call, store."""
