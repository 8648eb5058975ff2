"""Build small, valid packages on disk for the intake tests.

Every package is written by the test that uses it, so the tests also show what a
package looks like. Values are chosen so derived figures can be worked out by hand.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from stdnum.cn import uscc

from intake.schema import BUREAU_TABLES, ENTERPRISE_TABLES, KEY_FIGURES
from intake.template import build_template
from rules.rulebook import load_rulebook

SEASON = "2025-2026"
COUNTY = "150402"
# Sub-items the builder files evidence for; the others are claimed at 0 points.
EVIDENCE_SUB_ITEMS = ("C1.4", "C6.1", "C7.1", "C3.1")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def credit_code(body: str = "91150402MA0N2XY41") -> str:
    """Return a valid 18-character credit code built from 17 characters."""
    return body + uscc.calc_check_digit(body)


CREDIT_CODE = credit_code()
OTHER_CODE = credit_code("91150403MA0N2ABC2")

KEY_FIGURE_VALUES: dict[str, Any] = {field: 0 for field in KEY_FIGURES}
KEY_FIGURE_VALUES.update(
    households_served=1000,
    meetings_called=4,
    meetings_attended=4,
    licence_valid="是",
    season_plan_filed="是",
    full_season="是",
    platform_online_rate="98%",
    stations_total=10,
    stations_automated=8,
    online_service_channels="是",
    metered_households=200,
    energy_ratio_to_benchmark="0.95",
    clean_heat_share="0.6",
    retrofits_planned=2,
    retrofits_done=2,
    safety_responsibility_system="是",
    operators_total=20,
    certified_operators=20,
    hazards_found=5,
    hazards_fixed=5,
    special_equipment_inspected="是",
    emergency_plan_filed="是",
    repair_crew_ready="是",
    fuel_reserve_days=15,
    convenience_measures=4,
    contracts_signed=900,
    satisfaction_rate="95%",
    city_award="否",
    government_tasks_completed="否",
    outstanding_activities="否",
    metering_energy_saving="0",
)

IDENTITY = {
    "企业名称": "红山热力有限公司",
    "统一社会信用代码": CREDIT_CODE,
    "所属旗县区": "150402 红山区",
    "企业类型": "供热单位",
    "供热季": SEASON,
    "联系人": "张三",
    "联系电话": "0476-8888888",
    "电子邮箱": "zhang@example.cn",
}

COMPLAINTS = [
    # id, received, household, category, valid, own fault, on time, closed, callback,
    # repeat, hotline ticket
    [
        "T1",
        "2025-11-02",
        "H001",
        "室温低",
        "是",
        "否",
        "是",
        "2025-11-03",
        "是",
        "否",
        "12345-1",
    ],
    ["T2", "2025/12/5", "H002", "室温低", "是", "否", "否", "", "否", "是", ""],
    [
        "T3",
        "2026年1月7日",
        "H003",
        "漏水",
        "是",
        "是",
        "是",
        "2026-01-08",
        "",
        "否",
        "",
    ],
    ["T4", "2026-02-01", "H004", "咨询", "否", "否", "是", "2026-02-01", "", "否", ""],
]
OUTAGES = [
    ["O1", "2025-12-01 08:00", "2025-12-01 20:00", "300", "否", "爆管"],
    ["O2", "2026-01-10 00:00", "2026-01-11 06:00", "120", "否", "停电"],
    ["O3", "2026-01-15 08:00", "2026-01-16 20:00", "500", "是", "检修"],
]
INCIDENTS = [["I1", "2026-01-20", "一般", "烫伤"]]
DRILLS = [["D1", "2025-10-10", "爆管抢修", "30"], ["D2", "2025-12-10", "停电", "25"]]
TRAININGS = [["X1", "2025-09-15", "安全培训", "40"]]
SPOT_CHECKS = [
    ["S1", "2025-12-20", "H001", "19.5"],
    ["S2", "2026-01-05", "H002", "17.8"],
]
TABLE_ROWS = {
    "complaints": COMPLAINTS,
    "spot_checks": SPOT_CHECKS,
    "outages": OUTAGES,
    "incidents": INCIDENTS,
    "drills": DRILLS,
    "trainings": TRAININGS,
}


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding="utf-8"):
    """Write a CSV file with `header` and `rows`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_application(
    path: Path,
    *,
    identity: dict[str, Any] | None = None,
    figures: dict[str, Any] | None = None,
    claims: dict[str, Any] | None = None,
) -> Path:
    """Fill the generated template and save it as application.xlsx."""
    workbook = build_template(SEASON, load_rulebook())
    values = {**IDENTITY, **(identity or {})}
    sheet = workbook["基本信息"]
    for row in range(2, sheet.max_row + 1):
        label = sheet.cell(row=row, column=1).value
        if label in values:
            sheet.cell(row=row, column=2, value=values[label])
    figure_values = {**KEY_FIGURE_VALUES, **(figures or {})}
    sheet = workbook["关键数据"]
    for row in range(2, sheet.max_row + 1):
        field = sheet.cell(row=row, column=1).value
        if field in figure_values:
            sheet.cell(row=row, column=3, value=figure_values[field])
    sheet = workbook["自评分"]
    for row in range(2, sheet.max_row + 1):
        sub_item = sheet.cell(row=row, column=1).value
        points = sheet.cell(row=row, column=4).value
        default = points if sub_item in EVIDENCE_SUB_ITEMS else 0
        claimed = (claims or {}).get(sub_item, default)
        sheet.cell(row=row, column=5, value=claimed)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_readings(path: Path, *, households: int = 10) -> Path:
    """Write a readings export: two readings per household, one of them below 18 °C."""
    rows = []
    for number in range(1, households + 1):
        household = f"H{number:03d}"
        device = f"D{number:03d}"
        rows.append([device, household, "2025-12-01T08:00:00+08:00", "20.5"])
        rows.append([device, household, "2026-01-15T08:00:00+08:00", "17.5"])
    return write_csv(path, ["device_id", "household", "timestamp", "temperature"], rows)


def build_enterprise_package(root: Path, **application: Any) -> Path:
    """Write a complete, valid enterprise package folder at `root`."""
    write_application(root / "application.xlsx", **application)
    for name, rows in TABLE_ROWS.items():
        header = [c.header for c in ENTERPRISE_TABLES[name].columns]
        write_csv(root / "tables" / f"{name}.csv", header, rows)
    write_readings(root / "readings" / "readings.csv")
    evidence = root / "evidence"
    for sub_item in EVIDENCE_SUB_ITEMS[:3]:
        (evidence / sub_item).mkdir(parents=True, exist_ok=True)
        (evidence / sub_item / "scan.pdf").write_bytes(PDF_BYTES + sub_item.encode())
    (evidence / "C3.1").mkdir(parents=True, exist_ok=True)
    (evidence / "C3.1" / "screen.png").write_bytes(PNG_BYTES)
    return root


INSPECTIONS = [
    ["2025-11-20", CREDIT_CODE, "安全检查", "阀门锈蚀", "2025-12-20", "是"],
    ["2026-01-05", CREDIT_CODE, "服务检查", "公示不全", "2026-01-20", "否"],
    ["2026-01-06", OTHER_CODE, "安全检查", "无", "2026-01-30", "是"],
]
HOTLINE = [
    ["12345-1", "2025-11-02", CREDIT_CODE, "H001", "室温低", "是"],
    ["12345-2", "2025-12-09", CREDIT_CODE, "H009", "不热", "是"],
]


def build_bureau_package(root: Path) -> Path:
    """Write a county bureau's records: inspections and the hotline export."""
    for name, rows in (("inspections", INSPECTIONS), ("hotline", HOTLINE)):
        header = [c.header for c in BUREAU_TABLES[name].columns]
        write_csv(root / f"{name}.csv", header, rows)
    return root
