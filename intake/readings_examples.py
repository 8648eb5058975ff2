"""Find example rows, with their row numbers, for the defects of a readings scan.

The main scan only counts. This pass reads the file again with numbered rows and
stops at the first few rows of each class (a LIMIT query per class), so it is
cheap when defects occur early in the file and costs at most one streaming read
per class otherwise. It runs only for the classes that have rows.

The SQL is assembled from integers and fixed fragments; values that come from the
file (device ids) are bound as parameters.
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

# Enough rows to see two copies of each example key when copies come in pairs.
DUPLICATE_ROWS = 4 * EXAMPLES


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
    keys: list[tuple[str, int]],
) -> list[dict[str, Any]]:
    parameters: dict[str, Any] = {"path": path}
    conditions = []
    for index, (device, instant) in enumerate(keys):
        parameters[f"device{index}"] = device
        conditions.append(f"(device = $device{index} AND instant = {int(instant)})")
    cursor = connection.execute(
        f"""SELECT row_number, device, instant, temperature
        FROM ({numbered})
        WHERE category = 0 AND ({" OR ".join(conditions)})
        LIMIT {DUPLICATE_ROWS}""",  # noqa: S608
        parameters,
    )
    first_rows: dict[tuple[str, int], int] = {}
    examples = []
    for row, device, instant, temperature in cursor.fetchall():
        key = (device, instant)
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
