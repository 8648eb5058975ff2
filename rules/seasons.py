"""Heating-season data: the city's default dates, county overrides and season orders.

One YAML file per season in `rules/seasons/`, named after the season (`2025-2026.yaml`).
The file is validated on load, and every error names the file and the field. The legal
deadlines built on these dates live in `rules.legal_calendar`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rules.counties import county_by_code, load_counties

SEASONS_DIR = Path(__file__).with_name("seasons")
SEASON_LABEL = re.compile(r"^(\d{4})-(\d{4})$")


class SeasonDataError(ValueError):
    """Error for an unreadable or invalid season file, naming the file and field."""


class UnknownSeasonError(LookupError):
    """Error for a season label that has no season file."""


class OrderKind(StrEnum):
    """Kind of season order: an earlier first heating day or a later last one."""

    EARLY_START = "early_start"
    EXTENSION = "extension"


def _check_county_code(code: str) -> str:
    known = [c.code for c in load_counties()]
    if code not in known:
        valid = ", ".join(known)
        raise ValueError(f"unknown county code {code!r}; valid codes: {valid}")
    return code


CountyCode = Annotated[str, AfterValidator(_check_county_code)]
Threshold = Annotated[
    Decimal,
    Field(max_digits=3, decimal_places=1, ge=Decimal("12.0"), le=Decimal("25.0")),
]


def season_years(label: str) -> tuple[int, int]:
    """Return the two calendar years of a season label such as `2025-2026`."""
    match = SEASON_LABEL.match(label)
    if match is None:
        raise ValueError(
            f"season {label!r} is not of the form YYYY-YYYY, e.g. 2025-2026"
        )
    first, second = int(match.group(1)), int(match.group(2))
    if second != first + 1:
        raise ValueError(f"season {label!r} must span two consecutive years")
    return first, second


def start_window(first_year: int) -> tuple[date, date]:
    """Return the earliest and latest allowed first heating day of a season."""
    return date(first_year, 9, 1), date(first_year, 11, 30)


def end_window(second_year: int) -> tuple[date, date]:
    """Return the earliest and latest allowed last heating day of a season.

    The latest is 15 May, so a 30-day intake period ends by 14 June and (with at most
    a weekend or holiday in between) before the counties report by 15 June.
    """
    return date(second_year, 3, 1), date(second_year, 5, 15)


class SeasonOrder(BaseModel):
    """An order that starts a county's season early or extends it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    county: CountyCode
    kind: OrderKind
    new_date: date
    reference: str = Field(min_length=1, max_length=128)
    note: str = ""


class CountyOverride(BaseModel):
    """A county's planned dates or threshold where they differ from the city default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date | None = None
    end: date | None = None
    temperature_threshold_c: Threshold | None = None


class CountySeasonDates(BaseModel):
    """One county's season after overrides and orders are applied."""

    model_config = ConfigDict(frozen=True)

    season: str
    county_code: str
    planned_start: date
    planned_end: date
    season_start: date
    season_end: date
    temperature_threshold_c: Decimal
    orders: tuple[SeasonOrder, ...]


class SeasonFile(BaseModel):
    """The content of one season file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    season: str
    start: date
    end: date
    temperature_threshold_c: Threshold = Decimal("18.0")
    counties: dict[CountyCode, CountyOverride] = Field(default_factory=dict)
    orders: tuple[SeasonOrder, ...] = ()

    @field_validator("season")
    @classmethod
    def _check_label(cls, value: str) -> str:
        season_years(value)
        return value

    @model_validator(mode="after")
    def _check_dates(self) -> Self:
        problems = _date_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def county_dates(self, county_code: str) -> CountySeasonDates:
        """Resolve one county's planned and actual dates, threshold and orders.

        Raises:
            KeyError: `county_code` is not one of Chifeng's county codes.
        """
        county_by_code(county_code)
        override = self.counties.get(county_code, CountyOverride())
        planned_start = self.start if override.start is None else override.start
        planned_end = self.end if override.end is None else override.end
        orders = tuple(o for o in self.orders if o.county == county_code)
        season_start, season_end = planned_start, planned_end
        for order in orders:
            if order.kind is OrderKind.EARLY_START:
                season_start = order.new_date
            else:
                season_end = order.new_date
        threshold = override.temperature_threshold_c
        if threshold is None:
            threshold = self.temperature_threshold_c
        return CountySeasonDates(
            season=self.season,
            county_code=county_code,
            planned_start=planned_start,
            planned_end=planned_end,
            season_start=season_start,
            season_end=season_end,
            temperature_threshold_c=threshold,
            orders=orders,
        )


def _outside(value: date, window: tuple[date, date]) -> bool:
    return not window[0] <= value <= window[1]


def _date_problems(data: SeasonFile) -> list[str]:
    """List every date that is outside its window or contradicts another date."""
    first, second = season_years(data.season)
    starts, ends = start_window(first), end_window(second)
    problems: list[str] = []

    def check(field: str, kind: str, value: date, window: tuple[date, date]) -> None:
        if _outside(value, window):
            problems.append(
                f"{field}: {kind} {value} is outside {window[0]} to {window[1]} "
                f"for season {data.season}"
            )

    check("start", "first heating day", data.start, starts)
    check("end", "last heating day", data.end, ends)
    for code, override in data.counties.items():
        if override.start is not None:
            check(f"counties.{code}.start", "first heating day", override.start, starts)
        if override.end is not None:
            check(f"counties.{code}.end", "last heating day", override.end, ends)

    seen: dict[tuple[str, OrderKind], int] = {}
    for index, order in enumerate(data.orders):
        field = f"orders[{index}]"
        key = (order.county, order.kind)
        if key in seen:
            problems.append(
                f"{field}: a second {order.kind} order for county {order.county} "
                f"(the first is orders[{seen[key]}]); keep only the order in force"
            )
            continue
        seen[key] = index
        override = data.counties.get(order.county, CountyOverride())
        if order.kind is OrderKind.EARLY_START:
            planned = data.start if override.start is None else override.start
            check(f"{field}.new_date", "early start", order.new_date, starts)
            if order.new_date >= planned:
                problems.append(
                    f"{field}.new_date: early start {order.new_date} is not before "
                    f"the planned start {planned} of county {order.county}"
                )
        else:
            planned = data.end if override.end is None else override.end
            check(f"{field}.new_date", "extension", order.new_date, ends)
            if order.new_date <= planned:
                problems.append(
                    f"{field}.new_date: extension to {order.new_date} is not after "
                    f"the planned end {planned} of county {order.county}"
                )
    return problems


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            path += " (key)"
        else:
            path += f".{part}" if path else str(part)
    return path


def _format_errors(path: Path, error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        if item["type"] == "value_error" and not item["loc"]:
            # Cross-field problems already name their fields, one per line.
            lines.extend(str(item["ctx"]["error"]).splitlines())
            continue
        field = _field_path(item["loc"]) or "file"
        lines.append(f"{field}: {item['msg']} (value: {item['input']!r})")
    return f"{path}: invalid season data:\n  " + "\n  ".join(lines)


def load_season_file(path: Path) -> SeasonFile:
    """Read and validate one season file.

    Raises:
        SeasonDataError: the file is unreadable or invalid. The message names the
            file and the field.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeasonDataError(f"{path}: failed to read season file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SeasonDataError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise SeasonDataError(
            f"{path}: invalid season file: the top level must be a mapping with "
            "season, start, end and optional counties and orders"
        )
    try:
        data = SeasonFile.model_validate(raw)
    except ValidationError as exc:
        raise SeasonDataError(_format_errors(path, exc)) from exc
    if data.season != path.stem:
        raise SeasonDataError(
            f"{path}: season: {data.season!r} does not match the file name; "
            f"rename the file to {data.season}.yaml or correct the field"
        )
    return data


def available_seasons(directory: Path = SEASONS_DIR) -> list[str]:
    """Return the season labels that have a file in `directory`, oldest first."""
    return sorted(
        p.stem for p in directory.glob("*.yaml") if SEASON_LABEL.match(p.stem)
    )


@cache
def load_season(season: str, directory: Path = SEASONS_DIR) -> SeasonFile:
    """Load the validated data of `season` from `directory`, cached.

    Raises:
        UnknownSeasonError: `directory` has no file for `season`.
        SeasonDataError: the file is invalid.
    """
    known = available_seasons(directory)
    if season not in known:
        raise UnknownSeasonError(
            f"no season data for {season!r} in {directory}; available seasons: "
            f"{', '.join(known) or 'none'}. Add {season}.yaml there to define it."
        )
    return load_season_file(directory / f"{season}.yaml")
