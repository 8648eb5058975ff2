"""`heateval calendar`: each county's season dates and legal deadlines."""

from __future__ import annotations

import json
import unicodedata
from typing import Annotated

import typer

from rules.counties import county_by_code
from rules.legal_calendar import (
    CalendarCoverageError,
    CountyCalendar,
    county_calendar,
    season_calendars,
)
from rules.seasons import SeasonDataError, UnknownSeasonError, load_season

HEADERS = (
    "code",
    "county",
    "season start",
    "season end",
    "intake deadline",
    "report due",
    "threshold °C",
    "orders",
)


def register(app: typer.Typer) -> None:
    """Add the `calendar` command to `app`."""
    app.command("calendar")(show_calendar)


def show_calendar(
    season: Annotated[
        str, typer.Option(help="Heating season, as YYYY-YYYY (e.g. 2025-2026).")
    ],
    county: Annotated[
        str | None,
        typer.Option(help="County code (GB/T 2260), e.g. 150425. Default: all."),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print JSON: an object for one county, a list for all counties.",
        ),
    ] = False,
) -> None:
    """Show season start and end, intake deadline and report date per county."""
    try:
        load_season(season)
    except UnknownSeasonError as exc:
        raise typer.BadParameter(str(exc), param_hint="--season") from exc
    if county is not None:
        try:
            county_by_code(county)
        except KeyError as exc:
            raise typer.BadParameter(exc.args[0], param_hint="--county") from exc

    try:
        if county is None:
            calendars = season_calendars(season)
        else:
            calendars = [county_calendar(season, county)]
    except (SeasonDataError, CalendarCoverageError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(code=1) from exc

    if as_json:
        payload = [c.model_dump(mode="json") for c in calendars]
        document = payload[0] if county is not None else payload
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"Heating season {season}")
        typer.echo(format_table(calendars))


def _order_text(calendar: CountyCalendar) -> str:
    parts = [
        f"{order.kind.value.replace('_', ' ')} {order.new_date} ({order.reference})"
        for order in calendar.orders
    ]
    return "; ".join(parts) or "-"


def _display_width(text: str) -> int:
    """Return the terminal width of `text`: wide (CJK) characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def format_table(calendars: list[CountyCalendar]) -> str:
    """Render the calendars as an aligned plain-text table, one county per row."""
    rows = [list(HEADERS)]
    for calendar in calendars:
        rows.append(
            [
                calendar.county_code,
                calendar.county_name,
                calendar.season_start.isoformat(),
                calendar.season_end.isoformat(),
                calendar.intake_deadline.isoformat(),
                calendar.county_report_due.isoformat(),
                str(calendar.temperature_threshold_c),
                _order_text(calendar),
            ]
        )
    widths = [max(_display_width(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
