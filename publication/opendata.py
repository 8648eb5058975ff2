"""Open data: the rows of each notice and announcement as CSV and JSON.

CSV is UTF-8 with a byte-order mark (so spreadsheet programs detect the encoding),
RFC 4180 quoting and CRLF line ends. A cell that a spreadsheet could read as a
formula (first character `=`, `+`, `-`, `@`, tab or carriage return, or `=`, `+`,
`-`, `@` after leading white space) gets a leading apostrophe `'`. JSON keeps the
original text; points are strings with two decimals so that no reader turns them
into binary floats. docs/opendata.md documents both formats.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from publication.render import format_points
from publication.views import GRADE_COLOURS, ResultRow

SCHEMA_ID = "heateval-results/1"
CATEGORY_CODES = tuple(f"C{n}" for n in range(1, 9))
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "number",
    "season",
    "county_code",
    "county_name",
    "credit_code",
    "enterprise_name",
    "enterprise_type",
    "base",
    "bonus",
    "deductions",
    "final",
    "grade",
    "plate_colour",
    *(f"{code}_points" for code in CATEGORY_CODES),
    "sheet_version",
    "publicity_period",
)


def neutralise_cell(value: str) -> str:
    """Prefix `'` to a cell a spreadsheet would otherwise evaluate as a formula."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if value.lstrip(" \t\r\n").startswith(FORMULA_TRIGGERS[:4]):
        return "'" + value
    return value


def record(row: ResultRow, season: str) -> dict[str, Any]:
    """Return one result row as an open-data record (points as strings)."""
    sheet = row.sheet
    points = {c.code: c for c in sheet.categories}
    result: dict[str, Any] = {
        "number": row.number,
        "season": season,
        "county_code": row.enterprise.county_code,
        "county_name": row.enterprise.county_name,
        "credit_code": row.enterprise.credit_code,
        "enterprise_name": row.enterprise.name,
        "enterprise_type": row.enterprise.type,
        "base": format_points(sheet.base),
        "bonus": format_points(sheet.bonus),
        "deductions": format_points(sheet.deductions),
        "final": format_points(sheet.final),
        "grade": sheet.grade,
        "plate_colour": GRADE_COLOURS[sheet.grade],
    }
    for code in CATEGORY_CODES:
        category = points.get(code)
        applicable = category is not None and category.applicable
        result[f"{code}_points"] = (
            format_points(category.points) if applicable else None
        )
    result["sheet_version"] = sheet.version
    result["publicity_period"] = row.period or None
    return result


def to_csv(records: Iterable[dict[str, Any]]) -> bytes:
    """Write records as spreadsheet-safe CSV bytes (BOM, CRLF, neutralised cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in records:
        cells = [
            "" if item[column] is None else str(item[column]) for column in COLUMNS
        ]
        writer.writerow([neutralise_cell(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(header: dict[str, Any], records: Sequence[dict[str, Any]]) -> bytes:
    """Write a dataset as JSON bytes: sorted keys, two-space indent, final newline."""
    document = {"schema": SCHEMA_ID, **header, "records": list(records)}
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of every dataset `to_json` writes."""
    points = {"type": "string", "pattern": r"^\d{1,3}\.\d{2}$"}
    optional_points = {"type": ["string", "null"], "pattern": r"^\d{1,3}\.\d{2}$"}
    date = {"type": ["string", "null"], "format": "date"}
    properties: dict[str, Any] = {
        "number": {"type": "integer", "minimum": 1},
        "season": {"type": "string", "pattern": r"^\d{4}-\d{4}$"},
        "county_code": {"type": "string", "pattern": r"^\d{6}$"},
        "county_name": {"type": "string"},
        "credit_code": {"type": "string"},
        "enterprise_name": {"type": "string"},
        "enterprise_type": {"enum": ["heat_source", "heating"]},
        "base": points,
        "bonus": points,
        "deductions": points,
        "final": points,
        "grade": {"enum": ["A", "B", "C", "D"]},
        "plate_colour": {"enum": ["green", "blue", "yellow", "red"]},
        **{f"{code}_points": optional_points for code in CATEGORY_CODES},
        "sheet_version": {"type": "integer", "minimum": 1},
        "publicity_period": {"type": ["string", "null"]},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "赤峰市城镇集中供热企业综合评价结果（公示或公告）",
        "type": "object",
        "required": ["schema", "kind", "season", "county_code", "issuer", "records"],
        "additionalProperties": False,
        "properties": {
            "schema": {"const": SCHEMA_ID},
            "kind": {"enum": ["publicity", "final", "publicity_compilation"]},
            "season": properties["season"],
            "county_code": {"type": ["string", "null"], "pattern": r"^\d{6}$"},
            "issuer": {"type": "string"},
            "round": {"type": ["integer", "null"], "minimum": 1},
            "opens_on": date,
            "closes_on": date,
            "published_on": date,
            "content_hash": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
            "records": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": list(COLUMNS),
                    "additionalProperties": False,
                    "properties": properties,
                },
            },
        },
    }


def schema_bytes() -> bytes:
    """Return the JSON Schema file's bytes."""
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")
