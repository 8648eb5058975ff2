"""Suites of the emergency drill log (应急演练记录) and the training log (培训记录),
which share one layout."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from expectations.context import CheckContext
from expectations.suites.base import TableSuite, columns_of, new_suite, prepare
from expectations.suites.common import (
    date_checks,
    non_negative_check,
    unique_check,
)
from intake.schema import ENTERPRISE_TABLES


def _build(table: str, source: pd.DataFrame, ctx: CheckContext) -> list[TableSuite]:
    columns = columns_of(ENTERPRISE_TABLES[table])
    frame = prepare(source, columns)
    # Drills and trainings belong to the preparation period as much as to the
    # season, so the window is the same as for the other records.
    checks = [
        unique_check(table, "id"),
        *date_checks(table, "held_on", ctx),
        non_negative_check(table, "participants"),
    ]
    default_file = f"tables/{table}.csv"
    return [new_suite(table, source, frame, columns, checks, default_file=default_file)]


def build_drills(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check ids, dates and participants of the drills."""
    return _build("drills", source, ctx)


def build_trainings(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check ids, dates and participants of the trainings."""
    return _build("trainings", source, ctx)
