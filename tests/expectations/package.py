"""A clean enterprise package and a clean bureau package as intake hands them over.

Season 2025-2026 in county 150402 (红山区) runs from 2025-10-15 to 2026-04-15, so the
preparation period starts on 2025-08-01. Checks run on 2026-05-10.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from expectations.context import CheckContext, build_context
from rules.rulebook import load_rulebook

TODAY = date(2026, 5, 10)
CREDIT_CODE = "91150402MA0N123457"
OTHER_CODE = "91150402MA0N543216"
SHA_LICENCE = "a" * 64
SHA_MEETINGS = "b" * 64
SHA_LEDGER = "c" * 64
TABLE_FILES = {
    "complaints": "tables/complaints.csv",
    "spot_checks": "tables/spot_checks.csv",
    "outages": "tables/outages.csv",
    "incidents": "tables/incidents.csv",
    "drills": "tables/drills.csv",
    "trainings": "tables/trainings.csv",
}


def frame(
    file: str, sheet: str | None, rows: list[dict[str, Any]], **kw
) -> pd.DataFrame:
    """Build a table with `_file`, `_sheet` and `_row` (data from row 2 on)."""
    records = [
        {**row, "_file": file, "_sheet": sheet, "_row": number}
        for number, row in enumerate(rows, start=2)
    ]
    columns = kw.get("columns")
    if columns is not None:
        columns = [*columns, "_file", "_sheet", "_row"]
    table = pd.DataFrame(records, columns=columns, dtype=object)
    table.attrs["file"] = file
    table.attrs["sheet"] = sheet
    return table


def identity(**changes: Any) -> pd.DataFrame:
    """The identity row, each field on its own row of 基本信息 (rows 2-9)."""
    values = {
        "name": "红山热力有限公司",
        "credit_code": CREDIT_CODE,
        "county": "150402",
        "type": "heating",
        "season": "2025-2026",
        "contact_name": "王伟",
        "contact_phone": "0476-8888888",
        "contact_email": "wangwei@example.com",
        **changes,
    }
    row = dict(values)
    for number, key in enumerate(values, start=2):
        row[f"_row_{key}"] = number
    row.update({"_file": "application.xlsx", "_sheet": "基本信息", "_row": None})
    return pd.DataFrame([row], dtype=object)


def key_figures(only: bool = False, **changes: Any) -> pd.DataFrame:
    """Key figures on rows 2 and below of 关键数据; `only` keeps just `changes`."""
    values: dict[str, Any] = {
        "households_served": 1000,
        "meetings_called": 10,
        "meetings_attended": 9,
        "stations_total": 20,
        "stations_automated": 15,
        "metered_households": 300,
        "contracts_signed": 990,
        "retrofits_planned": 4,
        "retrofits_done": 4,
        "operators_total": 50,
        "certified_operators": 48,
        "hazards_found": 12,
        "hazards_fixed": 12,
        "platform_online_rate": Decimal("0.97"),
        "satisfaction_rate": Decimal("0.92"),
        "convenience_measures": 4,
        "licence_valid": True,
        "fuel_reserve_days": Decimal("15"),
    }
    values = dict(changes) if only else {**values, **changes}
    rows = [
        {"field": f, "label": None, "value": v, "unit": None} for f, v in values.items()
    ]
    return frame("application.xlsx", "关键数据", rows)


def claims(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Claims (sub_item, max_points, claimed) on rows 2 and below of 自评分."""
    rows = rows or (
        ("C1.1", "3", "3"),
        ("C1.4", "1", "1"),
        ("C5.1", "5", "4"),
        ("B2", "2", "0"),
    )
    records = [
        {
            "sub_item": sub_item,
            "category": None,
            "name": None,
            "max_points": Decimal(maximum),
            "claimed": Decimal(claimed),
            "remark": None,
        }
        for sub_item, maximum, claimed in rows
    ]
    return frame("application.xlsx", "自评分", records)


def evidence(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """Evidence files (sub_item, path, kind, sha256); `_file` is the path."""
    rows = rows or (
        ("C1.1", "evidence/C1.1/sign-in.pdf", "pdf", SHA_MEETINGS),
        ("C1.4", "evidence/C1.4/licence.jpg", "image", SHA_LICENCE),
        ("C5.1", "evidence/C5.1/ledger.xlsx", "office", SHA_LEDGER),
    )
    records = [
        {
            "sub_item": s,
            "path": p,
            "kind": k,
            "sha256": h,
            "_file": p,
            "_sheet": None,
            "_row": None,
        }
        for s, p, k, h in rows
    ]
    return pd.DataFrame(
        records,
        columns=["sub_item", "path", "kind", "sha256", "_file", "_sheet", "_row"],
        dtype=object,
    )


def complaint(**changes: Any) -> dict[str, Any]:
    """One valid, timely, closed complaint; `changes` override fields."""
    return {
        "id": "TS-001",
        "received_on": date(2025, 11, 3),
        "household": "H-0001",
        "category": "室温不达标",
        "valid": True,
        "caused_by_household": False,
        "responded_on_time": True,
        "closed_on": date(2025, 11, 4),
        "callback_satisfied": True,
        "repeat": False,
        "hotline_ticket": None,
        **changes,
    }


def table(name: str, rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A package table on rows 2 and below of its CSV file."""
    return frame(TABLE_FILES[name], None, rows, columns=columns)


COMPLAINT_COLUMNS = list(complaint())
SPOT_CHECK_COLUMNS = ["id", "checked_on", "household", "temperature"]
OUTAGE_COLUMNS = [
    "id",
    "started_at",
    "ended_at",
    "households_affected",
    "planned",
    "cause",
]
INCIDENT_COLUMNS = ["id", "occurred_on", "level", "description"]
ACTIVITY_COLUMNS = ["id", "held_on", "topic", "participants"]


def enterprise_tables() -> dict[str, pd.DataFrame]:
    """A package that passes every check."""
    return {
        "identity": identity(),
        "key_figures": key_figures(),
        "claims": claims(),
        "evidence": evidence(),
        "complaints": table(
            "complaints",
            [
                complaint(hotline_ticket="12345-001"),
                complaint(
                    id="TS-002",
                    household="H-0002",
                    received_on=date(2026, 1, 20),
                    closed_on=None,
                    callback_satisfied=None,
                ),
            ],
            COMPLAINT_COLUMNS,
        ),
        "spot_checks": table(
            "spot_checks",
            [
                {
                    "id": "CJ-1",
                    "checked_on": date(2025, 12, 1),
                    "household": "H-0001",
                    "temperature": Decimal("19.5"),
                },
                {
                    "id": "CJ-2",
                    "checked_on": date(2026, 1, 5),
                    "household": "H-0003",
                    "temperature": Decimal("21"),
                },
            ],
            SPOT_CHECK_COLUMNS,
        ),
        "outages": table(
            "outages",
            [
                {
                    "id": "TR-1",
                    "started_at": datetime(2025, 12, 24, 22, 0),
                    "ended_at": datetime(2025, 12, 25, 9, 30),
                    "households_affected": 120,
                    "planned": False,
                    "cause": "管网爆管",
                }
            ],
            OUTAGE_COLUMNS,
        ),
        "incidents": table("incidents", [], INCIDENT_COLUMNS),
        "drills": table(
            "drills",
            [
                {
                    "id": "YL-1",
                    "held_on": date(2025, 9, 20),
                    "topic": "管网抢修演练",
                    "participants": 35,
                }
            ],
            ACTIVITY_COLUMNS,
        ),
        "trainings": table(
            "trainings",
            [
                {
                    "id": "PX-1",
                    "held_on": date(2025, 8, 15),
                    "topic": "司炉工安全培训",
                    "participants": 40,
                }
            ],
            ACTIVITY_COLUMNS,
        ),
    }


def context(today: date = TODAY, **extra: Any) -> CheckContext:
    """The context of the clean package, with the default rulebook."""
    return build_context(
        season="2025-2026",
        county_code="150402",
        today=today,
        rulebook=load_rulebook(),
        **extra,
    )
