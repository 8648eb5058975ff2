"""`run_checks` as a whole: a clean package, retries, layout, de-duplication."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from expectations.runner import run_checks
from intake.defects import Severity
from intake.schema import IDENTITY_FIELDS
from tests.expectations.package import (
    COMPLAINT_COLUMNS,
    SPOT_CHECK_COLUMNS,
    complaint,
    context,
    enterprise_tables,
    table,
)


def summary(defects) -> list[tuple]:
    return [(d.rule, d.row, d.column, d.value, d.severity) for d in defects]


def test_clean_package_has_no_defects():
    assert run_checks(enterprise_tables(), context()) == []


def test_retry_in_same_process_gives_same_defects():
    tables = {
        "spot_checks": table(
            "spot_checks",
            [
                {
                    "id": "1",
                    "checked_on": date(2025, 12, 1),
                    "household": "H",
                    "temperature": 50,
                }
            ],
            SPOT_CHECK_COLUMNS,
        )
    }
    first = run_checks(tables, context())
    second = run_checks(tables, context())
    assert first == second
    assert summary(first) == [
        ("spot_checks.temperature.possible", 2, "室温", "50", Severity.BLOCKING)
    ]


def test_unknown_table_is_rejected():
    with pytest.raises(KeyError, match="readings"):
        run_checks({"readings": pd.DataFrame()}, context())


def test_missing_column_gives_one_defect_per_column():
    columns = [c for c in COMPLAINT_COLUMNS if c not in ("valid", "repeat")]
    rows = [{k: v for k, v in complaint().items() if k in columns}]
    defects = run_checks({"complaints": table("complaints", rows, columns)}, context())
    assert summary(defects) == [
        ("complaints.valid.column_exists", None, "是否有效", None, Severity.BLOCKING),
        (
            "complaints.repeat.column_exists",
            None,
            "重复或越级",
            None,
            Severity.BLOCKING,
        ),
    ]
    assert {d.file for d in defects} == {"tables/complaints.csv"}
    assert "是否有效" in defects[0].message


def test_empty_table_still_needs_its_columns():
    empty = table("complaints", [], ["id", "received_on"])
    defects = run_checks({"complaints": empty}, context())
    assert len(defects) == len(COMPLAINT_COLUMNS) - 2
    assert {d.rule.split(".")[2] for d in defects} == {"column_exists"}


def test_empty_required_value_is_blocking():
    rows = [complaint(household=None)]
    defects = run_checks(
        {"complaints": table("complaints", rows, COMPLAINT_COLUMNS)}, context()
    )
    assert summary(defects) == [
        ("complaints.household.not_empty", 2, "户号", None, Severity.BLOCKING)
    ]


def test_value_of_wrong_type_is_reported_once():
    rows = [complaint(valid="也许", received_on="2025-11-03")]
    defects = run_checks(
        {"complaints": table("complaints", rows, COMPLAINT_COLUMNS)}, context()
    )
    assert summary(defects) == [
        ("complaints.received_on.type", 2, "受理日期", "2025-11-03", Severity.BLOCKING),
        ("complaints.valid.type", 2, "是否有效", "也许", Severity.BLOCKING),
    ]


def test_cell_reported_by_intake_is_skipped():
    rows = [complaint(household=None)]
    reported = frozenset({("tables/complaints.csv", None, 2, "household")})
    defects = run_checks(
        {"complaints": table("complaints", rows, COMPLAINT_COLUMNS)},
        context(reported_cells=reported),
    )
    assert defects == []


def test_column_reported_missing_by_intake_is_skipped():
    # Intake keeps a missing column as all-None and reports it without a row.
    rows = [complaint(household=None), complaint(id="TS-002", household=None)]
    reported = frozenset({("tables/complaints.csv", None, None, "household")})
    defects = run_checks(
        {"complaints": table("complaints", rows, COMPLAINT_COLUMNS)},
        context(reported_cells=reported),
    )
    assert defects == []


def test_blocking_defect_hides_review_on_same_cell():
    rows = [
        {
            "id": "1",
            "checked_on": date(2025, 12, 1),
            "household": "H",
            "temperature": -3,
        }
    ]
    defects = run_checks(
        {"spot_checks": table("spot_checks", rows, SPOT_CHECK_COLUMNS)}, context()
    )
    assert summary(defects) == [
        ("spot_checks.temperature.possible", 2, "室温", "-3", Severity.BLOCKING)
    ]


def test_defects_are_sorted_by_row():
    rows = [
        complaint(id="A", received_on=date(2025, 7, 1)),
        complaint(id="B", household=None),
    ]
    defects = run_checks(
        {"complaints": table("complaints", rows, COMPLAINT_COLUMNS)}, context()
    )
    assert [d.row for d in defects] == [2, 3]


def test_identity_keys_match_intake_schema():
    keys = {c.key for c in IDENTITY_FIELDS}
    assert {"credit_code", "county", "type", "season", "contact_email"} <= keys
