"""Write a seeded synthetic room-temperature export of exactly N readings.

The export looks like what a monitoring platform sends: one thermometer per
household, one reading an hour, rows ordered by time. It also carries the faults
that intake must find, in fixed proportions so that every size exercises the
same code paths:

- readings from a two-day trial run before the season starts;
- about 2 % of devices silent for four days (a long gap);
- about 0.1 % of temperatures out of the plausible range (sensor error codes);
- about 0.05 % of rows repeated with the same device and timestamp;
- about 0.01 % of temperatures that are not numbers (written ``--``).

Memory stays bounded: rows are built and written in blocks of hours.
"""

from __future__ import annotations

import argparse
import gzip
import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

SEASON_START = date(2025, 10, 15)
SEASON_END = date(2026, 4, 15)
PRE_SEASON_HOURS = 48
GAP_DEVICE_SHARE = 0.02
GAP_HOURS = 96
OUT_OF_RANGE_SHARE = 0.001
DUPLICATE_SHARE = 0.0005
UNPARSEABLE_SHARE = 0.0001
HOUSEHOLDS_PER_DEVICE = 3
ROWS_PER_BLOCK = 500_000
FORMATS = ("csv", "csv.gz", "parquet")


def season_hours() -> int:
    """Return the number of hours from season start 00:00 to season end 24:00."""
    return ((SEASON_END - SEASON_START).days + 1) * 24


def device_count(n: int) -> int:
    """Return how many devices report hourly to reach about n readings in a season."""
    return max(1, math.ceil(n / (season_hours() + PRE_SEASON_HOURS)))


def households_served(n: int) -> int:
    """Return the households served by the synthetic enterprise for n readings."""
    return device_count(n) * HOUSEHOLDS_PER_DEVICE


def _schema(fmt: str) -> pa.Schema:
    temperature = pa.float64() if fmt == "parquet" else pa.string()
    return pa.schema(
        [
            ("device_id", pa.string()),
            ("household", pa.string()),
            ("timestamp", pa.timestamp("s")),
            ("temperature", temperature),
        ]
    )


class _Writer:
    """Write record batches to CSV, gzip-compressed CSV or Parquet."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.schema = _schema(fmt)
        if fmt == "parquet":
            self._writer = pq.ParquetWriter(path, self.schema)
            self._stream = None
        else:
            if fmt == "csv.gz":
                # Level 1: Arrow's gzip stream has no level setting, and its
                # default level takes minutes for 10 million rows.
                self._stream = gzip.open(path, "wb", compresslevel=1)
            else:
                self._stream = pa.output_stream(path)
            self._writer = pa_csv.CSVWriter(
                self._stream,
                self.schema,
                write_options=pa_csv.WriteOptions(quoting_style="none"),
            )

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()
        if self._stream is not None:
            self._stream.close()


def _block(
    rng: np.random.Generator,
    hours: np.ndarray,
    device_ids: pa.Array,
    household_ids: pa.Array,
    offsets: np.ndarray,
    means: np.ndarray,
    gap_start: np.ndarray,
    fmt: str,
    schema: pa.Schema,
) -> pa.Table:
    """Build the rows of one block of hours, time-major, with the injected faults."""
    devices = len(device_ids)
    hour = np.repeat(hours, devices)
    device = np.tile(np.arange(devices), len(hours))

    silent = (hour >= gap_start[device]) & (hour < gap_start[device] + GAP_HOURS)
    hour = hour[~silent]
    device = device[~silent]
    rows = len(hour)

    repeats = rng.random(rows) < DUPLICATE_SHARE
    order = np.repeat(np.arange(rows), 1 + repeats)
    hour = hour[order]
    device = device[order]
    rows = len(hour)

    start = np.datetime64(datetime(2025, 10, 15), "s")
    seconds = (hour - PRE_SEASON_HOURS) * 3600 + offsets[device]
    timestamps = start + seconds.astype("timedelta64[s]")

    daily = 1.2 * np.sin(2 * np.pi * (hour % 24) / 24)
    values = means[device] + daily + rng.normal(0.0, 0.8, rows)
    broken = rng.random(rows) < OUT_OF_RANGE_SHARE
    values[broken] = rng.choice([85.0, -40.0, 999.9], size=int(broken.sum()))
    values = np.round(values, 1)
    unparseable = rng.random(rows) < UNPARSEABLE_SHARE

    if fmt == "parquet":
        temperature = pa.array(values, mask=unparseable)
    else:
        text = pc.cast(pa.array(values), pa.string())
        temperature = pc.if_else(pa.array(unparseable), "--", text)

    return pa.table(
        [
            pc.take(device_ids, pa.array(device)),
            pc.take(household_ids, pa.array(device)),
            pa.array(timestamps, type=pa.timestamp("s")),
            temperature,
        ],
        schema=schema,
    )


def generate(path: Path, n: int, *, seed: int = 20251015, fmt: str = "csv") -> int:
    """Write exactly n synthetic readings to path; return the households served."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    rng = np.random.default_rng(seed)
    devices = device_count(n)
    served = devices * HOUSEHOLDS_PER_DEVICE

    # Every third household of the served range has a thermometer.
    device_ids = pa.array([f"TM{index:07d}" for index in range(devices)])
    household_ids = pa.array(
        [f"H{index * HOUSEHOLDS_PER_DEVICE:08d}" for index in range(devices)]
    )
    offsets = rng.integers(0, 3600, devices)
    means = rng.normal(20.0, 1.5, devices)
    total_hours = season_hours() + PRE_SEASON_HOURS
    gap_start = np.full(devices, -10 * GAP_HOURS)
    with_gap = rng.random(devices) < GAP_DEVICE_SHARE
    gap_start[with_gap] = rng.integers(
        PRE_SEASON_HOURS, total_hours - GAP_HOURS, int(with_gap.sum())
    )

    hours_per_block = max(1, min(ROWS_PER_BLOCK // devices, total_hours))
    writer = _Writer(path, fmt)
    written = 0
    first_hour = 0
    try:
        # Runs past the season end only when gaps removed more rows than
        # duplicates added; those rows are then outside the season.
        while written < n:
            hours = np.arange(first_hour, first_hour + hours_per_block)
            table = _block(
                rng,
                hours,
                device_ids,
                household_ids,
                offsets,
                means,
                gap_start,
                fmt,
                writer.schema,
            )
            table = table.slice(0, n - written)
            writer.write(table)
            written += table.num_rows
            first_hour += hours_per_block
    finally:
        writer.close()
    return served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="output file")
    parser.add_argument("--n", type=int, required=True, help="number of readings")
    parser.add_argument("--seed", type=int, default=20251015)
    parser.add_argument("--format", choices=FORMATS, default="csv")
    args = parser.parse_args()
    started = datetime.now()
    served = generate(args.path, args.n, seed=args.seed, fmt=args.format)
    elapsed = (datetime.now() - started) / timedelta(seconds=1)
    print(
        f"wrote {args.n} readings to {args.path} in {elapsed:.1f}s "
        f"(households served {served})"
    )


if __name__ == "__main__":
    main()
