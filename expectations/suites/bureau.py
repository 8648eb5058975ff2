"""Suites of a county bureau's own records: inspection records (监督检查记录) and
the government-hotline export (政府热线投诉工单)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from expectations.context import CheckContext
from expectations.suites.base import (
    BLOCKING,
    Check,
    E,
    TableSuite,
    check,
    columns_of,
    new_suite,
    prepare,
)
from expectations.suites.common import (
    credit_code_checks,
    date_checks,
    unique_check,
)
from intake.schema import BUREAU_TABLES

INSPECTIONS = columns_of(
    BUREAU_TABLES["inspections"], optional=("finding", "due_on", "fixed_on_time")
)
HOTLINE = columns_of(BUREAU_TABLES["hotline"], optional=("household", "request"))


def build_inspections(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check dates, credit codes and rectification deadlines of the inspections."""
    table = "inspections"
    frame = prepare(source, INSPECTIONS)
    checks = [
        *date_checks(table, "inspected_on", ctx),
        *credit_code_checks(table, "credit_code", frame),
        *_enterprise_check(table, ctx),
        check(
            "inspections.due_on.not_before_inspected",
            BLOCKING,
            E.ExpectColumnPairValuesAToBeGreaterThanB,
            at="due_on",
            needs=["due_on", "inspected_on"],
            message="整改期限 {value} 早于检查日期 {inspected_on}。请核对两个日期。",
            column_A="due_on__day",
            column_B="inspected_on__day",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]
    return [
        new_suite(
            table, source, frame, INSPECTIONS, checks, default_file=f"{table}.csv"
        )
    ]


def build_hotline(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check ticket numbers, dates and credit codes of the hotline export."""
    table = "hotline"
    frame = prepare(source, HOTLINE)
    checks = [
        unique_check(table, "ticket"),
        *date_checks(table, "received_on", ctx),
        *credit_code_checks(table, "credit_code", frame),
        *_enterprise_check(table, ctx),
    ]
    return [
        new_suite(table, source, frame, HOTLINE, checks, default_file=f"{table}.csv")
    ]


def _enterprise_check(table: str, ctx: CheckContext) -> list[Check]:
    """A record must name an enterprise registered in the county."""
    if ctx.county_enterprises is None:
        return []
    return [
        check(
            f"{table}.credit_code.registered",
            BLOCKING,
            E.ExpectColumnValuesToBeInSet,
            at="credit_code",
            needs=["credit_code"],
            message="统一社会信用代码「{value}」不是本旗县区登记的供热企业。请核对"
            "代码；企业尚未登记的，请先在平台登记。",
            column="credit_code",
            value_set=sorted(ctx.county_enterprises),
        )
    ]
