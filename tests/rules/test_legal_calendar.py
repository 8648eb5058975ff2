"""Legal calendar: working days, period ends, deadlines and the season data.

Expected dates are worked out by hand from the State Council's 2025 and 2026 holiday
schedules. The pinned chinesecalendar 1.11.0 carries the same schedules:
  2025 National Day and Mid-Autumn: off 1-8 October; Sunday 28 September and
    Saturday 11 October are working days.
  2026 Spring Festival: off 15-23 February; Saturdays 14 and 28 February work.
  2026 Labour Day: off 1-5 May; Saturday 9 May is a working day.
  2026 National Day: off 1-7 October; Sunday 20 September and Saturday 10 October work.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from heateval.settings import PeriodUnit, Settings, reset_settings
from rules.legal_calendar import (
    CalendarCoverageError,
    appeal_reply_due,
    county_calendar,
    county_report_due,
    covered_years,
    intake_deadline,
    is_working_day,
    next_working_day,
    period_end,
    period_expires_at,
    publicity_end,
    rectification_deadline,
    season_calendars,
)
from rules.seasons import (
    OrderKind,
    SeasonDataError,
    UnknownSeasonError,
    available_seasons,
    load_season,
    load_season_file,
)

D = date.fromisoformat


# --- working days -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-09-26", True),  # Friday
        ("2025-09-27", False),  # ordinary Saturday, not an adjusted workday
        ("2025-09-28", True),  # Sunday made a working day for National Day
        ("2025-10-01", False),  # National Day
        ("2025-10-08", False),  # last day of the National Day break
        ("2025-10-09", True),  # Thursday after the break
        ("2025-10-11", True),  # Saturday made a working day
        ("2026-02-14", True),  # Saturday made a working day for Spring Festival
        ("2026-02-23", False),  # Monday, last day of the Spring Festival break
        ("2026-05-01", False),  # Labour Day
        ("2026-05-05", False),  # Tuesday, last day of the Labour Day break
        ("2026-05-09", True),  # Saturday made a working day for Labour Day
        ("2026-05-10", False),  # ordinary Sunday
    ],
)
def test_is_working_day(day: str, expected: bool) -> None:
    assert is_working_day(D(day)) is expected


def test_next_working_day_keeps_working_day() -> None:
    assert next_working_day(D("2025-10-09")) == D("2025-10-09")


def test_next_working_day_skips_holiday() -> None:
    assert next_working_day(D("2025-10-01")) == D("2025-10-09")


# --- periods in calendar days -------------------------------------------------------


def test_period_end_national_day() -> None:
    # 2025-09-24 + 7 = Wednesday 2025-10-01, National Day.
    assert period_end(D("2025-09-24"), 7) == D("2025-10-09")


def test_period_end_last_day_of_break() -> None:
    # 2025-10-01 + 7 = 2025-10-08, last day of the break.
    assert period_end(D("2025-10-01"), 7) == D("2025-10-09")


def test_period_end_adjusted_sunday_stays() -> None:
    # 2025-09-21 + 7 = Sunday 2025-09-28, an adjusted working day.
    assert period_end(D("2025-09-21"), 7) == D("2025-09-28")


def test_period_end_saturday_to_adjusted_sunday() -> None:
    # 2025-09-20 + 7 = Saturday 2025-09-27 (day off); Sunday 28 September works.
    assert period_end(D("2025-09-20"), 7) == D("2025-09-28")


def test_period_end_weekend_to_monday() -> None:
    # 2025-11-01 + 7 = Saturday 2025-11-08.
    assert period_end(D("2025-11-01"), 7) == D("2025-11-10")


def test_period_end_thirty_days_after_april_15() -> None:
    # Day 1 is 16 April; day 30 is Friday 15 May 2026, a working day.
    assert period_end(D("2026-04-15"), 30) == D("2026-05-15")


def test_period_end_labour_day() -> None:
    # 2026-04-24 + 7 = Friday 2026-05-01; the break runs to 5 May.
    assert period_end(D("2026-04-24"), 7) == D("2026-05-06")


def test_period_end_labour_day_saturday_stays() -> None:
    # 2026-05-02 + 7 = Saturday 2026-05-09, an adjusted working day.
    assert period_end(D("2026-05-02"), 7) == D("2026-05-09")


def test_period_end_spring_festival() -> None:
    # 2026-02-10 + 7 = Tuesday 2026-02-17, inside the 15-23 February break.
    assert period_end(D("2026-02-10"), 7) == D("2026-02-24")


def test_period_end_rejects_zero_days() -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        period_end(D("2026-03-02"), 0)


# --- periods in working days -------------------------------------------------------


def test_working_days_count_adjusted_weekends() -> None:
    # After Friday 2025-09-26: Sun 28 (1), Mon 29 (2), Tue 30 (3), break 1-8 October,
    # Thu 9 (4), Fri 10 (5), Sat 11 adjusted (6), Mon 13 (7).
    assert period_end(D("2025-09-26"), 7, PeriodUnit.WORKING) == D("2025-10-13")


def test_working_days_across_labour_day() -> None:
    # After Thursday 2026-04-30: break 1-5 May, Wed 6 (1), Thu 7 (2), Fri 8 (3),
    # Sat 9 adjusted (4), Mon 11 (5).
    assert period_end(D("2026-04-30"), 5, "working") == D("2026-05-11")


# --- coverage of the holiday data ---------------------------------------------------


def test_covered_years_of_pinned_package() -> None:
    assert covered_years() == (2004, 2026)


def test_period_into_2027_raises_coverage_error() -> None:
    # 2026-12-25 + 7 = 2027-01-01, beyond the data of chinesecalendar 1.11.0.
    with pytest.raises(CalendarCoverageError) as caught:
        period_end(D("2026-12-25"), 7)
    message = str(caught.value)
    assert "2027-01-01" in message
    assert "2004-2026" in message
    assert "pip install --upgrade chinesecalendar" in message


def test_coverage_error_records_the_date() -> None:
    with pytest.raises(CalendarCoverageError) as caught:
        is_working_day(D("2027-03-01"))
    assert caught.value.day == D("2027-03-01")


def test_year_before_coverage_raises() -> None:
    with pytest.raises(CalendarCoverageError, match="2003-12-31"):
        is_working_day(D("2003-12-31"))


def test_working_day_period_into_2027_raises() -> None:
    # 2026-12-31 is a working Thursday; the 2nd working day after it lies in 2027.
    with pytest.raises(CalendarCoverageError, match="2027-01-01"):
        period_end(D("2026-12-30"), 2, PeriodUnit.WORKING)


# --- deadlines built on settings ----------------------------------------------------


def test_publicity_end_default_seven_calendar_days() -> None:
    settings = Settings(publicity_days=7, publicity_unit=PeriodUnit.CALENDAR)
    # Opened Friday 2025-10-10; Friday 2025-10-17 is a working day.
    assert publicity_end(D("2025-10-10"), settings) == D("2025-10-17")


def test_publicity_end_moves_past_national_day() -> None:
    settings = Settings(publicity_days=7)
    assert publicity_end(D("2025-09-24"), settings) == D("2025-10-09")


def test_publicity_end_in_working_days() -> None:
    settings = Settings(publicity_days=7, publicity_unit=PeriodUnit.WORKING)
    assert publicity_end(D("2025-09-26"), settings) == D("2025-10-13")


def test_publicity_end_longer_window() -> None:
    settings = Settings(publicity_days=10)
    # 2026-05-20 + 10 = Saturday 2026-05-30, moved to Monday 1 June.
    assert publicity_end(D("2026-05-20"), settings) == D("2026-06-01")


def test_publicity_end_reads_environment_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEATEVAL_PUBLICITY_UNIT", "working")
    reset_settings()
    assert publicity_end(D("2025-09-26")) == D("2025-10-13")


def test_period_expires_at_next_midnight_in_shanghai() -> None:
    settings = Settings(timezone="Asia/Shanghai")
    expires = period_expires_at(D("2025-10-09"), settings)
    assert expires.astimezone(UTC) == datetime(2025, 10, 9, 16, 0, tzinfo=UTC)


def test_intake_deadline_after_default_season_end() -> None:
    assert intake_deadline(D("2026-04-15"), Settings()) == D("2026-05-15")


def test_intake_deadline_with_shorter_setting() -> None:
    # 2026-04-15 + 20 = Tuesday 2026-05-05, last day of the Labour Day break.
    assert intake_deadline(D("2026-04-15"), Settings(intake_days=20)) == D("2026-05-06")


def test_appeal_reply_due_moves_past_labour_day() -> None:
    # 2026-04-16 + 15 = Friday 2026-05-01.
    settings = Settings(appeal_reply_days=15)
    assert appeal_reply_due(D("2026-04-16"), settings) == D("2026-05-06")


def test_appeal_reply_due_on_working_day() -> None:
    settings = Settings(appeal_reply_days=15)
    # 2026-03-02 + 15 = Tuesday 2026-03-17.
    assert appeal_reply_due(D("2026-03-02"), settings) == D("2026-03-17")


def test_rectification_grade_c_deadline() -> None:
    settings = Settings(rectification_days_c=90, rectification_days_d=60)
    # 2026-07-03 + 90 = Thursday 2026-10-01, National Day; the break ends 7 October.
    assert rectification_deadline(D("2026-07-03"), "C", settings) == D("2026-10-08")


def test_rectification_grade_d_deadline() -> None:
    settings = Settings(rectification_days_c=90, rectification_days_d=60)
    # 2026-08-02 + 60 = 2026-10-01.
    assert rectification_deadline(D("2026-08-02"), "D", settings) == D("2026-10-08")


def test_rectification_grades_use_their_own_days() -> None:
    settings = Settings(rectification_days_c=30, rectification_days_d=10)
    # C: 2026-05-15 + 30 = Sunday 2026-06-14, moved to Monday 15 June.
    assert rectification_deadline(D("2026-05-15"), "C", settings) == D("2026-06-15")
    # D: 2026-05-15 + 10 = Monday 2026-05-25.
    assert rectification_deadline(D("2026-05-15"), "D", settings) == D("2026-05-25")


@pytest.mark.parametrize("grade", ["A", "B", "c", ""])
def test_rectification_rejects_other_grades(grade: str) -> None:
    with pytest.raises(ValueError, match="only grades C and D"):
        rectification_deadline(D("2026-07-03"), grade, Settings())


def test_county_report_due_is_june_15() -> None:
    assert county_report_due("2025-2026") == D("2026-06-15")


def test_county_report_due_not_moved_from_saturday() -> None:
    # 2024-06-15 is a Saturday; the fixed date stays.
    assert county_report_due("2023-2024") == D("2024-06-15")


def test_county_report_due_rejects_bad_label() -> None:
    with pytest.raises(ValueError, match="consecutive years"):
        county_report_due("2025-2027")


# --- the 2025-2026 season data ------------------------------------------------------


def test_available_seasons_include_2025_2026() -> None:
    assert "2025-2026" in available_seasons()


def test_season_file_defaults() -> None:
    data = load_season("2025-2026")
    assert data.start == D("2025-10-15")
    assert data.end == D("2026-04-15")
    assert data.temperature_threshold_c == Decimal("18.0")


def test_early_start_order_moves_start() -> None:
    cal = county_calendar("2025-2026", "150425", Settings())
    assert cal.county_name == "克什克腾旗"
    assert cal.planned_start == D("2025-10-15")
    assert cal.season_start == D("2025-10-08")
    assert cal.season_end == D("2026-04-15")
    assert [o.kind for o in cal.orders] == [OrderKind.EARLY_START]
    assert cal.orders[0].reference == "克政发〔2025〕58号"


def test_extension_order_moves_end() -> None:
    cal = county_calendar("2025-2026", "150421", Settings())
    assert cal.season_start == D("2025-10-15")
    assert cal.season_end == D("2026-04-20")
    # 2026-04-20 + 30 = Wednesday 2026-05-20.
    assert cal.intake_deadline == D("2026-05-20")
    assert [o.kind for o in cal.orders] == [OrderKind.EXTENSION]


def test_county_without_orders_uses_defaults() -> None:
    cal = county_calendar("2025-2026", "150402", Settings())
    assert cal.county_name == "红山区"
    assert cal.season_start == D("2025-10-15")
    assert cal.season_end == D("2026-04-15")
    assert cal.intake_deadline == D("2026-05-15")
    assert cal.county_report_due == D("2026-06-15")
    assert cal.temperature_threshold_c == Decimal("18.0")
    assert cal.orders == ()


def test_season_calendars_twelve_counties() -> None:
    codes = [c.county_code for c in season_calendars("2025-2026", Settings())]
    assert codes == [
        "150402", "150403", "150404", "150421", "150422", "150423",
        "150424", "150425", "150426", "150428", "150429", "150430",
    ]  # fmt: skip


def test_unknown_season_lists_available() -> None:
    with pytest.raises(UnknownSeasonError, match="available seasons: 2025-2026"):
        county_calendar("2030-2031", "150402")


def test_unknown_county_raises_key_error() -> None:
    with pytest.raises(KeyError, match="150499"):
        county_calendar("2025-2026", "150499")


# --- validation of season files -----------------------------------------------------

VALID = """\
season: "2025-2026"
start: 2025-10-15
end: 2026-04-15
temperature_threshold_c: "18.0"
"""


def write_season(directory: Path, body: str, name: str = "2025-2026") -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_county_override_changes_one_county(tmp_path: Path) -> None:
    body = VALID + (
        'counties:\n  "150402": {start: 2025-10-10, temperature_threshold_c: "20.0"}\n'
    )
    write_season(tmp_path, body)
    changed = county_calendar("2025-2026", "150402", Settings(), seasons_dir=tmp_path)
    other = county_calendar("2025-2026", "150403", Settings(), seasons_dir=tmp_path)
    assert changed.planned_start == D("2025-10-10")
    assert changed.season_start == D("2025-10-10")
    assert changed.temperature_threshold_c == Decimal("20.0")
    assert other.season_start == D("2025-10-15")
    assert other.temperature_threshold_c == Decimal("18.0")


def test_early_start_compared_with_county_override(tmp_path: Path) -> None:
    body = VALID + (
        "counties:\n"
        '  "150425": {start: 2025-10-01}\n'
        "orders:\n"
        '  - {county: "150425", kind: early_start, new_date: 2025-10-08,'
        " reference: X1}\n"
    )
    path = write_season(tmp_path, body)
    with pytest.raises(SeasonDataError, match="planned start 2025-10-01"):
        load_season_file(path)


def test_end_before_start_names_file_and_field(tmp_path: Path) -> None:
    path = write_season(tmp_path, VALID.replace("end: 2026-04-15", "end: 2025-10-01"))
    with pytest.raises(SeasonDataError) as caught:
        load_season_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert "end: last heating day 2025-10-01 is outside 2026-03-01 to 2026-05-15" in (
        message
    )


def test_start_outside_window_is_rejected(tmp_path: Path) -> None:
    path = write_season(tmp_path, VALID.replace("2025-10-15", "2025-12-15"))
    with pytest.raises(SeasonDataError, match="start: first heating day 2025-12-15"):
        load_season_file(path)


def test_unknown_order_county_names_field(tmp_path: Path) -> None:
    body = VALID + (
        "orders:\n"
        '  - {county: "150499", kind: extension, new_date: 2026-04-20,'
        " reference: X1}\n"
    )
    path = write_season(tmp_path, body)
    with pytest.raises(SeasonDataError) as caught:
        load_season_file(path)
    message = str(caught.value)
    assert "orders[0].county" in message
    assert "unknown county code '150499'" in message


def test_unknown_override_county_names_key(tmp_path: Path) -> None:
    body = VALID + 'counties:\n  "150499": {start: 2025-10-10}\n'
    path = write_season(tmp_path, body)
    with pytest.raises(SeasonDataError, match=r"counties\.150499 \(key\)"):
        load_season_file(path)


def test_early_start_after_planned_start_rejected(tmp_path: Path) -> None:
    body = VALID + (
        "orders:\n"
        '  - {county: "150425", kind: early_start, new_date: 2025-10-20,'
        " reference: X1}\n"
    )
    path = write_season(tmp_path, body)
    with pytest.raises(SeasonDataError, match=r"orders\[0\]\.new_date: early start"):
        load_season_file(path)


def test_extension_before_planned_end_rejected(tmp_path: Path) -> None:
    body = VALID + (
        "orders:\n"
        '  - {county: "150421", kind: extension, new_date: 2026-04-10,'
        " reference: X1}\n"
    )
    path = write_season(tmp_path, body)
    with pytest.raises(SeasonDataError, match="not after the planned end 2026-04-15"):
        load_season_file(path)


def test_second_order_of_same_kind_rejected(tmp_path: Path) -> None:
    body = VALID + (
        "orders:\n"
        '  - {county: "150421", kind: extension, new_date: 2026-04-20,'
        " reference: X1}\n"
        '  - {county: "150421", kind: extension, new_date: 2026-04-25,'
        " reference: X2}\n"
    )
    path = write_season(tmp_path, body)
    with pytest.raises(SeasonDataError, match=r"orders\[1\]: a second extension"):
        load_season_file(path)


def test_order_without_reference_rejected(tmp_path: Path) -> None:
    body = VALID + (
        'orders:\n  - {county: "150421", kind: extension, new_date: 2026-04-20}\n'
    )
    path = write_season(tmp_path, body)
    with pytest.raises(
        SeasonDataError, match=r"orders\[0\]\.reference: Field required"
    ):
        load_season_file(path)


def test_threshold_with_two_decimals_rejected(tmp_path: Path) -> None:
    path = write_season(tmp_path, VALID.replace('"18.0"', '"18.25"'))
    with pytest.raises(SeasonDataError, match="temperature_threshold_c"):
        load_season_file(path)


def test_misspelt_field_rejected(tmp_path: Path) -> None:
    path = write_season(tmp_path, VALID + "ordres: []\n")
    with pytest.raises(SeasonDataError, match="ordres: Extra inputs"):
        load_season_file(path)


def test_season_label_must_match_file_name(tmp_path: Path) -> None:
    path = write_season(tmp_path, VALID, name="2024-2025")
    with pytest.raises(SeasonDataError, match="does not match the file name"):
        load_season_file(path)


def test_season_label_must_span_consecutive_years(tmp_path: Path) -> None:
    path = write_season(tmp_path, VALID.replace('"2025-2026"', '"2025-2027"'))
    with pytest.raises(SeasonDataError, match="season: Value error"):
        load_season_file(path)


def test_invalid_yaml_names_file(tmp_path: Path) -> None:
    path = write_season(tmp_path, "season: [unclosed\n")
    with pytest.raises(SeasonDataError, match="invalid YAML"):
        load_season_file(path)


def test_missing_season_file_in_directory(tmp_path: Path) -> None:
    with pytest.raises(UnknownSeasonError, match="available seasons: none"):
        load_season("2025-2026", tmp_path)
