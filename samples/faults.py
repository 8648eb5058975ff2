"""Faults that cost an enterprise points, each a change to a `Plan`.

Every fault draws its severity from the generator it is given, so the planner can
retry a fault with a milder draw. Faults of complaint management and heating service
apply to heating units only, because those categories do not score heat sources.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from samples.plan import Plan, draw_share, measured_households

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
    plan.key["platform_online_rate"] = draw_share(
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
    plan.key["satisfaction_rate"] = draw_share(
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
