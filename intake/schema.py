"""The package format as data: sheets, tables, columns, their Chinese headers and kinds.

`docs/package.md` describes the same format for people; the template generator, the
readers and the tests all take it from here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, get_args, get_origin

from annotated_types import Le

from intake.cells import Kind
from rules.figures import Figures


@dataclass(frozen=True)
class Column:
    """One column of a table: English key, Chinese header, kind of value."""

    key: str
    header: str
    kind: Kind
    note: str = ""  # shown in the template's header comment


@dataclass(frozen=True)
class TableSpec:
    """One table of a package: file stem, Chinese title and columns."""

    name: str
    title: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        """Return the column with English key `key`."""
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"table {self.name} has no column {key!r}")


def _table(name: str, title: str, *columns: tuple[str, str, Kind]) -> TableSpec:
    return TableSpec(name, title, tuple(Column(*c) for c in columns))


ID = ("id", "编号", Kind.TEXT)

ENTERPRISE_TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        _table(
            "complaints",
            "投诉台账",
            ID,
            ("received_on", "受理日期", Kind.DATE),
            ("household", "户号", Kind.TEXT),
            ("category", "投诉类别", Kind.TEXT),
            ("valid", "是否有效", Kind.BOOL),
            ("caused_by_household", "用户自身原因", Kind.BOOL),
            ("responded_on_time", "按时响应", Kind.BOOL),
            ("closed_on", "办结日期", Kind.DATE),
            ("callback_satisfied", "回访满意", Kind.BOOL),
            ("repeat", "重复或越级", Kind.BOOL),
            ("hotline_ticket", "热线工单号", Kind.TEXT),
        ),
        _table(
            "spot_checks",
            "室温抽测记录",
            ID,
            ("checked_on", "抽测日期", Kind.DATE),
            ("household", "户号", Kind.TEXT),
            ("temperature", "室温", Kind.SIGNED_DECIMAL),
        ),
        _table(
            "outages",
            "停热记录",
            ID,
            ("started_at", "开始时间", Kind.DATETIME),
            ("ended_at", "结束时间", Kind.DATETIME),
            ("households_affected", "影响户数", Kind.INT),
            ("planned", "计划停热", Kind.BOOL),
            ("cause", "原因", Kind.TEXT),
        ),
        _table(
            "incidents",
            "安全事故记录",
            ID,
            ("occurred_on", "发生日期", Kind.DATE),
            ("level", "事故等级", Kind.TEXT),
            ("description", "描述", Kind.TEXT),
        ),
        _table(
            "drills",
            "应急演练记录",
            ID,
            ("held_on", "演练日期", Kind.DATE),
            ("topic", "主题", Kind.TEXT),
            ("participants", "参加人数", Kind.INT),
        ),
        _table(
            "trainings",
            "培训记录",
            ID,
            ("held_on", "培训日期", Kind.DATE),
            ("topic", "主题", Kind.TEXT),
            ("participants", "参加人数", Kind.INT),
        ),
    )
}

BUREAU_TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        _table(
            "inspections",
            "监督检查记录",
            ("inspected_on", "检查日期", Kind.DATE),
            ("credit_code", "统一社会信用代码", Kind.CREDIT_CODE),
            ("subject", "检查事项", Kind.TEXT),
            ("finding", "发现问题", Kind.TEXT),
            ("due_on", "整改期限", Kind.DATE),
            ("fixed_on_time", "是否按期整改", Kind.BOOL),
        ),
        _table(
            "hotline",
            "政府热线投诉工单",
            ("ticket", "工单号", Kind.TEXT),
            ("received_on", "受理日期", Kind.DATE),
            ("credit_code", "统一社会信用代码", Kind.CREDIT_CODE),
            ("household", "户号", Kind.TEXT),
            ("request", "诉求内容", Kind.TEXT),
            ("valid", "是否有效", Kind.BOOL),
        ),
    )
}

INCIDENT_LEVELS = ("一般", "较大", "重大")

# The readings file is read by DuckDB, not by these readers; listed for the docs
# and the template.
READINGS_COLUMNS = (
    Column("device_id", "设备编号", Kind.TEXT),
    Column("household", "户号", Kind.TEXT),
    Column("timestamp", "时间", Kind.DATETIME),
    Column("temperature", "室温", Kind.SIGNED_DECIMAL),
)

# Application workbook (application.xlsx) sheets.
INSTRUCTIONS_SHEET = "填表说明"
IDENTITY_SHEET = "基本信息"
KEY_FIGURES_SHEET = "关键数据"
CLAIMS_SHEET = "自评分"

IDENTITY_FIELDS = (
    Column("name", "企业名称", Kind.TEXT),
    Column("credit_code", "统一社会信用代码", Kind.CREDIT_CODE),
    Column("county", "所属旗县区", Kind.TEXT, "6 位区划代码，或从下拉列表选择"),
    Column("type", "企业类型", Kind.TEXT, "热源单位 或 供热单位"),
    Column("season", "供热季", Kind.TEXT, "如 2025-2026"),
    Column("contact_name", "联系人", Kind.TEXT),
    Column("contact_phone", "联系电话", Kind.TEXT),
    Column("contact_email", "电子邮箱", Kind.TEXT),
)
IDENTITY_HEADERS = ("项目", "内容")
KEY_FIGURE_HEADERS = ("指标代码", "指标名称", "数值", "单位")
CLAIM_HEADERS = ("细项编号", "类别", "细项名称", "满分", "自评得分", "说明")
CLAIM_COLUMNS = (
    Column("sub_item", "细项编号", Kind.TEXT),
    Column("category", "类别", Kind.TEXT),
    Column("name", "细项名称", Kind.TEXT),
    Column("max_points", "满分", Kind.DECIMAL),
    Column("claimed", "自评得分", Kind.DECIMAL),
    Column("remark", "说明", Kind.TEXT),
)
KEY_FIGURE_COLUMNS = (
    Column("field", "指标代码", Kind.TEXT),
    Column("label", "指标名称", Kind.TEXT),
    Column("value", "数值", Kind.TEXT),  # the kind depends on the row's field
    Column("unit", "单位", Kind.TEXT),
)

ENTERPRISE_TYPE_NAMES = {"heat_source": "热源单位", "heating": "供热单位"}

# Key figures: the Figures fields no table derives, in the order of the template.
KEY_FIGURES = (
    "households_served",
    "meetings_called",
    "meetings_attended",
    "reports_late",
    "licence_valid",
    "season_plan_filed",
    "start_delay_days",
    "full_season",
    "platform_online_rate",
    "stations_total",
    "stations_automated",
    "online_service_channels",
    "metered_households",
    "energy_ratio_to_benchmark",
    "emission_violations",
    "clean_heat_share",
    "retrofits_planned",
    "retrofits_done",
    "safety_responsibility_system",
    "operators_total",
    "certified_operators",
    "hazards_found",
    "hazards_fixed",
    "special_equipment_inspected",
    "emergency_plan_filed",
    "repair_crew_ready",
    "fuel_reserve_days",
    "reporting_failures",
    "hotline_checks_failed",
    "convenience_measures",
    "contracts_signed",
    "charge_violations",
    "satisfaction_rate",
    "city_award",
    "government_tasks_completed",
    "outstanding_activities",
    "metering_energy_saving",
    "unapproved_transfers",
    "serious_petitions",
)

# Figures derived from tables, readings or bureau records, or set by the committee.
DERIVED_FIGURES = frozenset(
    {
        "valid_complaints",
        "complaints_responded_on_time",
        "complaints_unclosed",
        "callback_satisfaction",
        "repeat_complaints",
        "outages_over_8h",
        "outages_over_24h",
        "safety_incidents",
        "major_accidents",
        "drills_held",
        "room_temp_compliance",
        "households_measured_share",
        "device_coverage",
        "findings_total",
        "findings_fixed_on_time",
        "falsified_materials",
    }
)

UNITS = {
    "households_served": "户",
    "metered_households": "户",
    "contracts_signed": "户",
    "start_delay_days": "天",
    "fuel_reserve_days": "天",
    "operators_total": "人",
    "certified_operators": "人",
    "stations_total": "座",
    "stations_automated": "座",
    "retrofits_planned": "项",
    "retrofits_done": "项",
    "hazards_found": "项",
    "hazards_fixed": "项",
    "charge_violations": "项",
    "convenience_measures": "项",
    "energy_ratio_to_benchmark": "倍",
}


def figure_kind(field: str) -> Kind:
    """Return how a key figure's value is read, from the `Figures` field's type."""
    info = Figures.model_fields[field]
    annotation = info.annotation
    if annotation is bool:
        return Kind.BOOL
    if annotation is int:
        return Kind.INT
    if annotation is Decimal:
        if any(isinstance(m, Le) and m.le == 1 for m in info.metadata):
            return Kind.SHARE
        return Kind.DECIMAL
    if get_origin(annotation) is not None and int in get_args(annotation):
        return Kind.INT
    raise TypeError(f"Figures.{field} has a type intake cannot read: {annotation!r}")


def figure_label(field: str) -> str:
    """Return the Chinese label of a `Figures` field."""
    return Figures.model_fields[field].title or field


def figure_unit(field: str) -> str:
    """Return the unit shown next to a key figure in the template."""
    kind = figure_kind(field)
    if kind is Kind.BOOL:
        return "是/否"
    if kind is Kind.SHARE:
        return "%"
    return UNITS.get(field, "次")


_UNIT_IN_HEADER = re.compile(r"[(（][^)）]*[)）]$")


def header_key(raw: Any) -> str:
    """Normalise a header for matching: NFKC, no spaces, no '*', no '(unit)' suffix."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    text = re.sub(r"\s+", "", text).replace("*", "").replace("\ufeff", "")
    return _UNIT_IN_HEADER.sub("", text).lower()


def header_map(columns: tuple[Column, ...]) -> dict[str, str]:
    """Map every accepted header form (Chinese header or English key) to the key."""
    accepted: dict[str, str] = {}
    for column in columns:
        accepted[header_key(column.header)] = column.key
        accepted[header_key(column.key)] = column.key
    return accepted
