"""Suite of the complaint ledger (投诉台账), including its hotline ticket numbers."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from expectations.context import CheckContext
from expectations.reconcile import COMPLAINTS_FILE, TicketStatus, hotline_status
from expectations.suites.base import (
    BLOCKING,
    REVIEW,
    Check,
    E,
    TableSuite,
    check,
    columns_of,
    new_suite,
    object_column,
    prepare,
)
from expectations.suites.common import (
    date_checks,
    not_future_check,
    unique_check,
)
from intake.schema import ENTERPRISE_TABLES

TABLE = "complaints"
COLUMNS = columns_of(
    ENTERPRISE_TABLES[TABLE],
    optional=("category", "closed_on", "callback_satisfied", "hotline_ticket"),
)


def build(
    source: pd.DataFrame, ctx: CheckContext, tables: Mapping[str, pd.DataFrame]
) -> list[TableSuite]:
    """Check ids, dates, closing order and hotline tickets of the ledger."""
    frame = prepare(source, COLUMNS)
    checks = [
        unique_check(TABLE, "id"),
        *date_checks(TABLE, "received_on", ctx),
        not_future_check(TABLE, "closed_on", ctx),
        check(
            "complaints.closed_on.not_before_received",
            BLOCKING,
            E.ExpectColumnPairValuesAToBeGreaterThanB,
            at="closed_on",
            needs=["closed_on", "received_on"],
            message="办结日期 {value} 早于受理日期 {received_on}。请核对两个日期。",
            column_A="closed_on__day",
            column_B="received_on__day",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        unique_check(TABLE, "hotline_ticket", REVIEW),
    ]
    if ctx.hotline is not None and {"hotline_ticket", "valid"} <= set(frame.columns):
        status = hotline_status(frame["hotline_ticket"], frame["valid"], ctx.hotline)
        frame["hotline_ticket__status"] = object_column(status, frame)
        checks += _hotline_checks()
    return [
        new_suite(TABLE, source, frame, COLUMNS, checks, default_file=COMPLAINTS_FILE)
    ]


def _hotline_checks() -> list[Check]:
    """Compare each ledger ticket with the county bureau's hotline export."""
    needs = ["hotline_ticket", "valid"]
    return [
        check(
            "complaints.hotline_ticket.marked_invalid",
            REVIEW,
            E.ExpectColumnValuesToNotBeInSet,
            at="hotline_ticket",
            needs=needs,
            message="热线工单 {value} 在县级主管部门的政府热线导出中被认定为无效投诉，"
            "台账却未记为无效（是否有效：{valid}）。请核对该投诉的认定，由评价委员会"
            "复核。",
            column="hotline_ticket__status",
            value_set=[TicketStatus.INVALID],
        ),
        check(
            "complaints.valid.hotline_valid",
            REVIEW,
            E.ExpectColumnValuesToNotBeInSet,
            at="valid",
            needs=needs,
            message="热线工单 {hotline_ticket} 在县级主管部门的政府热线导出中被认定为"
            "有效投诉，台账却记为无效（是否有效：{value}）。请核对该投诉的认定，由评价"
            "委员会复核。",
            column="hotline_ticket__status",
            value_set=[TicketStatus.DISMISSED],
        ),
        check(
            "complaints.hotline_ticket.not_in_hotline",
            REVIEW,
            E.ExpectColumnValuesToNotBeInSet,
            at="hotline_ticket",
            needs=needs,
            message="热线工单号 {value} 在县级主管部门的政府热线导出中不存在。请核对"
            "工单号是否填错，由评价委员会复核。",
            column="hotline_ticket__status",
            value_set=[TicketStatus.UNKNOWN],
        ),
    ]
