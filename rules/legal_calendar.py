"""Legal deadlines of the evaluation cycle, counted by the Chinese rule for periods.

The rule: the day of the triggering event is not counted, so a period of N days that
starts with an event on day X ends at the end of day X+N. If that last day is a
statutory holiday or a weekend, the period ends on the next working day instead.
Adjusted working weekends (调休 workdays) are working days. With the working-day unit,
a period of N days ends on the N-th working day after day X.

Working days come from the `chinesecalendar` package, which carries the State
Council's official schedule. A date in a year the installed package does not cover
raises CalendarCoverageError, so the code never guesses a year's holidays.

Pure: no database, no Prefect, no clock. Dates are local dates in the configured
timezone (Asia/Shanghai by default).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
from pydantic import BaseModel, ConfigDict

from heateval.settings import PeriodUnit, Settings, get_settings
from rules.counties import county_by_code, load_counties
from rules.seasons import SEASONS_DIR, SeasonOrder, load_season, season_years

REPORT_MONTH_DAY = (6, 15)


class CalendarCoverageError(ValueError):
    """Error for a date in a year that the installed holiday data does not cover."""

    def __init__(self, day: date, first_year: int, last_year: int) -> None:
        self.day = day
        self.first_year = first_year
        self.last_year = last_year
        super().__init__(
            f"no official holiday schedule for {day.isoformat()}: chinesecalendar "
            f"{version('chinesecalendar')} covers the years {first_year}-{last_year}. "
            f"Upgrade chinesecalendar (pip install --upgrade chinesecalendar) to a "
            f"release that includes {day.year}, and update its pin in constraints.txt."
        )


@cache
def covered_years() -> tuple[int, int]:
    """Return the first and last year of the installed holiday schedule."""
    years = {day.year for day in chinese_calendar.holidays}
    return min(years), max(years)


def is_working_day(day: date) -> bool:
    """Return whether `day` is a working day in mainland China.

    Monday to Friday are working days unless they are statutory holidays. A weekend
    day is a working day only when the official schedule makes it one (调休).

    Raises:
        CalendarCoverageError: the installed holiday data does not cover `day`'s year.
    """
    first, last = covered_years()
    if not first <= day.year <= last:
        raise CalendarCoverageError(day, first, last)
    return chinese_calendar.is_workday(day)


def next_working_day(day: date) -> date:
    """Return `day` if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def period_end(
    start: date, days: int, unit: PeriodUnit | str = PeriodUnit.CALENDAR
) -> date:
    """Return the last day of a period of `days` days after the event on `start`.

    Calendar unit: `start` is not counted, so the period runs to `start + days`, moved
    to the next working day if that day is a holiday or weekend. Working unit: the
    period ends on the `days`-th working day after `start`. The period is open through
    the end of the returned day.

    Raises:
        ValueError: `days` is less than 1.
        CalendarCoverageError: a day to be checked lies outside the holiday data.
    """
    if days < 1:
        raise ValueError(f"a period needs at least 1 day, got {days}")
    if PeriodUnit(unit) is PeriodUnit.CALENDAR:
        return next_working_day(start + timedelta(days=days))

    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def period_expires_at(last_day: date, settings: Settings | None = None) -> datetime:
    """Return the moment a period ending on `last_day` has passed: next midnight, local.

    The result is timezone-aware, in the configured timezone.
    """
    settings = settings or get_settings()
    next_day = last_day + timedelta(days=1)
    return datetime.combine(next_day, time(0), tzinfo=ZoneInfo(settings.timezone))


def publicity_end(opened_on: date, settings: Settings | None = None) -> date:
    """Return the earliest last day of a publicity window opened on `opened_on`.

    The day of publication is not counted. With the defaults (7 calendar days) a window
    opened on day X runs through the end of day X+7, or through the next working day
    when X+7 is a holiday or weekend. With `publicity_unit = working` it runs through
    the 7th working day after X. `publicity_days` sets the 7.
    """
    settings = settings or get_settings()
    return period_end(opened_on, settings.publicity_days, settings.publicity_unit)


def intake_deadline(season_end: date, settings: Settings | None = None) -> date:
    """Return the last day to submit, `intake_days` calendar days after the season ends.

    `season_end` is the last heating day. It is not counted.
    """
    settings = settings or get_settings()
    return period_end(season_end, settings.intake_days)


def appeal_reply_due(filed_on: date, settings: Settings | None = None) -> date:
    """Return the day by which the committee replies to an appeal filed on `filed_on`.

    The reply period is `appeal_reply_days` calendar days.
    """
    settings = settings or get_settings()
    return period_end(filed_on, settings.appeal_reply_days)


def rectification_deadline(
    issued_on: date, grade: str, settings: Settings | None = None
) -> date:
    """Return the deadline of a rectification order issued on `issued_on`.

    Grade C gets `rectification_days_c` calendar days and grade D gets
    `rectification_days_d`.

    Raises:
        ValueError: `grade` is not C or D, because only those grades get an order.
    """
    settings = settings or get_settings()
    days_by_grade = {
        "C": settings.rectification_days_c,
        "D": settings.rectification_days_d,
    }
    if grade not in days_by_grade:
        raise ValueError(
            f"grade {grade!r} gets no rectification order; only grades C and D do"
        )
    return period_end(issued_on, days_by_grade[grade])


def county_report_due(season: str) -> date:
    """Return 15 June of the season's second year, when counties report to the city.

    The measure sets "before 15 June each year" (每年6月15日前). That is a fixed date,
    not a period counted from an event, so the holiday rule does not move it: the
    report is due on 15 June even when that day is a weekend or holiday.
    """
    _, second = season_years(season)
    return date(second, *REPORT_MONTH_DAY)


class CountyCalendar(BaseModel):
    """One county's season dates and the deadlines that follow from them."""

    model_config = ConfigDict(frozen=True)

    season: str
    county_code: str
    county_name: str
    planned_start: date
    planned_end: date
    season_start: date
    season_end: date
    temperature_threshold_c: Decimal
    intake_deadline: date
    county_report_due: date
    orders: tuple[SeasonOrder, ...]


def county_calendar(
    season: str,
    county: str,
    settings: Settings | None = None,
    *,
    seasons_dir: Path = SEASONS_DIR,
) -> CountyCalendar:
    """Return `county`'s calendar for `season` from the season data.

    Raises:
        UnknownSeasonError: no season file for `season`.
        SeasonDataError: the season file is invalid.
        KeyError: `county` is not a county code of Chifeng.
        CalendarCoverageError: a deadline falls outside the holiday data.
    """
    info = county_by_code(county)
    data = load_season(season, seasons_dir)
    dates = data.county_dates(info.code)
    return CountyCalendar(
        season=season,
        county_code=info.code,
        county_name=info.name,
        planned_start=dates.planned_start,
        planned_end=dates.planned_end,
        season_start=dates.season_start,
        season_end=dates.season_end,
        temperature_threshold_c=dates.temperature_threshold_c,
        intake_deadline=intake_deadline(dates.season_end, settings),
        county_report_due=county_report_due(season),
        orders=dates.orders,
    )


def season_calendars(
    season: str, settings: Settings | None = None, *, seasons_dir: Path = SEASONS_DIR
) -> list[CountyCalendar]:
    """Return the calendars of all counties for `season`, ordered by county code."""
    return [
        county_calendar(season, county.code, settings, seasons_dir=seasons_dir)
        for county in load_counties()
    ]
