"""Check a package without storing it: parse, run the evidence checks, read the
room-temperature readings, derive the figures. A package is accepted when no
blocking defect is found.

What the checks compare against and that lives in the database (the bureau's
hotline export and inspection records, registered enterprises, evidence of other
enterprises) arrives in `CheckInputs`, so this module does no I/O beyond the
package itself; `intake.store` and the CLI fill it in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from intake.archive import ArchiveLimits, ReceivedPackage, open_package
from intake.defects import Defect, Severity
from intake.figures import (
    InspectionCounts,
    derive_figures,
    inspection_counts,
    part_whole_defects,
)
from intake.package import ParsedPackage, Source, parse_package
from rules.figures import Figures

logger = logging.getLogger(__name__)


@dataclass
class BureauRecords:
    """A county bureau's stored records for a season, as typed frames."""

    inspections: Any = None  # DataFrame of the inspections table, or None
    hotline: Any = None  # DataFrame of the hotline table, or None


@dataclass
class CheckInputs:
    """Facts from outside the package that the checks compare it against."""

    bureau: BureauRecords | None = None
    registered_credit_code: str | None = None
    registered_type: str | None = None
    registered_county: str | None = None
    county_enterprises: frozenset[str] | None = None
    other_evidence: dict[str, frozenset[str]] = field(default_factory=dict)


InputsResolver = Callable[[ParsedPackage, str, str], CheckInputs]
"""Look up `CheckInputs` for (parsed package, season, county)."""


class CheckResult(BaseModel):
    """The outcome of checking one package."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    accepted: bool
    defects: list[Defect]
    figures: Figures | None = None
    season: str | None = None
    county_code: str | None = None
    owner_key: str | None = None  # credit code, or county code for a bureau
    readings: dict[str, Any] | None = None  # counts from the readings report
    parsed: ParsedPackage

    def report(self) -> dict[str, Any]:
        """Return the JSON form that `heateval check --json` prints."""
        return {
            "package": self.parsed.name,
            "accepted": self.accepted,
            "season": self.season,
            "county": self.county_code,
            "owner": self.owner_key,
            "defects": [d.model_dump(mode="json") for d in self.defects],
        }


def local_today(timezone: str = "Asia/Shanghai") -> date:
    """Return today's date in the configured timezone."""
    return datetime.now(ZoneInfo(timezone)).date()


def rulebook_sub_items(rulebook: Any) -> dict[str, Decimal]:
    """Return {sub-item id: max points} for every sub-item and bonus item."""
    items = {item.id: Decimal(item.points) for _, item in rulebook.sub_items()}
    items.update({bonus.id: Decimal(bonus.points) for bonus in rulebook.bonus})
    return items


def check_path(
    path: Path,
    *,
    source: Source,
    season: str | None,
    county: str | None,
    rulebook: Any,
    limits: ArchiveLimits,
    inputs: CheckInputs | InputsResolver | None = None,
    today: date | None = None,
) -> CheckResult:
    """Open the package at `path` and check it; nothing is kept afterwards."""
    with open_package(path, limits) as received:
        return check_package(
            received,
            source=source,
            season=season,
            county=county,
            rulebook=rulebook,
            inputs=inputs,
            today=today,
        )


def check_package(
    received: ReceivedPackage,
    *,
    source: Source,
    season: str | None,
    county: str | None,
    rulebook: Any,
    inputs: CheckInputs | InputsResolver | None = None,
    today: date | None = None,
) -> CheckResult:
    """Parse and check an opened package.

    Args:
        source: "enterprise" or "bureau".
        season: the season it is submitted for; None takes the workbook's 供热季.
        county: the bureau's county (bureau packages); enterprises name their own.
        inputs: stored facts to reconcile against, or a function that looks them
            up once the season, county and parsed package are known; None checks
            the package alone.
        today: the day no record may be dated after; default today in Asia/Shanghai.
    """
    today = today or local_today()
    max_points = rulebook_sub_items(rulebook)
    parsed = parse_package(received, source=source, sub_items=set(max_points))
    result = CheckResult(accepted=False, defects=list(parsed.defects), parsed=parsed)
    if received.rejected or not received.files:
        # Nothing was read: an empty package has no application to check.
        return _finish(result)

    if source == "enterprise":
        county = parsed.identity.get("county")
        result.owner_key = parsed.identity.get("credit_code")
        season = _season_of(parsed, season, result)
    else:
        result.owner_key = county
    result.season, result.county_code = season, county
    if season is None or county is None:
        return _finish(result)

    calendar = _calendar(season, county, parsed, result)
    if calendar is None:
        return _finish(result)
    if callable(inputs):
        inputs = inputs(parsed, season, county)
    inputs = inputs or CheckInputs()

    if (
        source == "enterprise"
        and inputs.registered_county is not None
        and inputs.registered_county != county
    ):
        # The same rule that storing applies, so `check` and `submit` agree.
        result.defects.append(county_mismatch(parsed, inputs.registered_county, county))
    context = _context(parsed, inputs, season, county, today, rulebook, source)
    result.defects.extend(_run_checks(parsed, context))

    if source == "enterprise":
        report = _analyse_readings(parsed, calendar, today, result)
        counts = _inspections_for(parsed, inputs)
        if any(d.severity == Severity.BLOCKING for d in result.defects):
            # Figures from a package with unreadable values would be wrong; only
            # the key figures that contradict each other are still worth reporting.
            result.defects.extend(part_whole_defects(parsed))
        else:
            figures, defects = derive_figures(
                parsed, readings=report, inspections=counts
            )
            result.defects.extend(defects)
            result.figures = figures
    return _finish(result)


def _finish(result: CheckResult) -> CheckResult:
    result.defects = _dedupe(result.defects)
    result.accepted = not any(d.severity == Severity.BLOCKING for d in result.defects)
    if not result.accepted:
        result.figures = None
    return result


def _dedupe(defects: list[Defect]) -> list[Defect]:
    seen = set()
    unique = []
    for defect in defects:
        key = (defect.file, defect.sheet, defect.row, defect.column, defect.rule)
        if key not in seen:
            seen.add(key)
            unique.append(defect)
    return unique


def _season_of(
    parsed: ParsedPackage, season: str | None, result: CheckResult
) -> str | None:
    declared = parsed.identity.get("season")
    identity = parsed.tables["identity"]
    if season is not None and declared is not None and declared != season:
        result.defects.append(
            Defect(
                file=str(identity.attrs["file"]),
                sheet=identity.attrs["sheet"],
                row=identity.attrs["rows"].get("season"),
                column="season",
                value=declared,
                rule="application.season_mismatch",
                severity=Severity.BLOCKING,
                message=f"申报表填写的供热季是 {declared}，但本次提交的是 {season} "
                "供热季的材料，请核对后修改。",
            )
        )
    return season or declared


def _calendar(
    season: str, county: str, parsed: ParsedPackage, result: CheckResult
) -> Any:
    from rules.legal_calendar import county_calendar
    from rules.seasons import SeasonDataError, UnknownSeasonError

    try:
        return county_calendar(season, county)
    except (UnknownSeasonError, SeasonDataError, KeyError) as error:
        logger.warning("no calendar for season %s county %s: %s", season, county, error)
        result.defects.append(
            Defect(
                file=parsed.name,
                value=season,
                rule="package.season_unknown",
                severity=Severity.BLOCKING,
                message=f"{season} 供热季尚未设定（没有该供热季的日期数据），"
                "请核对供热季，或联系平台管理员。",
            )
        )
        return None


def _hotline_tickets(parsed: ParsedPackage, inputs: CheckInputs) -> Any:
    from expectations.context import HotlineTicket

    if inputs.bureau is None or inputs.bureau.hotline is None:
        return None
    credit_code = parsed.identity.get("credit_code")
    tickets = []
    for row in inputs.bureau.hotline.to_dict("records"):
        if row.get("credit_code") != credit_code or not row.get("ticket"):
            continue
        tickets.append(
            HotlineTicket(
                ticket=row["ticket"],
                received_on=row.get("received_on"),
                household=row.get("household"),
                valid=row.get("valid"),
                file=row["_file"],
                row=row.get("_row"),
            )
        )
    return tuple(tickets)


def _context(
    parsed: ParsedPackage,
    inputs: CheckInputs,
    season: str,
    county: str,
    today: date,
    rulebook: Any,
    source: Source,
) -> Any:
    from expectations.context import build_context

    extra: dict[str, Any] = {
        "reported_cells": frozenset(parsed.reported_cells),
        "other_evidence": inputs.other_evidence,
        "county_enterprises": inputs.county_enterprises,
    }
    if source == "enterprise":
        extra["credit_code"] = inputs.registered_credit_code
        extra["enterprise_type"] = inputs.registered_type
        extra["hotline"] = _hotline_tickets(parsed, inputs)
    return build_context(
        season=season,
        county_code=county,
        today=today,
        # The rulebook, not just its maxima: claims that the complaint ledger
        # decides (C5.x, B1) are compared against the ledger itself.
        rulebook=rulebook,
        **extra,
    )


def _run_checks(parsed: ParsedPackage, context: Any) -> list[Defect]:
    from expectations.runner import run_checks

    return run_checks(parsed.tables, context)


def _analyse_readings(
    parsed: ParsedPackage, calendar: Any, today: date, result: CheckResult
) -> Any:
    """Analyse the readings export; return the report, or None without readings."""
    if parsed.readings_path is None:
        return None
    from intake.readings import analyse_readings

    households = parsed.key_figures.get("households_served") or 0
    report = analyse_readings(
        parsed.readings_path,
        season_start=calendar.season_start,
        season_end=calendar.season_end,
        threshold=calendar.temperature_threshold_c,
        households_served=households,
        today=today,
        file_label=parsed.readings_file,
    )
    result.defects.extend(report.defects)
    result.readings = report.model_dump(mode="json", exclude={"defects"})
    return report


def _inspections_for(
    parsed: ParsedPackage, inputs: CheckInputs
) -> InspectionCounts | None:
    if inputs.bureau is None:
        return None
    credit_code = parsed.identity.get("credit_code") or ""
    return inspection_counts(inputs.bureau.inspections, credit_code)


def county_mismatch(parsed: ParsedPackage, registered: str, county: str) -> Defect:
    """Build the defect of a workbook naming another county than the register."""
    frame = parsed.tables["identity"]
    return Defect(
        file=str(frame.attrs["file"]),
        sheet=frame.attrs["sheet"],
        row=frame.attrs["rows"].get("county"),
        column="county",
        value=county,
        rule="enterprise.county_mismatch",
        severity=Severity.BLOCKING,
        message=(
            f"该企业登记在 {registered}，但申报表填写的所属旗县区是 {county}。请核对；"
            "如企业确已变更所属旗县区，请联系县级供热主管部门。"
        ),
    )
