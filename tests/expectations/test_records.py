"""Suites of the record tables: complaints, spot checks, outages, incidents, drills,
trainings. The season runs 2025-10-15 to 2026-04-15, preparation from 2025-08-01."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from expectations.runner import run_checks
from intake.defects import Severity
from tests.expectations.package import (
    ACTIVITY_COLUMNS,
    COMPLAINT_COLUMNS,
    INCIDENT_COLUMNS,
    OUTAGE_COLUMNS,
    SPOT_CHECK_COLUMNS,
    complaint,
    context,
    key_figures,
    table,
)

B, R = Severity.BLOCKING, Severity.REVIEW


def summary(defects) -> list[tuple]:
    return [(d.rule, d.row, d.column, d.value, d.severity) for d in defects]


def check_table(name, rows, columns, **ctx_fields):
    return run_checks({name: table(name, rows, columns)}, context(**ctx_fields))


def spot(temperature, **changes):
    return {
        "id": "CJ-1",
        "checked_on": date(2025, 12, 1),
        "household": "H-1",
        "temperature": temperature,
        **changes,
    }


def outage(**changes):
    return {
        "id": "TR-1",
        "started_at": datetime(2025, 12, 24, 22, 0),
        "ended_at": datetime(2025, 12, 25, 9, 30),
        "households_affected": 120,
        "planned": False,
        "cause": None,
        **changes,
    }


# Complaints -----------------------------------------------------------------


def test_complaint_ids_repeat():
    rows = [complaint(id="T1"), complaint(id="T1", household="H-2")]
    defects = check_table("complaints", rows, COMPLAINT_COLUMNS)
    assert summary(defects) == [
        ("complaints.id.unique", 2, "编号", "T1", B),
        ("complaints.id.unique", 3, "编号", "T1", B),
    ]


def test_complaint_before_preparation_period():
    rows = [complaint(received_on=date(2025, 7, 31), closed_on=None)]
    defects = check_table("complaints", rows, COMPLAINT_COLUMNS)
    assert summary(defects) == [
        ("complaints.received_on.in_season", 2, "受理日期", "2025-07-31", B)
    ]
    assert "2025-10-15 至 2026-04-15" in defects[0].message
    assert "2025-08-01" in defects[0].message


def test_complaint_on_first_preparation_day_passes():
    rows = [complaint(received_on=date(2025, 8, 1), closed_on=date(2025, 8, 2))]
    assert check_table("complaints", rows, COMPLAINT_COLUMNS) == []


def test_complaint_after_season_end():
    rows = [complaint(received_on=date(2026, 4, 16), closed_on=None)]
    defects = check_table("complaints", rows, COMPLAINT_COLUMNS)
    assert summary(defects) == [
        ("complaints.received_on.in_season", 2, "受理日期", "2026-04-16", B)
    ]


def test_complaint_in_future_during_season():
    rows = [complaint(received_on=date(2026, 2, 1), closed_on=None)]
    defects = check_table(
        "complaints", rows, COMPLAINT_COLUMNS, today=date(2026, 1, 15)
    )
    assert summary(defects) == [
        ("complaints.received_on.not_future", 2, "受理日期", "2026-02-01", B)
    ]


def test_complaint_closed_in_future():
    rows = [complaint(closed_on=date(2026, 5, 11))]
    defects = check_table("complaints", rows, COMPLAINT_COLUMNS)
    assert summary(defects) == [
        ("complaints.closed_on.not_future", 2, "办结日期", "2026-05-11", B)
    ]


def test_complaint_closed_before_received():
    rows = [complaint(received_on=date(2025, 11, 3), closed_on=date(2025, 11, 2))]
    defects = check_table("complaints", rows, COMPLAINT_COLUMNS)
    assert summary(defects) == [
        ("complaints.closed_on.not_before_received", 2, "办结日期", "2025-11-02", B)
    ]
    assert "2025-11-03" in defects[0].message


def test_complaint_hotline_ticket_twice_is_for_review():
    rows = [
        complaint(id="T1", hotline_ticket="RX-9"),
        complaint(id="T2", hotline_ticket="RX-9"),
    ]
    defects = check_table("complaints", rows, COMPLAINT_COLUMNS)
    assert summary(defects) == [
        ("complaints.hotline_ticket.unique", 2, "热线工单号", "RX-9", R),
        ("complaints.hotline_ticket.unique", 3, "热线工单号", "RX-9", R),
    ]


def test_complaint_households_beyond_served():
    rows = [complaint(id=f"T{i}", household=f"H-{i}", closed_on=None) for i in range(3)]
    tables = {
        "complaints": table("complaints", rows, COMPLAINT_COLUMNS),
        "key_figures": key_figures(only=True, households_served=2),
    }
    defects = run_checks(tables, context())
    assert summary(defects) == [
        ("complaints.household.within_households_served", None, "户号", "3", R)
    ]


# Spot checks ----------------------------------------------------------------


def test_spot_check_temperature_impossible():
    rows = [spot(Decimal("40.5")), spot(Decimal("-0.1"), id="CJ-2")]
    defects = check_table("spot_checks", rows, SPOT_CHECK_COLUMNS)
    assert summary(defects) == [
        ("spot_checks.temperature.possible", 2, "室温", "40.5", B),
        ("spot_checks.temperature.possible", 3, "室温", "-0.1", B),
    ]


def test_spot_check_temperature_implausible():
    rows = [spot(Decimal("9.9")), spot(Decimal("35.1"), id="CJ-2")]
    defects = check_table("spot_checks", rows, SPOT_CHECK_COLUMNS)
    assert summary(defects) == [
        ("spot_checks.temperature.plausible", 2, "室温", "9.9", R),
        ("spot_checks.temperature.plausible", 3, "室温", "35.1", R),
    ]


def test_spot_check_temperature_bounds_pass():
    rows = [spot(10), spot(Decimal("35.0"), id="CJ-2")]
    assert check_table("spot_checks", rows, SPOT_CHECK_COLUMNS) == []


def test_spot_check_date_outside_window():
    rows = [spot(20, checked_on=date(2026, 4, 20))]
    defects = check_table("spot_checks", rows, SPOT_CHECK_COLUMNS)
    assert summary(defects) == [
        ("spot_checks.checked_on.in_season", 2, "抽测日期", "2026-04-20", B)
    ]


def test_spot_check_temperature_as_float_from_pandas():
    # A numeric column with a gap arrives as float64 with NaN.
    rows = [spot(21.5), spot(None, id="CJ-2")]
    defects = check_table("spot_checks", rows, SPOT_CHECK_COLUMNS)
    assert summary(defects) == [
        ("spot_checks.temperature.not_empty", 3, "室温", None, B)
    ]


def test_spot_check_households_beyond_served():
    rows = [spot(20, id=f"CJ-{i}", household=f"H-{i}") for i in range(3)]
    defects = check_table("spot_checks", rows, SPOT_CHECK_COLUMNS, households_served=2)
    assert summary(defects) == [
        ("spot_checks.household.within_households_served", None, "户号", "3", R)
    ]


# Outages --------------------------------------------------------------------


def test_outage_ending_before_start():
    rows = [outage(ended_at=datetime(2025, 12, 24, 21, 0))]
    defects = check_table("outages", rows, OUTAGE_COLUMNS)
    assert summary(defects) == [
        ("outages.ended_at.after_started", 2, "结束时间", "2025-12-24 21:00", B)
    ]


def test_outage_ending_at_start_is_blocking():
    rows = [outage(ended_at=datetime(2025, 12, 24, 22, 0))]
    defects = check_table("outages", rows, OUTAGE_COLUMNS)
    assert [d.rule for d in defects] == ["outages.ended_at.after_started"]


def test_outage_households_negative():
    rows = [outage(households_affected=-5)]
    defects = check_table("outages", rows, OUTAGE_COLUMNS)
    assert summary(defects) == [
        ("outages.households_affected.non_negative", 2, "影响户数", "-5", B)
    ]


def test_outage_households_beyond_served():
    rows = [outage(households_affected=1001)]
    defects = check_table("outages", rows, OUTAGE_COLUMNS, households_served=1000)
    assert summary(defects) == [
        (
            "outages.households_affected.within_households_served",
            2,
            "影响户数",
            "1001",
            R,
        )
    ]


def test_outage_started_before_preparation():
    rows = [
        outage(
            started_at=datetime(2025, 7, 31, 23, 59),
            ended_at=datetime(2025, 8, 1, 1, 0),
        )
    ]
    defects = check_table("outages", rows, OUTAGE_COLUMNS)
    assert summary(defects) == [
        ("outages.started_at.in_season", 2, "开始时间", "2025-07-31 23:59", B)
    ]


def test_outage_ended_in_future():
    rows = [outage(ended_at=datetime(2026, 5, 11, 8, 0))]
    defects = check_table("outages", rows, OUTAGE_COLUMNS)
    assert summary(defects) == [
        ("outages.ended_at.not_future", 2, "结束时间", "2026-05-11 08:00", B)
    ]


# Incidents, drills, trainings -----------------------------------------------


def test_incident_level_not_allowed():
    rows = [
        {
            "id": "SG-1",
            "occurred_on": date(2025, 11, 1),
            "level": "特大",
            "description": None,
        },
        {
            "id": "SG-2",
            "occurred_on": date(2025, 11, 2),
            "level": "较大",
            "description": None,
        },
    ]
    defects = check_table("incidents", rows, INCIDENT_COLUMNS)
    assert summary(defects) == [("incidents.level.allowed", 2, "事故等级", "特大", B)]
    assert "一般、较大、重大" in defects[0].message


def test_drill_participants_negative():
    rows = [
        {"id": "YL-1", "held_on": date(2025, 9, 1), "topic": "演练", "participants": -1}
    ]
    defects = check_table("drills", rows, ACTIVITY_COLUMNS)
    assert summary(defects) == [
        ("drills.participants.non_negative", 2, "参加人数", "-1", B)
    ]


def test_drill_before_preparation_period():
    rows = [
        {
            "id": "YL-1",
            "held_on": date(2025, 7, 15),
            "topic": "演练",
            "participants": 10,
        }
    ]
    defects = check_table("drills", rows, ACTIVITY_COLUMNS)
    assert summary(defects) == [
        ("drills.held_on.in_season", 2, "演练日期", "2025-07-15", B)
    ]


def test_training_after_season_end():
    rows = [
        {
            "id": "PX-1",
            "held_on": date(2026, 4, 30),
            "topic": "培训",
            "participants": 10,
        }
    ]
    defects = check_table("trainings", rows, ACTIVITY_COLUMNS)
    assert summary(defects) == [
        ("trainings.held_on.in_season", 2, "培训日期", "2026-04-30", B)
    ]


def test_training_ids_repeat():
    rows = [
        {"id": "PX-1", "held_on": date(2025, 9, 1), "topic": "a", "participants": 1},
        {"id": "PX-1", "held_on": date(2025, 9, 2), "topic": "b", "participants": 2},
    ]
    defects = check_table("trainings", rows, ACTIVITY_COLUMNS)
    assert [(d.rule, d.row) for d in defects] == [
        ("trainings.id.unique", 2),
        ("trainings.id.unique", 3),
    ]
