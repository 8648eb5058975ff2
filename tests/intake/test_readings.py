"""Readings export analysis: counts, shares and defects on small hand-made files.

Season 2025-11-01 to 2025-11-10 (window 11-01 00:00 to 11-11 00:00 Asia/Shanghai),
threshold 18 °C, default settings: plausible range -10 to 45 °C, long gap over 72
hours, a household complies when at least half its valid readings comply.
Memory use on large files is measured by bench/readings.py, not here.
"""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from intake.defects import Severity
from intake.readings import ReadingsReport, analyse_readings

HEADER = ["device_id", "household", "timestamp", "temperature"]
CHINESE_HEADER = ["设备编号", "户号", "时间", "室温"]

# Two devices, no defects. d1/h1 reads every 48 hours, 5 of 6 readings comply.
# d2/h2 complies once in 5 readings and is silent for 96 hours (11-03 to 11-07).
BASIC_ROWS = [
    ["d1", "h1", "2025-11-01 00:00:00", "18"],
    ["d1", "h1", "2025-11-03 00:00:00", "17.9"],
    ["d1", "h1", "2025-11-05 00:00:00", "20"],
    ["d1", "h1", "2025-11-07 00:00:00", "21"],
    ["d1", "h1", "2025-11-09 00:00:00", "18.0"],
    ["d1", "h1", "2025-11-10 12:00:00", "19"],
    ["d2", "h2", "2025-11-01 06:00:00", "16"],
    ["d2", "h2", "2025-11-02 06:00:00", "17"],
    ["d2", "h2", "2025-11-03 06:00:00", "19"],
    ["d2", "h2", "2025-11-07 06:00:00", "15"],
    ["d2", "h2", "2025-11-09 06:00:00", "16"],
]


def write_csv(
    path: Path,
    rows: list[list[str]],
    header: list[str] = HEADER,
    *,
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def analyse(path: Path, **overrides: object) -> ReadingsReport:
    arguments: dict = {
        "season_start": date(2025, 11, 1),
        "season_end": date(2025, 11, 10),
        "threshold": Decimal("18"),
        "households_served": 4,
        "today": date(2025, 12, 1),
    }
    arguments.update(overrides)
    return analyse_readings(path, **arguments)


def rules(report: ReadingsReport) -> list[str]:
    return [defect.rule for defect in report.defects]


def examples(report: ReadingsReport, rule: str) -> list:
    return [d for d in report.defects if d.rule == rule and d.row is not None]


@pytest.fixture
def basic_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "readings.csv", BASIC_ROWS)


def assert_basic_counts(report: ReadingsReport) -> None:
    assert report.readings_total == 11
    assert report.readings_valid == 11
    assert report.readings_compliant == 6
    assert report.households_with_readings == 2
    assert report.households_compliant == 1
    assert report.devices == 2
    assert report.devices_with_long_gaps == 1
    assert report.duplicates == 0
    assert report.out_of_range == 0
    assert report.outside_season == 0
    assert report.unparseable == 0


def test_basic_csv_counts(basic_csv: Path) -> None:
    assert_basic_counts(analyse(basic_csv))


def test_shares_are_truncated_not_rounded(basic_csv: Path) -> None:
    report = analyse(basic_csv)
    # 6 / 11 = 0.545454…; rounding half up would give 0.5455.
    assert report.compliance_share == Decimal("0.5454")
    assert report.households_compliant_share == Decimal("0.5000")
    assert report.households_measured_share == Decimal("0.5000")
    assert report.device_coverage == Decimal("0.5000")


def test_shares_are_capped_at_one(basic_csv: Path) -> None:
    report = analyse(basic_csv, households_served=1)
    assert report.households_measured_share == Decimal("1.0000")
    assert report.device_coverage == Decimal("1.0000")


def test_no_households_served_gives_zero_shares(basic_csv: Path) -> None:
    report = analyse(basic_csv, households_served=0)
    assert report.households_measured_share == Decimal("0.0000")
    assert report.device_coverage == Decimal("0.0000")


def test_basic_file_has_only_the_gap_defects(basic_csv: Path) -> None:
    report = analyse(basic_csv)
    assert set(rules(report)) == {"readings.long_gap"}
    assert not report.blocked


def test_long_gap_example_names_device_and_span(basic_csv: Path) -> None:
    report = analyse(basic_csv)
    [example] = [d for d in report.defects if d.value is not None]
    assert example.value == "d2"
    assert example.column == "device_id"
    assert example.severity is Severity.REVIEW
    assert "2025-11-03 06:00:00 至 2025-11-07 06:00:00" in example.message
    assert "约 96 小时" in example.message


def test_defects_name_the_file_label(basic_csv: Path) -> None:
    report = analyse(basic_csv, file_label="readings/readings.csv")
    assert {d.file for d in report.defects} == {"readings/readings.csv"}
    assert report.file == "readings/readings.csv"


def test_chinese_headers_with_bom(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "读数.csv", BASIC_ROWS, CHINESE_HEADER, encoding="utf-8-sig"
    )
    assert_basic_counts(analyse(path))


def test_columns_in_any_order_with_extras(tmp_path: Path) -> None:
    header = ["室温", "备注", "时间", "户号", "设备编号"]
    rows = [[t, "x", ts, h, d] for d, h, ts, t in BASIC_ROWS]
    assert_basic_counts(analyse(write_csv(tmp_path / "r.csv", rows, header)))


def test_tab_separated_with_crlf(tmp_path: Path) -> None:
    lines = ["\t".join(HEADER)] + ["\t".join(row) for row in BASIC_ROWS]
    path = tmp_path / "r.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    assert_basic_counts(analyse(path))


def test_gzip_csv(tmp_path: Path, basic_csv: Path) -> None:
    path = tmp_path / "readings.csv.gz"
    path.write_bytes(gzip.compress(basic_csv.read_bytes()))
    assert_basic_counts(analyse(path))


def test_gzip_csv_detected_by_content(tmp_path: Path, basic_csv: Path) -> None:
    path = tmp_path / "readings.csv"
    path.write_bytes(gzip.compress(basic_csv.read_bytes()))
    assert_basic_counts(analyse(path))


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "device_id": [row[0] for row in BASIC_ROWS],
            "household": [row[1] for row in BASIC_ROWS],
            "timestamp": pa.array(
                [datetime.fromisoformat(row[2]) for row in BASIC_ROWS],
                pa.timestamp("s"),
            ),
            "temperature": [float(row[3]) for row in BASIC_ROWS],
        }
    )
    path = tmp_path / "readings.parquet"
    pq.write_table(table, path)
    assert_basic_counts(analyse(path))


def test_parquet_with_text_columns_and_chinese_names(tmp_path: Path) -> None:
    columns = list(zip(*BASIC_ROWS, strict=True))
    table = pa.table(
        {
            name: list(values)
            for name, values in zip(CHINESE_HEADER, columns, strict=True)
        }
    )
    path = tmp_path / "readings.parquet"
    pq.write_table(table, path)
    assert_basic_counts(analyse(path))


def test_parquet_with_zoned_timestamps(tmp_path: Path) -> None:
    table = pa.table(
        {
            "device_id": ["d1", "d1", "d1"],
            "household": ["h1", "h1", "h1"],
            # 16:00 UTC is midnight in Shanghai: 10-31 16:00 UTC opens the window.
            "timestamp": pa.array(
                [
                    datetime.fromisoformat("2025-10-31T15:59:59+00:00"),
                    datetime.fromisoformat("2025-10-31T16:00:00+00:00"),
                    datetime.fromisoformat("2025-11-10T16:00:00+00:00"),
                ],
                pa.timestamp("s", tz="UTC"),
            ),
            "temperature": [20.0, 20.0, 20.0],
        }
    )
    path = tmp_path / "readings.parquet"
    pq.write_table(table, path)
    report = analyse(path)
    assert report.outside_season == 2
    assert report.readings_valid == 1


def test_gzip_example_rows_are_line_numbers(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 01:00:00", "20"],
        ["d1", "h1", "2025-11-01 02:00:00", "50"],
    ]
    plain = write_csv(tmp_path / "r.csv", rows)
    path = tmp_path / "r.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    [example] = examples(analyse(path), "readings.out_of_range")
    assert example.row == 3


def test_parquet_example_rows_are_record_numbers(tmp_path: Path) -> None:
    table = pa.table(
        {
            "device_id": ["d1", "d1", "d1"],
            "household": ["h1", "h1", "h1"],
            "timestamp": ["2025-11-01 00:00:00", "2025-11-02 00:00:00", "2025-11-03"],
            "temperature": [20.0, 99.0, 20.0],
        }
    )
    path = tmp_path / "readings.parquet"
    pq.write_table(table, path)
    [example] = examples(analyse(path), "readings.out_of_range")
    assert example.row == 2


def test_out_of_range_limits_are_inclusive(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 01:00:00", "-10"],
        ["d1", "h1", "2025-11-01 02:00:00", "45"],
        ["d1", "h1", "2025-11-01 03:00:00", "45.1"],
        ["d1", "h1", "2025-11-01 04:00:00", "-10.5"],
        ["d1", "h1", "2025-11-01 05:00:00", "NaN"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.out_of_range == 3
    assert report.readings_valid == 2
    assert report.readings_compliant == 1


def test_out_of_range_examples_give_line_and_value(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 01:00:00", "20"],
        ["d1", "h1", "2025-11-01 02:00:00", "85.0"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    [example] = examples(report, "readings.out_of_range")
    assert example.row == 3  # the header is line 1
    assert example.value == "85.0"
    assert example.column == "temperature"
    assert example.severity is Severity.REVIEW


def test_example_line_numbers_in_a_large_file(tmp_path: Path) -> None:
    # Large enough for DuckDB to read the file in parallel chunks.
    lines = ["device_id,household,timestamp,temperature"]
    for index in range(300_000):
        minute = index % 60
        hour = index // 60 % 24
        day = 1 + index // 1440 % 9
        value = "99" if index == 250_000 else "20"
        lines.append(
            f"d{index % 50},h1,2025-11-0{day} {hour:02d}:{minute:02d}:00,{value}"
        )
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n")
    [example] = examples(analyse(path), "readings.out_of_range")
    assert example.row == 250_002


def test_many_bad_rows_give_one_summary_and_five_examples(tmp_path: Path) -> None:
    rows = [["d1", "h1", f"2025-11-01 {hour:02d}:00:00", "99"] for hour in range(20)]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    found = [d for d in report.defects if d.rule == "readings.out_of_range"]
    assert len(found) == 6
    assert "共 20 条" in found[0].message
    assert [d.row for d in found[1:]] == [2, 3, 4, 5, 6]


def test_season_window_edges(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-10-31 23:59:59", "20"],  # before the season
        ["d1", "h1", "2025-11-01 00:00:00", "20"],  # first instant of the window
        ["d1", "h1", "2025-11-10 23:59:59", "20"],  # last second of the season
        ["d1", "h1", "2025-11-11 00:00:00", "20"],  # after the season
        ["d1", "h1", "2025-10-31T16:00:00Z", "20"],  # 11-01 00:00 local: inside
        ["d1", "h1", "2025-11-10T16:00:00+00:00", "20"],  # 11-11 00:00 local
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.outside_season == 3
    assert report.readings_valid == 2
    assert report.duplicates == 1


def test_extreme_timestamps_are_outside_or_unparseable(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "294246-01-01 00:00:00", "20"],
        ["d1", "h1", "-290000-01-01 00:00:00", "20"],
        ["d1", "h1", "infinity", "20"],
        ["d1", "h1", "2025-11-01 01:00:00", "20"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.outside_season == 2
    assert report.unparseable == 1
    assert report.readings_valid == 1


def test_outside_season_example_quotes_the_text(tmp_path: Path) -> None:
    rows = [["d1", "h1", "2025-10-31 23:59:59", "20"]]
    [example] = examples(
        analyse(write_csv(tmp_path / "r.csv", rows)), "readings.outside_season"
    )
    assert example.row == 2
    assert example.value == "2025-10-31 23:59:59"
    assert example.column == "timestamp"


def test_today_cuts_a_running_season(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 00:00:00", "20"],
        ["d1", "h1", "2025-11-04 23:00:00", "20"],
        ["d1", "h1", "2025-11-05 08:00:00", "20"],  # today: counts
        ["d1", "h1", "2025-11-06 00:00:00", "20"],  # tomorrow: outside
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows), today=date(2025, 11, 5))
    assert report.outside_season == 1
    assert report.readings_valid == 3
    # 11-01 00:00 to 11-04 23:00 is 95 hours.
    assert report.devices_with_long_gaps == 1


def test_duplicates_keep_the_lowest_temperature(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-02 10:00:00", "19"],
        ["d1", "h1", "2025-11-02 10:00:00", "19"],
        ["d1", "h1", "2025-11-02T02:00:00Z", "17"],  # same instant, other text
        ["d1", "h1", "2025-11-02 11:00:00", "19"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.duplicates == 2
    assert report.readings_valid == 2
    assert report.readings_compliant == 1


def test_duplicate_example_names_both_lines(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-02 09:00:00", "19"],
        ["d1", "h1", "2025-11-02 10:00:00", "19"],
        ["d1", "h1", "2025-11-02 10:00:00", "19"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    [example] = examples(report, "readings.duplicate")
    assert example.row == 4
    assert "第 4 行与第 3 行重复" in example.message
    assert example.value == "d1 2025-11-02 10:00:00"


def test_same_instant_on_two_devices_is_not_duplicate(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-02 10:00:00", "19"],
        ["d2", "h1", "2025-11-02 10:00:00", "19"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.duplicates == 0
    assert report.readings_valid == 2


def test_close_readings_are_not_duplicates(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-02 10:00:00", "19"],
        ["d1", "h1", "2025-11-02 10:00:30", "17"],
        ["d1", "h1", "2025-11-02 10:01:00", "19"],
        ["d1", "h1", "2025-11-02 10:01:00.5", "19"],
        ["d1", "h1", "2025-11-02T02:01:00.5Z", "19"],  # same instant as above
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.duplicates == 1
    assert report.readings_valid == 4
    assert report.readings_compliant == 3


def test_device_in_two_households_is_flagged(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-02 10:00:00", "19"],
        ["d1", "h2", "2025-11-02 10:00:00", "17"],
        ["d2", "h3", "2025-11-02 10:00:00", "17"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    # Readings of different households are never duplicates of each other.
    assert report.duplicates == 0
    assert report.households_with_readings == 3
    found = [d for d in report.defects if d.rule == "readings.shared_device"]
    assert [d.value for d in found] == [None, "d1"]
    assert "共 1 台设备" in found[0].message


def test_gap_of_exactly_the_limit_is_not_long(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 00:00:00", "20"],
        ["d1", "h1", "2025-11-04 00:00:00", "20"],  # 72 hours later
        ["d1", "h1", "2025-11-07 00:00:00", "20"],
        ["d1", "h1", "2025-11-10 00:00:00", "20"],  # 24 hours to the window end
        ["d2", "h2", "2025-11-01 00:00:00", "20"],
        ["d2", "h2", "2025-11-04 00:00:01", "20"],  # one second over
        ["d2", "h2", "2025-11-07 00:00:00", "20"],
        ["d2", "h2", "2025-11-10 00:00:00", "20"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.devices == 2
    assert report.devices_with_long_gaps == 1


def test_leading_and_trailing_silence_count_as_gaps(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-04 00:00:01", "20"],  # 72 h + 1 s after the start
        ["d1", "h1", "2025-11-07 00:00:00", "20"],
        ["d1", "h1", "2025-11-10 00:00:00", "20"],
        ["d2", "h2", "2025-11-01 00:00:00", "20"],
        ["d2", "h2", "2025-11-03 00:00:00", "20"],
        ["d2", "h2", "2025-11-05 00:00:00", "20"],
        ["d2", "h2", "2025-11-07 23:59:59", "20"],  # 72 h + 1 s before the end
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.devices_with_long_gaps == 2


def test_gap_limit_is_a_setting(
    basic_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heateval.settings import reset_settings

    monkeypatch.setenv("HEATEVAL_READINGS_GAP_HOURS", "100")
    reset_settings()
    assert analyse(basic_csv).devices_with_long_gaps == 0


def test_household_with_half_compliant_complies(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 01:00:00", "18"],
        ["d1", "h1", "2025-11-01 02:00:00", "17"],
        ["d2", "h2", "2025-11-01 01:00:00", "18"],
        ["d2", "h2", "2025-11-01 02:00:00", "17"],
        ["d2", "h2", "2025-11-01 03:00:00", "17"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.households_with_readings == 2
    assert report.households_compliant == 1


def test_household_counts_all_its_devices(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 01:00:00", "17"],
        ["d2", "h1", "2025-11-01 01:00:00", "19"],
        ["d3", "h1", "2025-11-01 01:00:00", "19"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.households_with_readings == 1
    assert report.households_compliant == 1
    assert report.devices == 3


def test_threshold_is_compared_exactly(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 01:00:00", "18.49"],
        ["d1", "h1", "2025-11-01 02:00:00", "18.5"],
        ["d1", "h1", "2025-11-01 03:00:00", "18.50"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows), threshold=Decimal("18.5"))
    assert report.readings_compliant == 2


def test_unparseable_rows_are_counted(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 01:00:00", "abc"],
        ["d1", "", "2025-11-01 02:00:00", "20"],
        ["d1", "h1", "yesterday", "20"],
        ["", "h1", "2025-11-01 04:00:00", "20"],
        ["d1", "h1", "2025-11-01 05:00:00", ""],
        ["d1", "h1", "2025-11-01 06:00:00", "20"],
    ]
    report = analyse(write_csv(tmp_path / "r.csv", rows))
    assert report.unparseable == 5
    assert report.readings_valid == 1
    assert report.readings_total == 6


def test_unparseable_examples_name_the_column(tmp_path: Path) -> None:
    rows = [
        ["d1", "h1", "2025-11-01 01:00:00", "abc"],
        ["d1", "", "2025-11-01 02:00:00", "20"],
        ["d1", "h1", "yesterday", "20"],
    ]
    found = examples(
        analyse(write_csv(tmp_path / "r.csv", rows)), "readings.unparseable"
    )
    assert [(d.row, d.column, d.value) for d in found] == [
        (2, "temperature", "abc"),
        (3, "household", None),
        (4, "timestamp", "yesterday"),
    ]


def test_malformed_lines_are_counted_with_line_numbers(tmp_path: Path) -> None:
    text = (
        "device_id,household,timestamp,temperature\n"
        "d1,h1,2025-11-01 01:00:00,20\n"
        "d1,h1,2025-11-01 02:00:00,20,extra\n"
        "d1,h1\n"
        "d1,h1,2025-11-01 04:00:00,85\n"
    )
    path = tmp_path / "r.csv"
    path.write_text(text)
    report = analyse(path)
    assert report.readings_total == 4
    assert report.unparseable == 2
    assert [d.row for d in examples(report, "readings.malformed_lines")] == [3, 4]
    # Line 5 comes after two skipped lines and keeps its own number.
    assert [d.row for d in examples(report, "readings.out_of_range")] == [5]


def test_too_many_malformed_lines_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heateval.settings import reset_settings

    monkeypatch.setenv("HEATEVAL_READINGS_MAX_MALFORMED_LINES", "3")
    reset_settings()
    lines = ["device_id,household,timestamp,temperature"] + ["a,b"] * 10
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n")
    report = analyse(path)
    assert report.blocked
    assert "超过 3 行" in report.defects[0].message


def test_missing_columns_block_and_are_named(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv", [["d1", "2025-11-01", "20"]], ["设备编号", "时间", "温度"]
    )
    report = analyse(path)
    [defect] = report.defects
    assert defect.severity is Severity.BLOCKING
    assert defect.rule == "readings.missing_columns"
    assert "户号（household）" in defect.message
    assert "室温（temperature）" in defect.message
    assert "设备编号（device_id）" not in defect.message
    assert report.readings_total == 0


def test_same_column_twice_blocks(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv", [], ["device_id", "设备编号", "户号", "时间", "室温"]
    )
    [defect] = analyse(path).defects
    assert defect.rule == "readings.duplicate_column"


def test_header_only_file_has_no_readings(tmp_path: Path) -> None:
    report = analyse(write_csv(tmp_path / "r.csv", []))
    assert report.readings_total == 0
    assert report.compliance_share == Decimal("0.0000")
    assert not report.blocked


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (bytes(range(256)) * 40, "readings.unreadable"),
        (b"", "readings.unreadable"),
        (b"PK\x03\x04" + b"\x00" * 100, "readings.unreadable"),
        (b"PAR1 this is not parquet", "readings.unreadable"),
        (b"\x1f\x8b\x08\x00 broken gzip", "readings.unreadable"),
        (b"\xff\xfed\x00e\x00v\x00", "readings.encoding"),
    ],
    ids=["binary", "empty", "zip", "bad-parquet", "bad-gzip", "utf16"],
)
def test_unreadable_files_block_without_raising(
    tmp_path: Path, content: bytes, rule: str
) -> None:
    path = tmp_path / "readings.csv"
    path.write_bytes(content)
    report = analyse(path)
    assert [d.rule for d in report.defects] == [rule]
    assert report.blocked


def test_gbk_file_is_named_as_such(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", BASIC_ROWS, CHINESE_HEADER, encoding="gbk")
    [defect] = analyse(path).defects
    assert defect.rule == "readings.encoding"
    assert "GBK" in defect.message


def test_unterminated_quote_is_a_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('device_id,household,timestamp,temperature\n"d1,h1,2025-11-01,20\n')
    report = analyse(path)
    assert report.unparseable == 1
    assert [d.row for d in examples(report, "readings.malformed_lines")] == [2]
    assert not report.blocked


def test_symbolic_link_is_not_followed(tmp_path: Path, basic_csv: Path) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(basic_csv)
    [defect] = analyse(link).defects
    assert defect.severity is Severity.BLOCKING
    assert "符号链接" in defect.message


def test_directory_and_missing_file_block(tmp_path: Path) -> None:
    assert analyse(tmp_path).blocked
    assert analyse(tmp_path / "missing.csv").blocked


def test_glob_characters_in_name_read_only_that_file(
    tmp_path: Path, basic_csv: Path
) -> None:
    write_csv(tmp_path / "other.csv", BASIC_ROWS)
    path = tmp_path / "*.csv"
    path.write_bytes(basic_csv.read_bytes())
    assert analyse(path).readings_total == 11


def test_other_time_zone_with_daylight_saving(tmp_path: Path) -> None:
    # Berlin leaves summer time on 2025-10-26, inside this season.
    rows = [
        ["d1", "h1", "2025-10-19 23:30:00", "20"],  # before 10-20 00:00 local
        ["d1", "h1", "2025-10-20 00:30:00", "20"],
        ["d1", "h1", "2025-10-26 12:00:00", "20"],
        ["d1", "h1", "2025-10-30 23:30:00", "20"],
        ["d1", "h1", "2025-10-30T23:30:00Z", "20"],  # 10-31 00:30 local: outside
    ]
    report = analyse(
        write_csv(tmp_path / "r.csv", rows),
        season_start=date(2025, 10, 20),
        season_end=date(2025, 10, 30),
        tz="Europe/Berlin",
    )
    assert report.outside_season == 2
    assert report.readings_valid == 3


def test_season_end_before_start_raises(basic_csv: Path) -> None:
    with pytest.raises(ValueError, match="before season_start"):
        analyse(basic_csv, season_end=date(2025, 10, 1))


def test_hostile_value_is_shortened_and_cleaned(tmp_path: Path) -> None:
    rows = [["d1", "h1", "2025-11-01 01:00:00", "9" * 300 + "\x07"]]
    [example] = examples(
        analyse(write_csv(tmp_path / "r.csv", rows)), "readings.unparseable"
    )
    assert example.value is not None
    assert len(example.value) == 101
    assert "\x07" not in example.value
