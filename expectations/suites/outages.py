"""Suite of the outage log (停热记录)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from expectations.context import CheckContext
from expectations.reconcile import households_served
from expectations.suites.base import (
    BLOCKING,
    REVIEW,
    E,
    TableSuite,
    check,
    columns_of,
    new_suite,
    prepare,
)
from expectations.suites.common import (
    date_checks,
    non_negative_check,
    not_future_check,
    unique_check,
)
from intake.schema import ENTERPRISE_TABLES

TABLE = "outages"
COLUMNS = columns_of(ENTERPRISE_TABLES[TABLE], optional=("cause",))


def build(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check ids, times and affected households of the outages."""
    frame = prepare(source, COLUMNS)
    checks = [
        unique_check(TABLE, "id"),
        *date_checks(TABLE, "started_at", ctx),
        not_future_check(TABLE, "ended_at", ctx),
        check(
            "outages.ended_at.after_started",
            BLOCKING,
            E.ExpectColumnPairValuesAToBeGreaterThanB,
            at="ended_at",
            needs=["ended_at", "started_at"],
            message="结束时间 {value} 不晚于开始时间 {started_at}。请核对两个时间。",
            column_A="ended_at",
            column_B="started_at",
            or_equal=False,
            ignore_row_if="either_value_is_missing",
        ),
        non_negative_check(TABLE, "households_affected"),
    ]
    served = households_served(ctx, tables.get("key_figures"))
    if served is not None:
        checks.append(
            check(
                "outages.households_affected.within_households_served",
                REVIEW,
                E.ExpectColumnValuesToBeBetween,
                at="households_affected",
                needs=["households_affected"],
                params={"served": str(served)},
                message="影响户数 {value} 多于供热户数 {served}。请核对影响户数，由"
                "评价委员会复核。",
                column="households_affected",
                max_value=served,
            )
        )
    default_file = f"tables/{TABLE}.csv"
    return [new_suite(TABLE, source, frame, COLUMNS, checks, default_file=default_file)]
