"""Find example rows, with their row numbers, for the defects of a readings scan.

The main scan only counts. This pass reads the file again with numbered rows and
stops at the first few rows of each class, one LIMIT query per class. It is cheap
when defects occur early in the file and costs at most one single-threaded read
per class otherwise. It runs only for the classes that have rows.

The SQL is assembled from integers and fixed fragments; the path is a parameter.
"""

from __future__ import annotations

from typing import Any

import duckdb

from intake.readings_scan import (
    CATEGORY_NAMES,
    EXAMPLES,
    ReadingsSource,
    ScanResult,
    ScanWindow,
    classified_query,
)
from intake.readings_source import Format


def _category_examples(
    connection: duckdb.DuckDBPyConnection, numbered: str, path: str, category: int
) -> list[dict[str, Any]]:
    cursor = connection.execute(
        f"""SELECT row_number AS row, device, household,
            CAST(timestamp_text AS VARCHAR) AS timestamp,
            CAST(temperature_text AS VARCHAR) AS temperature,
            instant IS NOT NULL AS timestamp_ok,
            temperature IS NOT NULL AS temperature_ok
        FROM ({numbered}) WHERE category = {category} LIMIT {EXAMPLES}""",  # noqa: S608
        {"path": path},
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _duplicate_examples(
    connection: duckdb.DuckDBPyConnection,
    numbered: str,
    path: str,
    keys: list[tuple[int, int, int, int]],
) -> list[dict[str, Any]]:
    conditions = " OR ".join(
        f"(hash(device) = {int(device)} AND hash(household) = {int(household)} "
        f"AND instant = {int(instant)})"
        for device, household, instant, _ in keys
    )
    # The scan stops once it has seen every copy of the chosen readings.
    rows = sum(copies for *_, copies in keys)
    cursor = connection.execute(
        f"""SELECT row_number, device, household, instant, temperature
        FROM ({numbered})
        WHERE category = 0 AND ({conditions})
        LIMIT {rows}""",  # noqa: S608
        {"path": path},
    )
    first_rows: dict[tuple[str, str, int], int] = {}
    examples = []
    for row, device, household, instant, temperature in cursor.fetchall():
        key = (device, household, instant)
        if key not in first_rows:
            first_rows[key] = row
            continue
        examples.append(
            {
                "row": row,
                "previous_row": first_rows[key],
                "device": device,
                "instant": instant,
                "temperature": temperature,
            }
        )
    return examples[:EXAMPLES]


def device_codes(
    connection: duckdb.DuckDBPyConnection,
    source: ReadingsSource,
    path: str,
    keys: list[int],
) -> dict[int, str]:
    """Find the device code behind each 64-bit device key (first row that has it)."""
    codes = {}
    for key in keys:
        row = connection.execute(
            f"""SELECT device FROM (
                SELECT {source.device} AS device FROM {source.examples_relation}
            ) WHERE hash(device) = {int(key)} LIMIT 1""",  # noqa: S608
            {"path": path},
        ).fetchone()
        if row is not None:
            codes[key] = row[0]
    return codes


def line_numbers(records: list[int], skipped: list[int]) -> dict[int, int]:
    """Map CSV record numbers to file line numbers, the header being line 1.

    DuckDB numbers the records it returned; the lines it skipped as malformed
    (`skipped`, sorted) are not among them and shift the later lines.
    """
    # NOTE: blank lines and line breaks inside quoted values are not counted, so
    # after one of those the line number is too small by that many lines.
    mapping = {}
    for record in sorted(set(records)):
        line = record + 1
        for rejected in skipped:
            if rejected > line:
                break
            line += 1
        mapping[record] = line
    return mapping


def collect_examples(
    connection: duckdb.DuckDBPyConnection,
    source: ReadingsSource,
    path: str,
    window: ScanWindow,
    result: ScanResult,
) -> None:
    """Fill `result.examples` with the first rows of each class that has rows."""
    # row_number() OVER () follows file order only while DuckDB preserves it.
    connection.execute("SET preserve_insertion_order = true")
    numbered = classified_query(source, window, source.examples_relation, numbered=True)
    for category, name in CATEGORY_NAMES.items():
        if getattr(result, name):
            result.examples[name] = _category_examples(
                connection, numbered, path, category
            )
    if result.duplicate_keys:
        result.examples["duplicate"] = _duplicate_examples(
            connection, numbered, path, result.duplicate_keys
        )
    keys = [example["device_key"] for example in result.gap_examples]
    codes = device_codes(
        connection, source, path, sorted(set(keys) | set(result.shared_device_keys))
    )
    for example in result.gap_examples:
        example["device"] = codes.get(example["device_key"])
    result.shared_device_codes = [
        codes[key] for key in result.shared_device_keys if key in codes
    ]

    if source.format is Format.PARQUET:
        return
    records = [
        example[key]
        for examples in result.examples.values()
        for example in examples
        for key in ("row", "previous_row")
        if key in example
    ]
    mapping = line_numbers(records, result.skipped_lines)
    for examples in result.examples.values():
        for example in examples:
            for key in ("row", "previous_row"):
                if key in example:
                    example[key] = mapping[example[key]]
