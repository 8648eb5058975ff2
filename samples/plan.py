"""The counts behind an enterprise's figures, and a season without faults.

A `Plan` contains the key figures the enterprise writes and the numbers of
complaint, outage, incident, drill and reading rows that its tables will contain.
`samples.planner` turns a faultless plan into one that lands in the intended grade.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from rules.figures import Figures
from samples.roster import Enterprise

# Households with a thermometer in the readings export. The export stays small
# whatever the enterprise's size: at most 160 households for enterprises of up to
# 2,000 households (enough to reach the 10 % step), at most 50 for the others.
MEASURED_MIN = 30
MEASURED_MAX_SMALL = 160
MEASURED_MAX = 50
SMALL_ENTERPRISE = 2000
SHARE_PLACES = Decimal("0.0001")


@dataclass
class Plan:
    """The counts behind one enterprise's figures for the season."""

    kind: str
    households: int
    key: dict[
        str, Any
    ]  # key figures as the enterprise writes them (bool, int, Decimal)
    findings_total: int = 0
    findings_fixed: int = 0
    # Complaint ledger: valid rows not caused by the household, and their outcomes.
    valid: int = 0
    on_time: int = 0
    unclosed: int = 0
    callbacks: int = 0
    satisfied: int = 0
    repeats: int = 0
    own_cause: int = 0  # valid, but caused by the household itself: not counted
    invalid: int = 0
    outages_8h: int = 0
    outages_24h: int = 0
    incidents: int = 0  # 一般 or 较大
    major_accidents: int = 0  # 重大
    drills: int = 2
    measured: int = 0  # households (= devices) with readings
    readings_per_household: int = 66
    below_threshold: int = 0  # readings under the county threshold
    faults: list[str] = field(default_factory=list)

    @property
    def readings(self) -> int:
        """Rows of the readings export."""
        return self.measured * self.readings_per_household

    def figures(self, falsified: bool = False) -> Figures:
        """Return the figures intake derives from this plan's package and records."""
        callback_share = (
            Decimal(self.satisfied) / Decimal(self.callbacks)
            if self.callbacks
            else Decimal(1)
        )
        compliance = readings_share(self.readings - self.below_threshold, self.readings)
        measured_share = readings_share(self.measured, self.households)
        return Figures(
            enterprise_type=self.kind,
            **self.key,
            findings_total=self.findings_total,
            findings_fixed_on_time=self.findings_fixed,
            room_temp_compliance=compliance,
            households_measured_share=measured_share,
            device_coverage=measured_share,
            outages_over_8h=self.outages_8h,
            outages_over_24h=self.outages_24h,
            valid_complaints=self.valid,
            complaints_responded_on_time=self.on_time,
            complaints_unclosed=self.unclosed,
            callback_satisfaction=callback_share,
            repeat_complaints=self.repeats,
            safety_incidents=self.incidents,
            major_accidents=self.major_accidents,
            drills_held=self.drills,
            falsified_materials=falsified,
        )


def readings_share(numerator: int, denominator: int) -> Decimal:
    """Return a readings share as intake reports it: capped at 1, cut to 4 decimals.

    Intake truncates rather than rounds (intake/readings.py), so a share never
    reaches a rulebook step it did not reach.
    """
    if denominator <= 0:
        return Decimal("0.0000")
    value = min(Decimal(numerator) / Decimal(denominator), Decimal(1))
    return value.quantize(SHARE_PLACES, rounding=ROUND_DOWN)


def measured_households(households: int, share: float) -> int:
    """Return how many households the readings export covers for a target share."""
    cap = MEASURED_MAX_SMALL if households <= SMALL_ENTERPRISE else MEASURED_MAX
    return min(cap, max(MEASURED_MIN, math.ceil(households * share)))


def draw_share(rng: random.Random, low: str, high: str, places: int = 2) -> Decimal:
    """Draw a share between `low` and `high` with `places` decimals."""
    scale = 10**places
    value = rng.randint(int(Decimal(low) * scale), int(Decimal(high) * scale))
    return Decimal(value) / scale


def perfect_plan(
    enterprise: Enterprise, rng: random.Random, per_household: int
) -> Plan:
    """Return a season without faults: every sub-item at full points."""
    households = enterprise.households
    heating = enterprise.is_heating
    stations = max(2, households // rng.randint(280, 480))
    operators = max(4, stations * 2 + rng.randint(2, 12))
    hazards = rng.randint(4, 30)

    key: dict[str, Any] = {
        "households_served": households,
        "meetings_called": rng.randint(6, 10),
        "reports_late": 0,
        "licence_valid": True,
        "season_plan_filed": True,
        "start_delay_days": 0,
        "full_season": True,
        "platform_online_rate": draw_share(rng, "0.96", "0.995", 3),
        "stations_total": stations,
        "stations_automated": stations,
        "online_service_channels": True,
        "metered_households": round(households * rng.uniform(0.31, 0.55)),
        "energy_ratio_to_benchmark": draw_share(rng, "0.78", "0.89"),
        "emission_violations": 0,
        "clean_heat_share": Decimal(1),
        "retrofits_planned": rng.randint(2, 6),
        "safety_responsibility_system": True,
        "operators_total": operators,
        "certified_operators": operators,
        "hazards_found": hazards,
        "hazards_fixed": hazards,
        "special_equipment_inspected": True,
        "emergency_plan_filed": True,
        "repair_crew_ready": True,
        "fuel_reserve_days": Decimal(rng.randint(16, 30)),
        "reporting_failures": 0,
        "hotline_checks_failed": 0,
        "convenience_measures": 4 if heating else 0,
        "contracts_signed": households if heating else 0,
        "charge_violations": 0,
        "satisfaction_rate": draw_share(rng, "0.96", "0.99") if heating else Decimal(0),
        "city_award": False,
        "government_tasks_completed": False,
        "outstanding_activities": False,
        "metering_energy_saving": Decimal(0),
        "unapproved_transfers": 0,
        "serious_petitions": 0,
    }
    key["meetings_attended"] = key["meetings_called"]
    key["retrofits_done"] = key["retrofits_planned"]

    plan = Plan(kind=enterprise.kind, households=households, key=key)
    plan.findings_total = rng.randint(0, 3)
    plan.findings_fixed = plan.findings_total
    plan.drills = rng.randint(2, 4)
    plan.readings_per_household = per_household
    plan.measured = measured_households(households, rng.uniform(0.102, 0.125))
    plan.below_threshold = plan.readings * rng.randint(2, 15) // 1000

    if heating:
        plan.valid = round(households * rng.uniform(0.6, 1.8) / 1000)
        plan.on_time = plan.valid
        plan.callbacks = plan.valid
        plan.satisfied = plan.valid
        plan.own_cause = rng.randint(0, 2 + plan.valid // 5)
        plan.invalid = rng.randint(1, 3 + plan.valid // 3)
    return plan


def add_bonus_claims(plan: Plan, grade: str, rng: random.Random) -> None:
    """Give better enterprises some of the evidence-based bonus items."""
    chance = {"A": 0.35, "B": 0.15, "C": 0.05, "D": 0.0}[grade]
    key = plan.key
    key["city_award"] = rng.random() < chance
    key["government_tasks_completed"] = rng.random() < chance * 1.3
    key["outstanding_activities"] = rng.random() < chance
    if rng.random() < chance:
        key["metering_energy_saving"] = draw_share(rng, "0.05", "0.11")
