"""Suites of a county bureau's records: inspections and the hotline export."""

from __future__ import annotations

from datetime import date

import pandas as pd

from expectations.runner import run_checks
from intake.defects import Severity
from tests.expectations.package import CREDIT_CODE, OTHER_CODE, context, frame

B = Severity.BLOCKING
INSPECTION_COLUMNS = [
    "inspected_on",
    "credit_code",
    "subject",
    "finding",
    "due_on",
    "fixed_on_time",
]
HOTLINE_COLUMNS = [
    "ticket",
    "received_on",
    "credit_code",
    "household",
    "request",
    "valid",
]


def summary(defects) -> list[tuple]:
    return [(d.rule, d.row, d.column, d.value, d.severity) for d in defects]


def inspections(*rows) -> pd.DataFrame:
    records = [
        {
            "inspected_on": date(2025, 11, 20),
            "credit_code": CREDIT_CODE,
            "subject": "换热站巡查",
            "finding": "安全通道堵塞",
            "due_on": date(2025, 11, 30),
            "fixed_on_time": True,
            **row,
        }
        for row in rows
    ]
    return frame("inspections.csv", None, records, columns=INSPECTION_COLUMNS)


def hotline(*rows) -> pd.DataFrame:
    records = [
        {
            "ticket": "RX-1",
            "received_on": date(2025, 12, 2),
            "credit_code": CREDIT_CODE,
            "household": "H-1",
            "request": "室温低",
            "valid": True,
            **row,
        }
        for row in rows
    ]
    return frame("hotline.csv", None, records, columns=HOTLINE_COLUMNS)


def test_clean_bureau_records_pass():
    tables = {"inspections": inspections({}), "hotline": hotline({})}
    known = frozenset({CREDIT_CODE})
    assert run_checks(tables, context(county_enterprises=known)) == []


def test_inspection_deadline_before_inspection():
    tables = {"inspections": inspections({"due_on": date(2025, 11, 19)})}
    assert summary(run_checks(tables, context())) == [
        ("inspections.due_on.not_before_inspected", 2, "整改期限", "2025-11-19", B)
    ]


def test_inspection_of_unregistered_enterprise():
    tables = {"inspections": inspections({"credit_code": OTHER_CODE})}
    defects = run_checks(tables, context(county_enterprises=frozenset({CREDIT_CODE})))
    assert summary(defects) == [
        ("inspections.credit_code.registered", 2, "统一社会信用代码", OTHER_CODE, B)
    ]


def test_inspection_credit_code_check_character():
    tables = {"inspections": inspections({"credit_code": "91150402MA0N123450"})}
    assert summary(run_checks(tables, context())) == [
        (
            "inspections.credit_code.check_character",
            2,
            "统一社会信用代码",
            "91150402MA0N123450",
            B,
        )
    ]


def test_inspection_outside_season():
    tables = {"inspections": inspections({"inspected_on": date(2025, 7, 1)})}
    assert summary(run_checks(tables, context())) == [
        ("inspections.inspected_on.in_season", 2, "检查日期", "2025-07-01", B)
    ]


def test_hotline_ticket_twice():
    tables = {"hotline": hotline({}, {"household": "H-2"})}
    assert summary(run_checks(tables, context())) == [
        ("hotline.ticket.unique", 2, "工单号", "RX-1", B),
        ("hotline.ticket.unique", 3, "工单号", "RX-1", B),
    ]


def test_hotline_credit_code_format():
    tables = {"hotline": hotline({"credit_code": "9115040"})}
    assert summary(run_checks(tables, context())) == [
        ("hotline.credit_code.format", 2, "统一社会信用代码", "9115040", B)
    ]


def test_hotline_validity_missing():
    tables = {"hotline": hotline({"valid": None})}
    assert summary(run_checks(tables, context())) == [
        ("hotline.valid.not_empty", 2, "是否有效", None, B)
    ]
