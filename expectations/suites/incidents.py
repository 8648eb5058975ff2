"""Suite of the safety incident log (安全事故记录)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from expectations.context import CheckContext
from expectations.suites.base import (
    BLOCKING,
    E,
    TableSuite,
    check,
    columns_of,
    new_suite,
    prepare,
)
from expectations.suites.common import date_checks, unique_check
from intake.schema import ENTERPRISE_TABLES, INCIDENT_LEVELS

TABLE = "incidents"
COLUMNS = columns_of(ENTERPRISE_TABLES[TABLE], optional=("description",))


def build(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check ids, dates and levels of the incidents."""
    frame = prepare(source, COLUMNS)
    checks = [
        unique_check(TABLE, "id"),
        *date_checks(TABLE, "occurred_on", ctx),
        check(
            "incidents.level.allowed",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at="level",
            needs=["level"],
            params={"levels": "、".join(INCIDENT_LEVELS)},
            message="事故等级「{value}」无效。请从 {levels} 中选择一项。",
            column="level",
            value_set=list(INCIDENT_LEVELS),
        ),
    ]
    default_file = f"tables/{TABLE}.csv"
    return [new_suite(TABLE, source, frame, COLUMNS, checks, default_file=default_file)]
