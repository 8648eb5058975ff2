"""Suite of the room-temperature spot-check log (室温抽测记录)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from expectations.context import CheckContext
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
from expectations.suites.common import date_checks, unique_check
from intake.schema import ENTERPRISE_TABLES

TABLE = "spot_checks"
COLUMNS = columns_of(ENTERPRISE_TABLES[TABLE])

# An indoor reading outside 0-40 °C cannot come from a heated home. One below 10 °C
# or above 35 °C can, but rarely does, so the committee looks at it.
POSSIBLE_C = (0, 40)
PLAUSIBLE_C = (10, 35)


def build(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check ids, dates and temperatures of the spot checks."""
    frame = prepare(source, COLUMNS)
    checks = [
        unique_check(TABLE, "id"),
        *date_checks(TABLE, "checked_on", ctx),
        check(
            "spot_checks.temperature.possible",
            BLOCKING,
            E.ExpectColumnValuesToBeBetween,
            at="temperature",
            needs=["temperature"],
            message="室温 {value} ℃ 超出 0 至 40 ℃，不可能是室内温度。请核对并改正"
            "录入错误（单位应为摄氏度）。",
            column="temperature",
            min_value=POSSIBLE_C[0],
            max_value=POSSIBLE_C[1],
        ),
        check(
            "spot_checks.temperature.plausible",
            REVIEW,
            E.ExpectColumnValuesToBeBetween,
            at="temperature",
            needs=["temperature"],
            message="室温 {value} ℃ 低于 10 ℃ 或高于 35 ℃，很少见。请核对抽测记录，"
            "由评价委员会复核。",
            column="temperature",
            min_value=PLAUSIBLE_C[0],
            max_value=PLAUSIBLE_C[1],
        ),
    ]
    default_file = f"tables/{TABLE}.csv"
    return [new_suite(TABLE, source, frame, COLUMNS, checks, default_file=default_file)]
