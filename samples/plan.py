"""Plan each enterprise's season so that the scoring engine gives it its intended grade.

A `Plan` contains the counts behind the figures: the key figures the enterprise writes,
and the numbers of complaint, outage, incident, drill and reading rows that the
tables will contain. `plan_enterprise` starts from a season without faults, applies
seeded faults one by one while the real engine (`rules.engine.score`) keeps the
final score inside the target band, then fine-tunes the clean-heat share. The grade
is therefore checked by the engine, not estimated.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from rules.engine import score
from rules.figures import Figures
from rules.rulebook import Rulebook
from rules.sheet import ScoreSheet
from samples.roster import Enterprise, Role

# Final-score bands (rounded final, inclusive) aimed at for each intended grade.
GRADE_BANDS = {
    "A": (Decimal("91.00"), Decimal("98.50")),
    "B": (Decimal("81.50"), Decimal("88.50")),
    "C": (Decimal("71.50"), Decimal("78.50")),
    "D": (Decimal("50.00"), Decimal("67.50")),
}
# Narrow bands for enterprises whose scripted decision must move them across a grade
# boundary; the comments give the decision and where it lands.
ROLE_BANDS = {
    # C8.2 set from 3 to 0.75 (-2.25): A -> B
    Role.OBJECTION_UPHELD: (Decimal("90.40"), Decimal("91.60")),
    # C7.2 set from 1 to 2 (+1): C -> B
    Role.APPEAL_UPHELD: (Decimal("79.15"), Decimal("79.85")),
    # C6.4 set from 2 to 0 (-2): B -> C
    Role.CITY_RETURNED_DOWN: (Decimal("80.40"), Decimal("81.60")),
    # A 重大 incident deducts 10 and caps the grade at D: the score alone reads C.
    Role.MAJOR_ACCIDENT: (Decimal("72.00"), Decimal("78.50")),
}
# Faults that would touch the sub-item a role's decision is about.
PROTECTED = {
    Role.OBJECTION_UPHELD: {"convenience"},
    Role.APPEAL_UPHELD: {"drills"},
    Role.CITY_RETURNED_DOWN: {"equipment"},
    Role.CITY_RETURNED_KEPT: {"plan_not_filed"},
    Role.MAJOR_ACCIDENT: {"incident"},
    # Defect designs that need the sub-item claimed: C6.4 evidence, C7.2 photo.
    Role.DEFECT_MISSING_EVIDENCE: {"equipment"},
    Role.DEFECT_DISGUISED_IMAGE: {"drills"},
}
STEP = Decimal("0.01")
# Households with a thermometer in the readings export. The export stays small
# whatever the enterprise's size: at most 160 households for enterprises of up to
# 2,000 households (enough to reach the 10 % step), at most 50 for the others.
MEASURED_MIN = 30
MEASURED_MAX_SMALL = 160
MEASURED_MAX = 50
SMALL_ENTERPRISE = 2000
SHARE_PLACES = Decimal("0.0001")


class PlanError(RuntimeError):
    """No combination of faults put an enterprise inside its target band."""


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


def _share(rng: random.Random, low: str, high: str, places: int = 2) -> Decimal:
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
        "platform_online_rate": _share(rng, "0.96", "0.995", 3),
        "stations_total": stations,
        "stations_automated": stations,
        "online_service_channels": True,
        "metered_households": round(households * rng.uniform(0.31, 0.55)),
        "energy_ratio_to_benchmark": _share(rng, "0.78", "0.89"),
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
        "satisfaction_rate": _share(rng, "0.96", "0.99") if heating else Decimal(0),
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
        key["metering_energy_saving"] = _share(rng, "0.05", "0.11")


# ------------------------------------------------------------------------ faults

Fault = Callable[[Plan, random.Random], None]


def _meetings(plan: Plan, rng: random.Random) -> None:
    plan.key["meetings_attended"] = max(
        0, plan.key["meetings_called"] - rng.randint(1, 3)
    )


def _reports_late(plan: Plan, rng: random.Random) -> None:
    plan.key["reports_late"] += rng.randint(1, 2)


def _findings_late(plan: Plan, rng: random.Random) -> None:
    plan.findings_total += rng.randint(1, 3)
    plan.findings_fixed = max(0, plan.findings_total - rng.randint(1, 2))


def _plan_not_filed(plan: Plan, rng: random.Random) -> None:
    plan.key["season_plan_filed"] = False


def _start_delay(plan: Plan, rng: random.Random) -> None:
    plan.key["start_delay_days"] = rng.randint(1, 3)


def _room_temperature(plan: Plan, rng: random.Random) -> None:
    compliance = rng.choice(("0.965", "0.94", "0.925", "0.91", "0.86"))
    plan.below_threshold = round(plan.readings * (1 - Decimal(compliance))) + 1


def _fewer_measured(plan: Plan, rng: random.Random) -> None:
    share = rng.choice((0.085, 0.07, 0.055, 0.035))
    before = plan.readings
    plan.measured = measured_households(plan.households, share)
    # Keep the compliance share: scale the readings under the threshold.
    plan.below_threshold = plan.below_threshold * plan.readings // before


def _outage_8h(plan: Plan, rng: random.Random) -> None:
    plan.outages_8h += rng.randint(1, 2)


def _outage_24h(plan: Plan, rng: random.Random) -> None:
    plan.outages_24h += 1


def _early_stop(plan: Plan, rng: random.Random) -> None:
    plan.key["full_season"] = False


def _online_rate(plan: Plan, rng: random.Random) -> None:
    plan.key["platform_online_rate"] = _share(
        rng,
        *rng.choice(
            (
                ("0.91", "0.94"),
                ("0.82", "0.89"),
                ("0.65", "0.78"),
            )
        ),
        3,
    )


def _stations_manual(plan: Plan, rng: random.Random) -> None:
    total = plan.key["stations_total"]
    plan.key["stations_automated"] = max(0, round(total * rng.uniform(0.5, 0.9)))


def _no_online_channels(plan: Plan, rng: random.Random) -> None:
    plan.key["online_service_channels"] = False


def _low_metering(plan: Plan, rng: random.Random) -> None:
    plan.key["metered_households"] = round(plan.households * rng.uniform(0.04, 0.25))


def _energy(plan: Plan, rng: random.Random) -> None:
    plan.key["energy_ratio_to_benchmark"] = rng.choice(
        (Decimal("0.96"), Decimal("1.03"), Decimal("1.08"), Decimal("1.17"))
    )


def _emission(plan: Plan, rng: random.Random) -> None:
    plan.key["emission_violations"] += 1


def _retrofits(plan: Plan, rng: random.Random) -> None:
    plan.key["retrofits_done"] = max(
        0, plan.key["retrofits_planned"] - rng.randint(1, 2)
    )


def _complaint_rate(plan: Plan, rng: random.Random) -> None:
    per_mille = rng.choice((3.2, 4.4, 6.5, 9.0, 12.5))
    extra = round(plan.households * per_mille / 1000) - plan.valid
    if extra <= 0:
        return
    plan.valid += extra
    plan.on_time += extra
    plan.callbacks += extra
    plan.satisfied += extra


def _slow_response(plan: Plan, rng: random.Random) -> None:
    plan.on_time = round(plan.valid * rng.uniform(0.78, 0.93))


def _unclosed(plan: Plan, rng: random.Random) -> None:
    count = min(plan.valid, rng.randint(1, 4))
    plan.unclosed += count
    plan.callbacks = max(0, plan.callbacks - count)
    plan.satisfied = min(plan.satisfied, plan.callbacks)


def _callback(plan: Plan, rng: random.Random) -> None:
    plan.satisfied = round(plan.callbacks * rng.uniform(0.80, 0.93))


def _repeats(plan: Plan, rng: random.Random) -> None:
    plan.repeats = min(plan.valid, plan.repeats + rng.randint(1, 3))


def _uncertified(plan: Plan, rng: random.Random) -> None:
    total = plan.key["operators_total"]
    plan.key["certified_operators"] = round(total * rng.uniform(0.65, 0.92))


def _hazards_open(plan: Plan, rng: random.Random) -> None:
    found = plan.key["hazards_found"]
    plan.key["hazards_fixed"] = round(found * rng.uniform(0.6, 0.9))


def _equipment(plan: Plan, rng: random.Random) -> None:
    plan.key["special_equipment_inspected"] = False


def _incident(plan: Plan, rng: random.Random) -> None:
    plan.incidents += 1


def _no_emergency_plan(plan: Plan, rng: random.Random) -> None:
    plan.key["emergency_plan_filed"] = False


def _drills(plan: Plan, rng: random.Random) -> None:
    plan.drills = rng.choice((0, 1))


def _crew(plan: Plan, rng: random.Random) -> None:
    plan.key["repair_crew_ready"] = False


def _fuel(plan: Plan, rng: random.Random) -> None:
    plan.key["fuel_reserve_days"] = Decimal(rng.choice(("12", "11.5", "8", "5")))


def _reporting(plan: Plan, rng: random.Random) -> None:
    plan.key["reporting_failures"] += 1


def _hotline_failed(plan: Plan, rng: random.Random) -> None:
    plan.key["hotline_checks_failed"] += rng.randint(1, 2)


def _convenience(plan: Plan, rng: random.Random) -> None:
    plan.key["convenience_measures"] = rng.randint(1, 3)


def _contracts(plan: Plan, rng: random.Random) -> None:
    plan.key["contracts_signed"] = round(plan.households * rng.uniform(0.82, 0.97))


def _charges(plan: Plan, rng: random.Random) -> None:
    plan.key["charge_violations"] += 1


def _satisfaction(plan: Plan, rng: random.Random) -> None:
    plan.key["satisfaction_rate"] = _share(
        rng,
        *rng.choice(
            (
                ("0.91", "0.94"),
                ("0.86", "0.89"),
                ("0.80", "0.84"),
                ("0.70", "0.78"),
            )
        ),
    )


# Faults for both types, then those of the categories only heating units have.
COMMON_FAULTS: dict[str, Fault] = {
    "meetings": _meetings,
    "reports_late": _reports_late,
    "findings_late": _findings_late,
    "plan_not_filed": _plan_not_filed,
    "start_delay": _start_delay,
    "room_temperature": _room_temperature,
    "fewer_measured": _fewer_measured,
    "outage_8h": _outage_8h,
    "outage_24h": _outage_24h,
    "early_stop": _early_stop,
    "online_rate": _online_rate,
    "stations_manual": _stations_manual,
    "no_online_channels": _no_online_channels,
    "low_metering": _low_metering,
    "energy": _energy,
    "emission": _emission,
    "retrofits": _retrofits,
    "uncertified": _uncertified,
    "hazards_open": _hazards_open,
    "equipment": _equipment,
    "incident": _incident,
    "no_emergency_plan": _no_emergency_plan,
    "drills": _drills,
    "crew": _crew,
    "fuel": _fuel,
    "reporting": _reporting,
}
HEATING_FAULTS: dict[str, Fault] = {
    "complaint_rate": _complaint_rate,
    "slow_response": _slow_response,
    "unclosed": _unclosed,
    "callback": _callback,
    "repeats": _repeats,
    "hotline_failed": _hotline_failed,
    "convenience": _convenience,
    "contracts": _contracts,
    "charges": _charges,
    "satisfaction": _satisfaction,
}
ALL_FAULTS = {**COMMON_FAULTS, **HEATING_FAULTS}


# ------------------------------------------------------------------------ search


def score_plan(plan: Plan, rulebook: Rulebook) -> ScoreSheet:
    """Score the figures of `plan` with the engine, without committee decisions."""
    return score(plan.figures(), rulebook)


def target_band(enterprise: Enterprise) -> tuple[Decimal, Decimal]:
    """Return the band of rounded final scores the enterprise is planned into."""
    for role, band in ROLE_BANDS.items():
        if role in enterprise.roles:
            return band
    return GRADE_BANDS[enterprise.intake_grade]


def _apply_role_facts(plan: Plan, enterprise: Enterprise) -> None:
    """Set the facts a role's story needs before any fault is drawn."""
    roles = enterprise.roles
    if Role.MAJOR_ACCIDENT in roles:
        plan.major_accidents = 1
        plan.outages_24h = 1  # the accident cut the heat of a whole district
    if Role.EVIDENCE_OWNER in roles or Role.FALSIFIER in roles:
        plan.key["city_award"] = True
    if Role.APPEAL_UPHELD in roles:
        plan.drills = 1  # the joint drill with the bureau is missing from the table


def plan_enterprise(
    enterprise: Enterprise,
    rng: random.Random,
    rulebook: Rulebook,
    per_household: int,
) -> Plan:
    """Plan the enterprise's season into its band; raise PlanError if impossible."""
    plan = perfect_plan(enterprise, rng, per_household)
    add_bonus_claims(plan, enterprise.intake_grade, rng)
    _apply_role_facts(plan, enterprise)
    low, band_high = target_band(enterprise)
    # Stop at a random point of the band, so scores spread over it.
    span = int((band_high - low) / STEP)
    high = low + STEP * rng.randint(span // 4, span)

    protected: set[str] = set()
    for role in enterprise.roles:
        protected |= PROTECTED.get(role, set())
    faults = COMMON_FAULTS if not enterprise.is_heating else ALL_FAULTS
    names = [name for name in faults if name not in protected]
    rng.shuffle(names)

    final = score_plan(plan, rulebook).final
    for name in names:
        if final <= high:
            break
        for _attempt in range(3):  # a milder draw may fit where a harsh one did not
            trial = copy.deepcopy(plan)
            faults[name](trial, rng)
            trial_final = score_plan(trial, rulebook).final
            if low <= trial_final < final:
                plan, final = trial, trial_final
                plan.faults.append(name)
                break
    if final > high:
        plan, final = _tune_clean_heat(plan, rulebook, high)
    if not low <= final <= high:
        raise PlanError(
            f"{enterprise.name} ({enterprise.credit_code}): planned final {final} is "
            f"outside {low}..{high} for grade {enterprise.intake_grade}; faults tried: "
            f"{', '.join(names)}"
        )
    return plan


def _tune_clean_heat(
    plan: Plan, rulebook: Rulebook, high: Decimal
) -> tuple[Plan, Decimal]:
    """Lower the clean-heat share in 0.01 steps until the final is at most `high`."""
    share = plan.key["clean_heat_share"]
    final = score_plan(plan, rulebook).final
    while final > high and share > 0:
        share -= STEP
        trial = copy.deepcopy(plan)
        trial.key["clean_heat_share"] = share
        final = score_plan(trial, rulebook).final
        plan = trial
    if "clean_heat" not in plan.faults:
        plan.faults.append("clean_heat")
    return plan, final
