"""Scan a readings export once with DuckDB and count what the rulebook needs.

Every row falls in exactly one class, checked in this order:

1. unparseable: device or household empty, timestamp or temperature unreadable;
2. outside the season window;
3. out of the plausible temperature range;
4. duplicate: same device and instant as another row of classes 4-5; one row of
   each device and instant is valid, the others are duplicates. When the copies
   differ, the lowest temperature counts, so duplicates never raise compliance;
5. valid.

The scan is one statement with two hash aggregations. The first groups valid and
duplicate rows by (device, instant): as many groups as readings, spilled to
`temp_directory` beyond `memory_limit`. The second groups those by device,
household and a time bucket as wide as the long-gap limit, which leaves a table
of about (devices x season length / gap limit) rows: `readings_cells`. Every
figure comes from that small table.

A gap longer than the bucket width can only lie between two non-empty buckets of
a device, and there it equals the first instant of the later bucket minus the
last instant of the earlier one, so the buckets give the exact gaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

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
    skipped_lines: list[int] = field(default_factory=list)
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)
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


def cells_query(source: ReadingsSource, window: ScanWindow) -> str:
    """Return the statement that creates the temp table `readings_cells`."""
    classified = classified_query(source, window, source.relation, numbered=False)
    return f"""
CREATE TEMP TABLE readings_cells AS
WITH readings AS (
    SELECT
        CASE WHEN category = 0 THEN device END AS device_key,
        CASE WHEN category = 0 THEN instant END AS instant,
        category,
        count(*) AS copies,
        min(temperature) AS temperature,
        -- NOTE: households are counted by a 64-bit hash of their code; two codes
        -- with the same hash would count as one household.
        arg_min(hash(household), temperature) AS household_key
    FROM ({classified})
    GROUP BY ALL
)
SELECT
    device_key, household_key, category,
    (instant - {window.start}) // {window.gap} AS bucket,
    sum(copies) AS rows,
    count(*) AS readings,
    count(*) FILTER (category = 0 AND temperature >= {double(window.threshold)})
        AS compliant,
    min(instant) AS first_instant,
    max(instant) AS last_instant,
    min(instant) FILTER (copies > 1) AS first_duplicate
FROM readings
GROUP BY ALL
"""  # noqa: S608


def summarise(
    connection: duckdb.DuckDBPyConnection, window: ScanWindow, result: ScanResult
) -> None:
    """Fill result from the `readings_cells` table."""
    totals = connection.execute(
        """SELECT category, sum(rows), sum(readings), sum(compliant)
        FROM readings_cells GROUP BY category"""
    ).fetchall()
    for category, rows, readings, compliant in totals:
        result.total += rows
        if category == 0:
            result.valid = readings
            result.compliant = compliant
            result.duplicates = rows - readings
        else:
            setattr(result, CATEGORY_NAMES[category], rows)

    numerator, denominator = window.household_share.as_integer_ratio()
    households = connection.execute(
        f"""SELECT count(*),
            count(*) FILTER (compliant * {denominator} >= readings * {numerator})
        FROM (
            SELECT sum(readings) AS readings, sum(compliant) AS compliant
            FROM readings_cells WHERE category = 0 GROUP BY household_key
        )"""  # noqa: S608
    ).fetchone()
    result.households, result.households_compliant = households or (0, 0)

    connection.execute(_silences_query(window))
    devices = connection.execute(
        f"""SELECT count(*), count(*) FILTER (longest > {window.gap})
        FROM readings_silences"""  # noqa: S608
    ).fetchone()
    result.devices, result.devices_with_long_gaps = devices or (0, 0)
    cursor = connection.execute(
        f"""SELECT device_key, longest, silent_from, silent_until
        FROM readings_silences WHERE longest > {window.gap}
        ORDER BY longest DESC, device_key LIMIT {EXAMPLES}"""  # noqa: S608
    )
    result.gap_examples = [
        {"device": device, "silence": longest, "from": start, "until": stop}
        for device, longest, start, stop in cursor.fetchall()
    ]

    keys = connection.execute(
        f"""SELECT device_key, first_duplicate FROM readings_cells
        WHERE first_duplicate IS NOT NULL
        ORDER BY first_duplicate, device_key LIMIT {EXAMPLES}"""  # noqa: S608
    ).fetchall()
    result.duplicate_keys = [(device, instant) for device, instant in keys]


def _silences_query(window: ScanWindow) -> str:
    """Return the statement that stores each device's longest silence and its span."""
    return f"""
CREATE TEMP TABLE readings_silences AS
WITH buckets AS (
    SELECT device_key, bucket,
           min(first_instant) AS first_instant, max(last_instant) AS last_instant
    FROM readings_cells WHERE category = 0
    GROUP BY device_key, bucket
),
silences AS (
    SELECT device_key,
        coalesce(lag(last_instant) OVER device, {window.start}) AS before_from,
        first_instant AS before_until,
        last_instant AS after_from,
        lead(first_instant) OVER device IS NULL AS is_last
    FROM buckets
    WINDOW device AS (PARTITION BY device_key ORDER BY bucket)
),
spans AS (
    SELECT device_key, before_from AS silent_from, before_until AS silent_until
    FROM silences
    UNION ALL
    SELECT device_key, after_from, {window.gap_end} FROM silences WHERE is_last
)
SELECT device_key,
    max(silent_until - silent_from) AS longest,
    arg_max(silent_from, silent_until - silent_from) AS silent_from,
    arg_max(silent_until, silent_until - silent_from) AS silent_until
FROM spans
GROUP BY device_key
"""  # noqa: S608


def collect_rejects(
    connection: duckdb.DuckDBPyConnection, limit: int, result: ScanResult
) -> None:
    """Count the malformed CSV lines that DuckDB skipped and keep a few examples."""
    records, lines = connection.execute(
        "SELECT count(*), count(DISTINCT line) FROM readings_rejects"
    ).fetchone() or (0, 0)
    result.malformed_lines = lines
    result.total += lines
    # DuckDB stops recording at rejects_limit and then skips bad lines unseen.
    result.too_many_malformed = records >= limit
    cursor = connection.execute(
        f"""SELECT line, min(error_type), trim(min(csv_line), E'\\r\\n')
        FROM readings_rejects GROUP BY line ORDER BY line LIMIT {EXAMPLES}"""  # noqa: S608
    )
    result.malformed_examples = [
        {"row": line, "error": error, "value": text}
        for line, error, text in cursor.fetchall()
    ]
    skipped = connection.execute(
        "SELECT DISTINCT line FROM readings_rejects ORDER BY line"
    ).fetchall()
    result.skipped_lines = [line for (line,) in skipped]


def run_scan(
    connection: duckdb.DuckDBPyConnection,
    source: ReadingsSource,
    path: str,
    window: ScanWindow,
    max_malformed: int,
) -> ScanResult:
    """Scan the file and return its counts; duckdb.Error propagates."""
    result = ScanResult(malformed_limit=max_malformed)
    parameters: dict[str, Any] = {"path": path}
    if source.rejects:
        parameters["rejects_limit"] = max_malformed + 1
    connection.execute(cells_query(source, window), parameters)
    summarise(connection, window, result)
    if source.rejects:
        collect_rejects(connection, max_malformed + 1, result)
    return result
