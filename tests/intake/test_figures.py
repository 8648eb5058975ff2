"""Figures derived from a package's tables, readings shares and bureau findings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from intake.archive import open_package
from intake.check import rulebook_sub_items
from intake.figures import InspectionCounts, derive_figures
from intake.package import parse_package
from intake.sniff import ArchiveLimits
from rules.rulebook import load_rulebook
from tests.intake.builders import build_enterprise_package

LIMITS = ArchiveLimits(
    max_entries=100, max_total_bytes=10**8, max_file_bytes=10**8, max_ratio=200
)


@dataclass(frozen=True)
class Shares:
    compliance_share: Decimal
    households_measured_share: Decimal
    device_coverage: Decimal


SHARES = Shares(Decimal("0.5"), Decimal("0.01"), Decimal("0.01"))
FINDINGS = InspectionCounts(total=2, fixed_on_time=1)


@pytest.fixture(scope="module")
def sub_items():
    return set(rulebook_sub_items(load_rulebook()))


def derive(root, sub_items, inspections=FINDINGS):
    with open_package(root, LIMITS) as received:
        parsed = parse_package(received, source="enterprise", sub_items=sub_items)
        return derive_figures(parsed, readings=SHARES, inspections=inspections)


def test_figures_from_builder_package(tmp_path, sub_items):
    figures, defects = derive(build_enterprise_package(tmp_path / "p"), sub_items)
    assert defects == []
    # Complaints T1 and T2 count; T3 was the household's fault, T4 is not valid.
    assert figures.valid_complaints == 2
    assert figures.complaints_responded_on_time == 1
    assert figures.complaints_unclosed == 1
    assert figures.callback_satisfaction == Decimal("0.5")
    assert figures.repeat_complaints == 1
    # O1 lasted 12 h, O2 30 h, O3 was planned.
    assert figures.outages_over_8h == 1
    assert figures.outages_over_24h == 1
    assert figures.safety_incidents == 1
    assert figures.major_accidents == 0
    assert figures.drills_held == 2
    assert figures.findings_total == 2
    assert figures.findings_fixed_on_time == 1
    assert figures.room_temp_compliance == Decimal("0.5")
    assert figures.households_served == 1000
    assert figures.platform_online_rate == Decimal("0.98")
    assert figures.enterprise_type == "heating"


def test_part_above_whole_located(tmp_path, sub_items):
    root = build_enterprise_package(tmp_path / "p", figures={"meetings_attended": 5})
    figures, defects = derive(root, sub_items)
    assert figures is None
    (defect,) = defects
    assert defect.rule == "figures.part_above_whole"
    assert defect.sheet == "关键数据"
    assert defect.row == 4  # header, households_served, meetings_called, attended
    assert defect.value == "5"


def test_missing_households_served(tmp_path, sub_items):
    root = build_enterprise_package(tmp_path / "p", figures={"households_served": None})
    figures, defects = derive(root, sub_items)
    assert figures is None
    assert [d.rule for d in defects] == ["key_figures.households_served"]


def test_no_bureau_records_leaves_findings_zero(tmp_path, sub_items):
    figures, _ = derive(build_enterprise_package(tmp_path / "p"), sub_items, None)
    assert figures.findings_total == 0
