"""Verified figures of one enterprise for one season: the scoring engine's input.

Every field is an input that the rulebook names. Counts are non-negative integers;
amounts and ratios are `Decimal` built from strings. A float is rejected, because
`Decimal(0.1)` is not 0.1 and scores must be exact.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


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

PARTS_OF_WHOLES: tuple[tuple[str, str], ...] = (
    ("meetings_attended", "meetings_called"),
    ("findings_fixed_on_time", "findings_total"),
    ("stations_automated", "stations_total"),
    ("metered_households", "households_served"),
    ("complaints_responded_on_time", "valid_complaints"),
    ("complaints_unclosed", "valid_complaints"),
    ("repeat_complaints", "valid_complaints"),
    ("certified_operators", "operators_total"),
    ("hazards_fixed", "hazards_found"),
    ("contracts_signed", "households_served"),
)
"""Pairs (part, whole) of counts where the part counts a subset of the whole.

Retrofits are not listed, because an enterprise may do more retrofits than it planned.
"""


class Figures(BaseModel):
    """Verified inputs for one enterprise and season, one field per rulebook input.

    Each field's `title` is its Chinese label, which score explanations and the blank
    workbook show. A part (e.g. meetings attended) may not exceed its whole (meetings
    called): see `PARTS_OF_WHOLES`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enterprise_type: EnterpriseType = Field(title="企业类型")
    households_served: Count = Field(
        description="Households connected (户)", title="供热户数"
    )

    # C1 cooperation with supervision
    meetings_called: Count = Field(0, title="应参加会议和培训次数")
    meetings_attended: Count = Field(0, title="实际参加会议和培训次数")
    reports_late: Count = Field(0, title="逾期报送资料次数")
    findings_total: Count = Field(
        0, description="Inspection findings in the season", title="监督检查发现问题数"
    )
    findings_fixed_on_time: Count = Field(0, title="按期整改问题数")
    licence_valid: bool = Field(False, title="供热经营许可证有效")
    season_plan_filed: bool = Field(False, title="供热运行方案已备案")

    # C2 heating quality
    start_delay_days: Count = Field(0, title="推迟供热天数")
    room_temp_compliance: Share = Field(
        Decimal("0"),
        description="Share of readings at or above the county threshold",
        title="室温达标率",
    )
    households_measured_share: Share = Field(Decimal("0"), title="有室温数据的户数占比")
    outages_over_8h: Count = Field(
        0,
        description="Unplanned outages of 8 to 24 hours",
        title="非计划停热8至24小时次数",
    )
    outages_over_24h: Count = Field(
        0,
        description="Unplanned outages over 24 hours",
        title="非计划停热超过24小时次数",
    )
    full_season: bool = Field(False, title="全供热期连续供热")

    # C3 smart heating
    platform_online_rate: Share = Field(Decimal("0"), title="监测平台在线率")
    device_coverage: Share = Field(
        Decimal("0"),
        description="Share of households with an online thermometer",
        title="室温采集设备覆盖率",
    )
    stations_total: Count = Field(0, title="换热站总数")
    stations_automated: Count = Field(0, title="自动化换热站数")
    online_service_channels: bool = Field(False, title="已开通线上服务渠道")
    metered_households: Count = Field(0, title="计量收费户数")

    # C4 clean heating, energy saving
    energy_ratio_to_benchmark: Amount = Field(
        Decimal("1"),
        description="Energy per m² divided by the county benchmark",
        title="单位面积能耗与基准值之比",
    )
    emission_violations: Count = Field(0, title="排放超标次数")
    clean_heat_share: Share = Field(Decimal("0"), title="清洁能源供热占比")
    retrofits_planned: Count = Field(0, title="计划节能改造项目数")
    retrofits_done: Count = Field(0, title="完成节能改造项目数")

    # C5 complaint management (heating units)
    valid_complaints: Count = Field(0, title="有效投诉件数")
    complaints_responded_on_time: Count = Field(0, title="按时响应投诉件数")
    complaints_unclosed: Count = Field(0, title="未办结投诉件数")
    callback_satisfaction: Share = Field(Decimal("0"), title="回访满意率")
    repeat_complaints: Count = Field(0, title="重复或越级投诉件数")

    # C6 production safety
    safety_responsibility_system: bool = Field(False, title="安全生产责任制健全")
    operators_total: Count = Field(0, title="操作岗位人数")
    certified_operators: Count = Field(0, title="持证上岗人数")
    hazards_found: Count = Field(0, title="排查发现隐患数")
    hazards_fixed: Count = Field(0, title="已整改隐患数")
    special_equipment_inspected: bool = Field(False, title="特种设备按期检验")
    safety_incidents: Count = Field(0, title="一般及较大安全事故次数")

    # C7 emergency readiness
    emergency_plan_filed: bool = Field(False, title="应急预案已编制备案")
    drills_held: Count = Field(0, title="应急演练次数")
    repair_crew_ready: bool = Field(False, title="抢修队伍和物资到位")
    fuel_reserve_days: Amount = Field(Decimal("0"), title="燃料储备天数")
    reporting_failures: Count = Field(0, title="值班和信息报送失误次数")

    # C8 heating service (heating units)
    hotline_checks_failed: Count = Field(0, title="服务热线抽查未接通次数")
    convenience_measures: Annotated[int, Field(ge=0, le=4)] = Field(
        0, title="便民措施落实项数"
    )
    contracts_signed: Count = Field(0, title="已签订供用热合同户数")
    charge_violations: Count = Field(0, title="违规收费或退费问题数")
    satisfaction_rate: Share = Field(Decimal("0"), title="用户满意度")

    # Bonus evidence
    city_award: bool = Field(False, title="获得市级及以上表彰")
    government_tasks_completed: bool = Field(False, title="完成政府供热和节能减排任务")
    outstanding_activities: bool = Field(False, title="参加政府和行业活动成绩突出")
    metering_energy_saving: Share = Field(
        Decimal("0"),
        description="Energy saved by metering reform, as a share",
        title="计量改造节能率",
    )

    # Deduction findings
    major_accidents: Count = Field(0, title="重大安全事故或大面积停热次数")
    unapproved_transfers: Count = Field(0, title="擅自移交或接管供热设施次数")
    serious_petitions: Count = Field(0, title="经核实的严重上访事件数")
    falsified_materials: bool = Field(False, title="材料弄虚作假")

    @model_validator(mode="after")
    def _check_parts_of_wholes(self) -> Self:
        problems = [
            f"{part} {getattr(self, part)} is more than {whole} "
            f"{getattr(self, whole)}, which it is a part of. "
            "Correct one of the two figures."
            for part, whole in PARTS_OF_WHOLES
            if getattr(self, part) > getattr(self, whole)
        ]
        if problems:
            raise ValueError(" ".join(problems))
        return self
