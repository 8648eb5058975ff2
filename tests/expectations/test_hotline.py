"""Reconciliation of the complaint ledger with the county bureau's hotline export."""

from __future__ import annotations

from datetime import date

from expectations.context import HotlineTicket
from expectations.runner import run_checks
from intake.defects import Severity
from tests.expectations.package import COMPLAINT_COLUMNS, complaint, context, table

R = Severity.REVIEW


def summary(defects) -> list[tuple]:
    return [(d.rule, d.row, d.column, d.value, d.severity) for d in defects]


def ticket(number: str, valid: bool | None, row: int) -> HotlineTicket:
    return HotlineTicket(
        ticket=number,
        received_on=date(2025, 12, 2),
        household="H-0009",
        valid=valid,
        file="hotline.csv",
        row=row,
    )


def ledger(*rows):
    return {"complaints": table("complaints", list(rows), COMPLAINT_COLUMNS)}


def test_valid_ticket_missing_from_ledger():
    tables = ledger(complaint(hotline_ticket="RX-1"))
    hotline = (ticket("RX-1", True, 2), ticket("RX-2", True, 3))
    defects = run_checks(tables, context(hotline=hotline))
    assert summary(defects) == [
        ("complaints.hotline_ticket.missing", None, "热线工单号", "RX-2", R)
    ]
    assert defects[0].file == "tables/complaints.csv"
    assert "hotline.csv 第 3 行" in defects[0].message
    assert "H-0009" in defects[0].message


def test_invalid_ticket_missing_from_ledger_passes():
    defects = run_checks(
        ledger(complaint()), context(hotline=(ticket("RX-2", False, 2),))
    )
    assert defects == []


def test_ticket_matches_despite_spacing_and_case():
    tables = ledger(complaint(hotline_ticket=" rx-1 "))
    assert run_checks(tables, context(hotline=(ticket("RX-1", True, 2),))) == []


def test_ledger_counts_ticket_export_marks_invalid():
    tables = ledger(complaint(hotline_ticket="RX-1", valid=True))
    defects = run_checks(tables, context(hotline=(ticket("RX-1", False, 2),)))
    assert summary(defects) == [
        ("complaints.hotline_ticket.marked_invalid", 2, "热线工单号", "RX-1", R)
    ]


def test_both_mark_ticket_invalid_passes():
    tables = ledger(complaint(hotline_ticket="RX-1", valid=False))
    assert run_checks(tables, context(hotline=(ticket("RX-1", False, 2),))) == []


def test_ledger_dismisses_ticket_export_marks_valid():
    tables = ledger(complaint(hotline_ticket="RX-1", valid=False))
    defects = run_checks(tables, context(hotline=(ticket("RX-1", True, 2),)))
    assert summary(defects) == [
        ("complaints.valid.hotline_valid", 2, "是否有效", "否", R)
    ]
    assert "RX-1" in defects[0].message


def test_ledger_ticket_unknown_to_export():
    tables = ledger(complaint(hotline_ticket="RX-7"))
    defects = run_checks(tables, context(hotline=(ticket("RX-1", False, 2),)))
    assert summary(defects) == [
        ("complaints.hotline_ticket.not_in_hotline", 2, "热线工单号", "RX-7", R)
    ]


def test_without_export_tickets_are_not_compared():
    tables = ledger(complaint(hotline_ticket="RX-7"))
    assert run_checks(tables, context(hotline=None)) == []


def test_missing_ticket_reported_without_ledger():
    defects = run_checks({}, context(hotline=(ticket("RX-1", True, 2),)))
    assert summary(defects) == [
        ("complaints.hotline_ticket.missing", None, "热线工单号", "RX-1", R)
    ]
    assert defects[0].file == "tables/complaints.csv"
