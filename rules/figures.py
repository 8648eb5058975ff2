"""Verified figures of one enterprise for one season: the scoring engine's input.

Every field is an input that the rulebook names. Counts are non-negative integers;
amounts and ratios are `Decimal` built from strings. A float is rejected, because
`Decimal(0.1)` is not 0.1 and scores must be exact.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class EnterpriseType(StrEnum):
    """The two kinds of enterprise the measure evaluates."""

    HEAT_SOURCE = "heat_source"  # 热源单位: produces heat, sells it to heating units
    HEATING = "heating"  # 供热单位: distributes heat to households


def _reject_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError(
            f"float {value!r} is not allowed; write the number as a string, e.g. '0.95'"
        )
    return value


Amount = Annotated[Decimal, BeforeValidator(_reject_float), Field(ge=0)]
"""A non-negative exact amount (energy, days, rates)."""

Share = Annotated[Decimal, BeforeValidator(_reject_float), Field(ge=0, le=1)]
"""A share between 0 and 1 inclusive (0.95 means 95 %)."""

Count = Annotated[int, Field(ge=0)]


class Figures(BaseModel):
    """Verified inputs for one enterprise and season, one field per rulebook input."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enterprise_type: EnterpriseType
    households_served: Count = Field(description="Households connected (户)")

    # C1 cooperation with supervision
    meetings_called: Count = 0
    meetings_attended: Count = 0
    reports_late: Count = 0
    findings_total: Count = Field(0, description="Inspection findings in the season")
    findings_fixed_on_time: Count = 0
    licence_valid: bool = False
    season_plan_filed: bool = False

    # C2 heating quality
    start_delay_days: Count = 0
    room_temp_compliance: Share = Field(
        Decimal("0"), description="Share of readings at or above the county threshold"
    )
    households_measured_share: Share = Decimal("0")
    outages_over_8h: Count = Field(0, description="Unplanned outages of 8 to 24 hours")
    outages_over_24h: Count = Field(0, description="Unplanned outages over 24 hours")
    full_season: bool = False

    # C3 smart heating
    platform_online_rate: Share = Decimal("0")
    device_coverage: Share = Field(
        Decimal("0"), description="Share of households with an online thermometer"
    )
    stations_total: Count = 0
    stations_automated: Count = 0
    online_service_channels: bool = False
    metered_households: Count = 0

    # C4 clean heating, energy saving
    energy_ratio_to_benchmark: Amount = Field(
        Decimal("1"), description="Energy per m² divided by the county benchmark"
    )
    emission_violations: Count = 0
    clean_heat_share: Share = Decimal("0")
    retrofits_planned: Count = 0
    retrofits_done: Count = 0

    # C5 complaint management (heating units)
    valid_complaints: Count = 0
    complaints_responded_on_time: Count = 0
    complaints_unclosed: Count = 0
    callback_satisfaction: Share = Decimal("0")
    repeat_complaints: Count = 0

    # C6 production safety
    safety_responsibility_system: bool = False
    operators_total: Count = 0
    certified_operators: Count = 0
    hazards_found: Count = 0
    hazards_fixed: Count = 0
    special_equipment_inspected: bool = False
    safety_incidents: Count = 0

    # C7 emergency readiness
    emergency_plan_filed: bool = False
    drills_held: Count = 0
    repair_crew_ready: bool = False
    fuel_reserve_days: Amount = Decimal("0")
    reporting_failures: Count = 0

    # C8 heating service (heating units)
    hotline_checks_failed: Count = 0
    convenience_measures: Annotated[int, Field(ge=0, le=4)] = 0
    contracts_signed: Count = 0
    charge_violations: Count = 0
    satisfaction_rate: Share = Decimal("0")

    # Bonus evidence
    city_award: bool = False
    government_tasks_completed: bool = False
    outstanding_activities: bool = False
    metering_energy_saving: Share = Field(
        Decimal("0"), description="Energy saved by metering reform, as a share"
    )

    # Deduction findings
    major_accidents: Count = 0
    unapproved_transfers: Count = 0
    serious_petitions: Count = 0
    falsified_materials: bool = False
