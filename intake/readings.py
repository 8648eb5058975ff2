"""Analyse a room-temperature readings export: checks and compliance figures.

The platform export (device, household, timestamp, temperature) is the largest
input, millions of rows per enterprise and season. DuckDB reads it from CSV,
gzip-compressed CSV or Parquet under a fixed memory limit and writes to a
temporary folder what does not fit, so memory does not grow with the file.

Definitions (settings in `heateval.settings`, prefix `readings_`):

- Season window: season_start 00:00 to season_end 24:00 local time, cut at the end
  of `today` while the season is still running. Naive timestamps are local time in
  `tz`; timestamps with an offset or zone name are converted.
- A reading is valid when it is readable, inside the window, within the plausible
  range (-10 to 45 °C by default, limits included) and not a duplicate.
- A duplicate repeats the device, household and instant of another reading. One
  reading per device, household and instant counts, with the lowest temperature
  of its copies, so repeated rows never raise compliance.
- A reading complies when it is at or above the county threshold.
- A household complies when at least `readings_household_share` (default one
  half) of its valid readings comply. With one half this is "the household's
  upper median reading is at or above the threshold", computed from integer
  counts rather than from temperatures.
- A device has a long gap when it has no valid reading for more than
  `readings_gap_hours` (default 72) inside the window. The stretch from the window
  start to its first reading counts, and so does the stretch from its last reading
  to the window end (season end, or the start of `today` while the season runs).
- Shares are exact integer ratios truncated (never rounded up) to 4 decimals, so
  a share is never reported above a rulebook step it did not reach.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from pydantic import BaseModel, ConfigDict

from heateval.settings import Settings, get_settings
from intake.defects import Defect, Severity
from intake.readings_cells import run_scan
from intake.readings_defects import EPOCH, DefectBuilder, clean_value
from intake.readings_examples import collect_examples
from intake.readings_scan import ScanResult, ScanWindow
from intake.readings_source import (
    Format,
    SourceError,
    csv_source,
    detect_format,
    duckdb_path,
    open_regular_file,
    parquet_source,
)

logger = logging.getLogger(__name__)

SHARE_PLACES = Decimal("0.0001")
# Exceptions DuckDB raises for a file it cannot parse. Other DuckDB errors (an
# invalid query, no memory or disk left) are faults of ours and propagate.
READ_ERRORS = (
    duckdb.InvalidInputException,
    duckdb.IOException,
    duckdb.ConversionException,
    duckdb.OutOfRangeException,  # e.g. a Parquet timestamp in the year 290000
)
ONE_MICROSECOND = timedelta(microseconds=1)
OFFSET_CHECK_MARGIN = timedelta(days=2)


class ReadingsReport(BaseModel):
    """Counts, shares and defects of one readings export."""

    model_config = ConfigDict(frozen=True)

    file: str
    readings_total: int
    readings_valid: int
    readings_compliant: int
    households_with_readings: int
    households_compliant: int
    devices: int
    devices_with_long_gaps: int
    duplicates: int
    out_of_range: int
    outside_season: int
    unparseable: int
    compliance_share: Decimal
    households_compliant_share: Decimal
    households_measured_share: Decimal
    device_coverage: Decimal
    defects: list[Defect]

    @property
    def blocked(self) -> bool:
        """Whether a blocking defect makes the counts unusable."""
        return any(defect.severity is Severity.BLOCKING for defect in self.defects)


def share(numerator: int, denominator: int) -> Decimal:
    """Return numerator / denominator capped at 1, truncated to 4 decimals."""
    if denominator <= 0:
        return Decimal("0.0000")
    value = min(Decimal(numerator) / Decimal(denominator), Decimal(1))
    return value.quantize(SHARE_PLACES, rounding=ROUND_DOWN)


def _instant(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_MICROSECOND


def _fixed_offset(zone: ZoneInfo, start: datetime, end: datetime) -> int | None:
    """Return the zone's UTC offset in microseconds if constant from start to end."""
    offsets = set()
    moment = start - OFFSET_CHECK_MARGIN
    while moment <= end + OFFSET_CHECK_MARGIN and len(offsets) < 2:
        offsets.add(moment.astimezone(zone).utcoffset())
        moment += timedelta(hours=1)
    if len(offsets) != 1:
        return None
    return next(iter(offsets)) // ONE_MICROSECOND


def make_window(
    *,
    season_start: date,
    season_end: date,
    today: date,
    threshold: Decimal,
    zone: ZoneInfo,
    settings: Settings,
) -> ScanWindow:
    """Build the scan limits from the season, today and the settings."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone)

    start = midnight(season_start)
    end = midnight(min(season_end, today) + timedelta(days=1))
    gap_end = min(midnight(season_end + timedelta(days=1)), midnight(today))
    return ScanWindow(
        start=_instant(start),
        end=_instant(end),
        gap_end=_instant(gap_end),
        gap=settings.readings_gap_hours * 3_600_000_000,
        naive_offset=_fixed_offset(zone, start, max(end, gap_end)),
        threshold=threshold,
        minimum=settings.readings_min_temperature,
        maximum=settings.readings_max_temperature,
        household_share=settings.readings_household_share,
    )


def _connect(settings: Settings, temp_dir: str, tz: str) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(
        ":memory:",
        config={
            "threads": settings.readings_threads,
            "memory_limit": settings.readings_memory_limit,
            "temp_directory": temp_dir,
            # The main scan counts and does not depend on row order, so DuckDB
            # may insert rows in any order. The examples pass sets it back.
            "preserve_insertion_order": False,
        },
    )
    # The zone name was validated by ZoneInfo, so it contains no quote.
    connection.execute(f"SET TimeZone = '{tz}'")
    return connection


def _scan_file(
    path: Path, window: ScanWindow, settings: Settings, tz: str
) -> tuple[ScanResult, dict]:
    """Open, check and scan the file; raise SourceError when it is unusable."""
    fd = open_regular_file(path)
    try:
        fmt = detect_format(fd)
        name = duckdb_path(fd, path)
        with tempfile.TemporaryDirectory(
            prefix="heateval-readings-", dir=settings.readings_temp_dir
        ) as temp_dir:
            connection = _connect(settings, temp_dir, tz)
            try:
                if fmt is Format.PARQUET:
                    source = parquet_source(connection, name)
                else:
                    source = csv_source(fd, fmt)
                scan = run_scan(
                    connection,
                    source,
                    name,
                    window,
                    settings.readings_max_malformed_lines,
                )
                if not scan.too_many_malformed:
                    collect_examples(connection, source, name, window, scan)
            except READ_ERRORS as error:
                raise SourceError(
                    "readings.unreadable",
                    "文件无法按 CSV 或 Parquet 读取（可能已损坏、被截断或引号不配对），"
                    "请重新导出后上传。",
                    value=str(error).strip().splitlines()[0],
                ) from error
            finally:
                connection.close()
        return scan, source.headers
    finally:
        os.close(fd)


def _blocked_report(label: str, error: SourceError) -> ReadingsReport:
    defect = Defect(
        file=label,
        value=clean_value(error.value),
        rule=error.rule,
        severity=Severity.BLOCKING,
        message=error.message,
    )
    zero = Decimal("0.0000")
    return ReadingsReport(
        file=label,
        readings_total=0,
        readings_valid=0,
        readings_compliant=0,
        households_with_readings=0,
        households_compliant=0,
        devices=0,
        devices_with_long_gaps=0,
        duplicates=0,
        out_of_range=0,
        outside_season=0,
        unparseable=0,
        compliance_share=zero,
        households_compliant_share=zero,
        households_measured_share=zero,
        device_coverage=zero,
        defects=[defect],
    )


def analyse_readings(
    path: Path,
    *,
    season_start: date,
    season_end: date,
    threshold: Decimal,
    households_served: int,
    today: date | None = None,
    file_label: str | None = None,
    tz: str = "Asia/Shanghai",
) -> ReadingsReport:
    """Check a readings export and compute the compliance figures.

    Args:
        path: CSV, CSV.gz or Parquet file inside an extracted package. A symbolic
            link is rejected, not followed.
        season_start, season_end: first and last day of the heating season.
        threshold: county indoor temperature threshold, °C.
        households_served: households the enterprise serves (denominator of the
            measured and coverage shares).
        today: cuts the window while the season runs; default today in `tz`.
        file_label: file name used in defects; default the file's name.
        tz: zone of naive timestamps and of the season days.

    Returns:
        The report. A file that cannot be read gives a report with zero counts
        and one blocking defect instead of an exception.

    Raises:
        ValueError: season_end before season_start, a threshold that is not a
            finite number, or an unknown time zone.
    """
    if season_end < season_start:
        raise ValueError(
            f"season_end {season_end} is before season_start {season_start}"
        )
    if not threshold.is_finite():
        raise ValueError(f"threshold {threshold} is not a finite number")
    zone = ZoneInfo(tz)
    settings = get_settings()
    today = today or datetime.now(zone).date()
    label = file_label or path.name
    window = make_window(
        season_start=season_start,
        season_end=season_end,
        today=today,
        threshold=threshold,
        zone=zone,
        settings=settings,
    )

    started = clock.perf_counter()
    try:
        scan, headers = _scan_file(path, window, settings, tz)
    except SourceError as error:
        logger.warning(
            "readings file %s rejected: %s (%s)", label, error.rule, error.value
        )
        return _blocked_report(label, error)

    defects = DefectBuilder(label, headers, window, zone).build(scan)
    unparseable = scan.unparseable + scan.malformed_lines
    logger.info(
        "readings file %s: %d rows, %d valid, %d compliant, %d devices in %.1fs",
        label,
        scan.total,
        scan.valid,
        scan.compliant,
        scan.devices,
        clock.perf_counter() - started,
    )
    return ReadingsReport(
        file=label,
        readings_total=scan.total,
        readings_valid=scan.valid,
        readings_compliant=scan.compliant,
        households_with_readings=scan.households,
        households_compliant=scan.households_compliant,
        devices=scan.devices,
        devices_with_long_gaps=scan.devices_with_long_gaps,
        duplicates=scan.duplicates,
        out_of_range=scan.out_of_range,
        outside_season=scan.outside_season,
        unparseable=unparseable,
        compliance_share=share(scan.compliant, scan.valid),
        households_compliant_share=share(scan.households_compliant, scan.households),
        households_measured_share=share(scan.households, households_served),
        device_coverage=share(scan.devices, households_served),
        defects=defects,
    )
