"""Reduce the parsed readings to cells and read the report's counts from them.

A cell is one device, household and time bucket as wide as the long-gap limit
(72 hours by default). The steps, each a DuckDB statement:

1. `readings_parsed`: every row reduced to device and household keys (64-bit
   hashes of the codes), instant, compliance and class. DuckDB keeps this table
   in its buffer pool and writes it to `temp_directory` beyond `memory_limit`.
2. `readings_buckets`: counts per cell, plus a 1024-slot bitmap of where in the
   bucket each valid reading falls. When a cell has as many occupied slots as
   readings, no two readings share an instant, so the cell has no duplicates.
   Readings at least bucket/1024 apart (253 seconds for 72 hours) always pass.
3. `readings_exact`: only for the cells that failed the test, readings grouped
   by exact instant. Copies of an instant count once, and comply only when all
   of them comply (the lowest temperature counts).
4. `readings_cells`: the buckets with exact counts where needed.

A gap longer than the bucket width can only lie between two non-empty buckets of
a device. There it equals the first instant of the later bucket minus the last
instant of the earlier one, so the cells give exact gaps as well.

The SQL is assembled from integers, Decimal text and fixed fragments only.
"""

from __future__ import annotations

from typing import Any

import duckdb

from intake.readings_scan import (
    EXAMPLES,
    ScanResult,
    ScanWindow,
    classified_query,
    double,
)
from intake.readings_source import ReadingsSource

SLOTS = 1024


def parse_statement(classified: str, window: ScanWindow) -> str:
    """Return the statement that stores every row as keys, instant and class."""
    # NOTE: devices and households are identified by a 64-bit hash of their code,
    # so two codes with the same hash would count as one.
    return f"""
CREATE TEMP TABLE readings_parsed AS
SELECT
    hash(device) AS device_key,
    hash(household) AS household_key,
    instant,
    temperature >= {double(window.threshold)} AS compliant,
    CAST(category AS UTINYINT) AS category
FROM ({classified})
"""  # noqa: S608


def bucket_statements(window: ScanWindow) -> list[str]:
    """Return the statements that build `readings_cells` from `readings_parsed`."""
    bucket = f"(instant - {window.start}) // {window.gap}"
    slot = f"(instant - {window.start}) % {window.gap} * {SLOTS} // {window.gap}"
    return [
        f"""
CREATE TEMP TABLE readings_buckets AS
SELECT device_key, household_key, category,
    CASE WHEN category = 0 THEN {bucket} END AS bucket,
    count(*) AS rows,
    count(*) FILTER (category = 0 AND compliant) AS compliant,
    min(instant) AS first_instant,
    max(instant) AS last_instant,
    bit_count(bitstring_agg({slot}, 0, {SLOTS - 1}) FILTER (category = 0)) AS slots
FROM readings_parsed
GROUP BY ALL
""",  # noqa: S608
        f"""
CREATE TEMP TABLE readings_exact AS
WITH instants AS (
    SELECT device_key, household_key, bucket, instant,
        count(*) AS copies, bool_and(compliant) AS compliant
    FROM (
        SELECT *, {bucket} AS bucket FROM readings_parsed WHERE category = 0
    ) AS parsed
    SEMI JOIN (
        SELECT device_key, household_key, bucket FROM readings_buckets
        WHERE category = 0 AND slots < rows
    ) AS uncertain USING (device_key, household_key, bucket)
    GROUP BY ALL
)
SELECT device_key, household_key, bucket,
    count(*) AS readings,
    count(*) FILTER (compliant) AS compliant,
    min(instant) FILTER (copies > 1) AS first_duplicate,
    arg_min(copies, instant) FILTER (copies > 1) AS first_duplicate_copies
FROM instants
GROUP BY ALL
""",  # noqa: S608
        """
CREATE TEMP TABLE readings_cells AS
SELECT b.device_key, b.household_key, b.category, b.bucket, b.rows,
    CASE WHEN b.category = 0 THEN coalesce(e.readings, b.rows) ELSE 0 END
        AS readings,
    coalesce(e.compliant, b.compliant) AS compliant,
    b.first_instant, b.last_instant, e.first_duplicate, e.first_duplicate_copies
FROM readings_buckets AS b
LEFT JOIN readings_exact AS e
    ON b.category = 0 AND b.device_key = e.device_key
    AND b.household_key = e.household_key AND b.bucket = e.bucket
""",
        "DROP TABLE readings_parsed",
    ]


def _silences_statement(window: ScanWindow) -> str:
    """Return the statement that stores each device's longest silence and span."""
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


def _totals(connection: duckdb.DuckDBPyConnection, result: ScanResult) -> None:
    totals = connection.execute(
        """SELECT category, sum(rows), sum(readings), sum(compliant)
        FROM readings_cells GROUP BY category"""
    ).fetchall()
    names = {1: "unparseable", 2: "outside_season", 3: "out_of_range"}
    for category, rows, readings, compliant in totals:
        result.total += rows
        if category == 0:
            result.valid = readings
            result.compliant = compliant
            result.duplicates = rows - readings
        else:
            setattr(result, names[category], rows)


def _households(
    connection: duckdb.DuckDBPyConnection, window: ScanWindow, result: ScanResult
) -> None:
    numerator, denominator = window.household_share.as_integer_ratio()
    row = connection.execute(
        f"""SELECT count(*),
            count(*) FILTER (compliant * {denominator} >= readings * {numerator})
        FROM (
            SELECT sum(readings) AS readings, sum(compliant) AS compliant
            FROM readings_cells WHERE category = 0 GROUP BY household_key
        )"""  # noqa: S608
    ).fetchone()
    result.households, result.households_compliant = row or (0, 0)


def _devices(
    connection: duckdb.DuckDBPyConnection, window: ScanWindow, result: ScanResult
) -> None:
    connection.execute(_silences_statement(window))
    row = connection.execute(
        f"""SELECT count(*), count(*) FILTER (longest > {window.gap})
        FROM readings_silences"""  # noqa: S608
    ).fetchone()
    result.devices, result.devices_with_long_gaps = row or (0, 0)
    cursor = connection.execute(
        f"""SELECT device_key, longest, silent_from, silent_until
        FROM readings_silences WHERE longest > {window.gap}
        ORDER BY longest DESC, device_key LIMIT {EXAMPLES}"""  # noqa: S608
    )
    result.gap_examples = [
        {"device_key": key, "silence": longest, "from": start, "until": stop}
        for key, longest, start, stop in cursor.fetchall()
    ]

    row = connection.execute(
        """SELECT count(*), list(device_key ORDER BY device_key)[:$examples]
        FROM (
            SELECT device_key FROM readings_cells WHERE category = 0
            GROUP BY device_key HAVING count(DISTINCT household_key) > 1
        )""",
        {"examples": EXAMPLES},
    ).fetchone()
    count, keys = row or (0, [])
    result.shared_devices = count
    result.shared_device_keys = list(keys or [])


def summarise(
    connection: duckdb.DuckDBPyConnection, window: ScanWindow, result: ScanResult
) -> None:
    """Fill result's counts from the `readings_cells` table."""
    _totals(connection, result)
    _households(connection, window, result)
    _devices(connection, window, result)
    keys = connection.execute(
        f"""SELECT device_key, household_key, first_duplicate, first_duplicate_copies
        FROM readings_cells WHERE first_duplicate IS NOT NULL
        ORDER BY first_duplicate, device_key LIMIT {EXAMPLES}"""  # noqa: S608
    ).fetchall()
    result.duplicate_keys = [tuple(key) for key in keys]


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
    classified = classified_query(source, window, source.relation, numbered=False)
    connection.execute(parse_statement(classified, window), parameters)
    for statement in bucket_statements(window):
        connection.execute(statement)
    summarise(connection, window, result)
    if source.rejects:
        collect_rejects(connection, max_malformed + 1, result)
    return result
