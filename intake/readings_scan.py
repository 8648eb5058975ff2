"""Classify every row of a readings export: the shared SQL and the scan's types.

Every row falls in exactly one class, checked in this order:

1. unparseable: device or household empty, timestamp or temperature unreadable;
2. outside the season window;
3. out of the plausible temperature range;
4. duplicate: same device, household and instant as another row of classes 4-5;
   one row of each device, household and instant is valid, the others are
   duplicates. When the copies differ, the lowest temperature counts, so
   duplicates never raise compliance;
5. valid.

`readings_cells` turns the classified rows into counts; `readings_examples` reads
the first rows of each class again to show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from intake.readings_source import ReadingsSource

UNPARSEABLE, OUTSIDE_SEASON, OUT_OF_RANGE = 1, 2, 3
CATEGORY_NAMES = {
    UNPARSEABLE: "unparseable",
    OUTSIDE_SEASON: "outside_season",
    OUT_OF_RANGE: "out_of_range",
}
EXAMPLES = 5
NAIVE_FORMATS = (
    "['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M']"
)
NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)
NAIVE_TIMESTAMP_TYPES = (
    "TIMESTAMP",
    "TIMESTAMP_S",
    "TIMESTAMP_MS",
    "TIMESTAMP_NS",
    "DATE",
)


@dataclass(frozen=True)
class ScanWindow:
    """Instants (microseconds since the Unix epoch) and limits for one scan.

    Readings count from `start` (inclusive) to `end` (exclusive); a device's
    trailing gap is measured up to `gap_end`. `naive_offset` is the fixed UTC
    offset of local time around the season in microseconds, or None when the time
    zone changes offset then (naive timestamps then go through DuckDB's ICU).
    """

    start: int
    end: int
    gap_end: int
    gap: int
    naive_offset: int | None
    threshold: Decimal
    minimum: Decimal
    maximum: Decimal
    household_share: Decimal


@dataclass
class ScanResult:
    """Counts from one scan, and the keys of rows worth showing as examples."""

    total: int = 0
    valid: int = 0
    compliant: int = 0
    duplicates: int = 0
    unparseable: int = 0
    outside_season: int = 0
    out_of_range: int = 0
    malformed_lines: int = 0
    malformed_limit: int = 0
    too_many_malformed: bool = False
    households: int = 0
    households_compliant: int = 0
    devices: int = 0
    devices_with_long_gaps: int = 0
    shared_devices: int = 0
    shared_device_keys: list[int] = field(default_factory=list)
    shared_device_codes: list[str] = field(default_factory=list)
    skipped_lines: list[int] = field(default_factory=list)
    # (device key, household key, instant, copies) of a few duplicated readings
    duplicate_keys: list[tuple[int, int, int, int]] = field(default_factory=list)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    malformed_examples: list[dict[str, Any]] = field(default_factory=list)
    gap_examples: list[dict[str, Any]] = field(default_factory=list)


def _timestamp_expression(column: str, type_name: str, offset: int | None) -> str:
    """Return SQL for the instant in epoch microseconds, NULL when unreadable."""
    if type_name == "VARCHAR":
        aware = f"epoch_us(TRY_CAST({column} AS TIMESTAMPTZ))"
        if offset is None:
            return aware
        # Fast path for the usual naive ISO text; anything else (offsets, zone
        # names, fractions of a second) falls through to the full ISO 8601 cast.
        naive = f"epoch_us(try_strptime({column}, {NAIVE_FORMATS}))"
        return f"COALESCE({naive} - {offset}, {aware})"
    if type_name == "TIMESTAMP WITH TIME ZONE":
        return f"epoch_us({column})"
    if type_name in NAIVE_TIMESTAMP_TYPES:
        naive = f"CAST({column} AS TIMESTAMP)"
        if offset is None:
            return f"epoch_us(CAST({naive} AS TIMESTAMPTZ))"
        return f"epoch_us({naive}) - {offset}"
    return _timestamp_expression(f"CAST({column} AS VARCHAR)", "VARCHAR", offset)


def _temperature_expression(column: str, type_name: str) -> str:
    if type_name == "VARCHAR":
        return f"TRY_CAST({column} AS DOUBLE)"
    if type_name.startswith(NUMERIC_TYPES):
        return f"CAST({column} AS DOUBLE)"
    return f"TRY_CAST(CAST({column} AS VARCHAR) AS DOUBLE)"


def double(value: Decimal) -> str:
    """Return SQL for a Decimal as DOUBLE, parsed from its text like a reading."""
    # Decimal's str() holds only digits, sign, point and exponent: safe in SQL.
    # A reading and a limit with the same text parse to the same double.
    return f"CAST('{value}' AS DOUBLE)"


def classified_query(
    source: ReadingsSource, window: ScanWindow, relation: str, *, numbered: bool
) -> str:
    """Return a SELECT of every row with its instant, temperature and class.

    With `numbered`, rows also get `row_number`: the Parquet row, or the CSV
    record number counted by a streaming window (which keeps file order but runs
    on one thread, so the main scan does without it).
    """
    row = ""
    if numbered:
        row = f"{source.row or 'row_number() OVER ()'} AS row_number, "
    instant = _timestamp_expression(
        "timestamp_text", source.timestamp_type, window.naive_offset
    )
    temperature = _temperature_expression("temperature_text", source.temperature_type)
    return f"""
    SELECT *,
        CASE
            WHEN device IS NULL OR device = '' OR household IS NULL OR household = ''
                 OR instant IS NULL OR temperature IS NULL THEN {UNPARSEABLE}
            WHEN instant < {window.start} OR instant >= {window.end}
                THEN {OUTSIDE_SEASON}
            WHEN isnan(temperature) OR temperature < {double(window.minimum)}
                 OR temperature > {double(window.maximum)} THEN {OUT_OF_RANGE}
            ELSE 0
        END AS category
    FROM (
        SELECT *, {instant} AS instant, {temperature} AS temperature
        FROM (
            SELECT {row}{source.device} AS device,
                   {source.household} AS household,
                   {source.timestamp} AS timestamp_text,
                   {source.temperature} AS temperature_text
            FROM {relation}
        )
    )"""  # noqa: S608
