"""Derive the scoring input (`rules.figures.Figures`) from a parsed package.

Key figures come from the application; the rest is counted from the tables, the
readings report and the county bureau's inspection records, as listed under
"Derived figures" in docs/package.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from pydantic import ValidationError

from intake.defects import Defect, Severity
from intake.package import ParsedPackage
from intake.schema import KEY_FIGURES, KEY_FIGURES_SHEET, figure_label
from rules.figures import PARTS_OF_WHOLES, Figures

OUTAGE_LONG = timedelta(hours=8)
OUTAGE_VERY_LONG = timedelta(hours=24)
MINOR_LEVELS = frozenset({"一般", "较大"})
MAJOR_LEVELS = frozenset({"重大", "特别重大"})


class ReadingsShares(Protocol):
    """The part of the readings report that figures need."""

    compliance_share: Decimal
    households_measured_share: Decimal
    device_coverage: Decimal


@dataclass(frozen=True)
class InspectionCounts:
    """The bureau's inspection findings for one enterprise in the season."""

    total: int
    fixed_on_time: int


def inspection_counts(inspections: Any, credit_code: str) -> InspectionCounts:
    """Count findings and findings fixed on time for `credit_code` in a bureau frame."""
    if inspections is None or inspections.empty:
        return InspectionCounts(0, 0)
    mine = inspections[inspections["credit_code"] == credit_code]
    fixed = sum(1 for value in mine["fixed_on_time"] if value is True)
    return InspectionCounts(total=len(mine), fixed_on_time=fixed)


def _rows(frame: Any) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return frame.to_dict("records")


def complaint_figures(complaints: Any) -> dict[str, Any]:
    """Count valid complaints (是否有效 = 是, not caused by the household)."""
    counted = [
        row
        for row in _rows(complaints)
        if row.get("valid") is True and row.get("caused_by_household") is not True
    ]
    called_back = [r for r in counted if r.get("callback_satisfied") is not None]
    satisfied = sum(1 for r in called_back if r["callback_satisfied"] is True)
    if called_back:
        satisfaction = Decimal(satisfied) / Decimal(len(called_back))
    else:
        satisfaction = Decimal("1")
    return {
        "valid_complaints": len(counted),
        "complaints_responded_on_time": sum(
            1 for r in counted if r.get("responded_on_time") is True
        ),
        "complaints_unclosed": sum(1 for r in counted if r.get("closed_on") is None),
        "callback_satisfaction": satisfaction,
        "repeat_complaints": sum(1 for r in counted if r.get("repeat") is True),
    }


def outage_figures(outages: Any) -> dict[str, int]:
    """Count unplanned outages over 8 h up to 24 h, and over 24 h."""
    over_8h = over_24h = 0
    for row in _rows(outages):
        if row.get("planned") is True:
            continue
        started, ended = row.get("started_at"), row.get("ended_at")
        if not isinstance(started, datetime) or not isinstance(ended, datetime):
            continue
        duration = ended - started
        if duration > OUTAGE_VERY_LONG:
            over_24h += 1
        elif duration > OUTAGE_LONG:
            over_8h += 1
    return {"outages_over_8h": over_8h, "outages_over_24h": over_24h}


def incident_figures(incidents: Any) -> dict[str, int]:
    """Count incidents of level 一般 or 较大, and of level 重大."""
    levels = [str(row.get("level") or "").strip() for row in _rows(incidents)]
    return {
        "safety_incidents": sum(1 for level in levels if level in MINOR_LEVELS),
        "major_accidents": sum(1 for level in levels if level in MAJOR_LEVELS),
    }


def derive_figures(
    parsed: ParsedPackage,
    *,
    readings: ReadingsShares | None,
    inspections: InspectionCounts | None,
) -> tuple[Figures | None, list[Defect]]:
    """Build `Figures`; return (None, defects) when the package cannot give them."""
    file = _application_file(parsed)
    values: dict[str, Any] = {
        "enterprise_type": parsed.identity.get("type"),
    }
    for field in KEY_FIGURES:
        value = parsed.key_figures.get(field)
        if value is not None:
            values[field] = value
    if values.get("households_served") is None:
        return None, [
            Defect(
                file=file,
                sheet=KEY_FIGURES_SHEET,
                column="value",
                value=None,
                rule="key_figures.households_served",
                severity=Severity.BLOCKING,
                message=f"未填写“{figure_label('households_served')}”"
                "（households_served），无法计算户均指标，请补充。",
            )
        ]
    if values["enterprise_type"] is None:
        return None, []  # the missing identity is already a blocking defect

    values.update(complaint_figures(parsed.tables.get("complaints")))
    values.update(outage_figures(parsed.tables.get("outages")))
    values.update(incident_figures(parsed.tables.get("incidents")))
    drills = parsed.tables.get("drills")
    values["drills_held"] = 0 if drills is None else len(drills)
    if readings is not None:
        values["room_temp_compliance"] = readings.compliance_share
        values["households_measured_share"] = readings.households_measured_share
        values["device_coverage"] = readings.device_coverage
    if inspections is not None:
        values["findings_total"] = inspections.total
        values["findings_fixed_on_time"] = inspections.fixed_on_time

    defects = _part_whole_defects(parsed, file, values)
    if defects:
        return None, defects
    try:
        return Figures.model_validate(values), []
    except ValidationError as error:
        return None, _figure_defects(parsed, file, error)


def _application_file(parsed: ParsedPackage) -> str:
    frame = parsed.tables.get("key_figures")
    if frame is not None and len(frame):
        return str(frame["_file"].iloc[0])
    return "application.xlsx"


def _key_figure_rows(parsed: ParsedPackage) -> dict[str, int]:
    frame = parsed.tables.get("key_figures")
    if frame is None:
        return {}
    return {r["field"]: r["_row"] for r in frame.to_dict("records")}


def part_whole_defects(parsed: ParsedPackage) -> list[Defect]:
    """Report key figures that exceed the figure they are a part of."""
    values = {k: v for k, v in parsed.key_figures.items() if v is not None}
    return _part_whole_defects(parsed, _application_file(parsed), values)


def _part_whole_defects(
    parsed: ParsedPackage, file: str, values: dict[str, Any]
) -> list[Defect]:
    """Report a part above its whole (e.g. meetings attended above meetings called)."""
    rows = _key_figure_rows(parsed)
    defects = []
    for part, whole in PARTS_OF_WHOLES:
        if part not in values or whole not in values:
            continue  # a blank or unreadable figure is reported on its own
        part_value, whole_value = values[part], values[whole]
        if part_value > whole_value:
            defects.append(
                Defect(
                    file=file,
                    sheet=KEY_FIGURES_SHEET,
                    row=rows.get(part),
                    column="value",
                    value=str(part_value),
                    rule="figures.part_above_whole",
                    severity=Severity.BLOCKING,
                    message=f"“{figure_label(part)}”（{part_value}）大于"
                    f"“{figure_label(whole)}”（{whole_value}），前者是后者的一部分，"
                    "请核对这两项数值。",
                )
            )
    return defects


def _figure_defects(
    parsed: ParsedPackage, file: str, error: ValidationError
) -> list[Defect]:
    """Turn a Figures validation error into defects located at the key-figure rows."""
    rows = _key_figure_rows(parsed)
    defects = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else None
        label = figure_label(field) if field in KEY_FIGURES else (field or "")
        defects.append(
            Defect(
                file=file,
                sheet=KEY_FIGURES_SHEET,
                row=rows.get(field) if field else None,
                column="value",
                value=None if item.get("input") is None else str(item["input"]),
                rule="figures.invalid",
                severity=Severity.BLOCKING,
                message=f"“{label}”数值不合理：{_chinese_reason(item)}。请核对后修改。",
            )
        )
    return defects


def _chinese_reason(item: dict[str, Any]) -> str:
    kind = item.get("type", "")
    if kind in ("less_than_equal", "less_than"):
        return f"不能超过 {item['ctx'].get('le', item['ctx'].get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return "不能为负数"
    message = str(item.get("msg", ""))
    return message.removeprefix("Value error, ")
