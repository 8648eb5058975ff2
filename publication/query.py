"""Read the published-results view model from the database.

Every function takes an open SQLAlchemy session and returns frozen pydantic views;
rows are ordered so that the same data always gives the same views.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publication.sheets import sheet_view
from publication.views import (
    GRADES,
    WINDOW_CAUSE_LABELS,
    CountySeason,
    CountyView,
    EnterpriseView,
    FinalAnnouncement,
    PublicityCompilation,
    PublicityNotice,
    ResultRow,
    SeasonView,
    SheetView,
    WindowView,
)
from storage.models import (
    County,
    CreditRecord,
    Cycle,
    Enterprise,
    Objection,
    PublicityEntry,
    PublicityWindow,
    ScoreSheet,
    Season,
)

CITY_BUREAU = "赤峰市住房和城乡建设局"
SEASON_LABEL = re.compile(r"\d{4}-\d{4}")
COUNTY_CODE = re.compile(r"\d{6}")
CREDIT_CODE = re.compile(r"[0-9A-Z]{18}")
CENT = Decimal("0.01")


class PublicationError(LookupError):
    """Missing or inconsistent data that a publication needs."""


def enterprise_slug(credit_code: str) -> str:
    """Return the file name stem of an enterprise: its credit code when that is safe.

    A code that is not 18 characters of 0-9 and A-Z never becomes a path. Such an
    enterprise gets `x` and the first 17 hex digits of the code's SHA-256 instead.
    """
    if CREDIT_CODE.fullmatch(credit_code):
        return credit_code
    digest = hashlib.sha256(credit_code.encode("utf-8")).hexdigest()
    return "x" + digest[:17]


def letter_url(season_label: str, credit_code: str) -> str:
    """Path of a result letter inside the published site."""
    return f"letters/{season_label}/{enterprise_slug(credit_code)}.html"


def publicity_url(season_label: str, county_code: str, round_: int) -> str:
    """Path of a county's publicity notice of one round inside the published site."""
    return f"notices/{season_label}/{county_code}/publicity-round-{round_}.html"


def final_url(season_label: str, county_code: str | None) -> str:
    """Path of a final announcement; `city` stands for the city-wide one."""
    return f"notices/{season_label}/{county_code or 'city'}/final.html"


def public_link(path: str, base_url: str) -> str:
    """Return the address of site path `path` on the site hosted at `base_url`."""
    return base_url.rstrip("/") + "/" + path


def find_season(session: Session, label: str) -> Season:
    """Return the season `label`, or raise naming the seasons that exist."""
    if not SEASON_LABEL.fullmatch(label):
        raise PublicationError(
            f"season {label!r} is invalid: write it as YYYY-YYYY, e.g. 2025-2026"
        )
    season = session.scalar(select(Season).where(Season.label == label))
    if season is None:
        known = ", ".join(session.scalars(select(Season.label).order_by(Season.label)))
        raise PublicationError(
            f"season {label} not found in the database; "
            f"known seasons: {known or 'none'}"
        )
    return season


def find_county(session: Session, code: str) -> County:
    """Return the county `code`, or raise naming the counties that exist."""
    county = session.get(County, code) if COUNTY_CODE.fullmatch(code) else None
    if county is None:
        known = ", ".join(session.scalars(select(County.code).order_by(County.code)))
        raise PublicationError(
            f"county {code!r} not found in the database; known codes: {known or 'none'}"
        )
    return county


def season_view(season: Season) -> SeasonView:
    """Convert a season row."""
    return SeasonView(label=season.label, rulebook_version=season.rulebook_version)


def county_view(county: County) -> CountyView:
    """Convert a county row."""
    return CountyView(
        code=county.code,
        name=county.name,
        bureau_name=county.bureau_name,
        bureau_address=county.bureau_address,
        bureau_phone=county.bureau_phone,
        bureau_email=county.bureau_email,
    )


def enterprise_view(enterprise: Enterprise, county_name: str) -> EnterpriseView:
    """Convert an enterprise row; contact details stay out of the public view."""
    return EnterpriseView(
        credit_code=enterprise.credit_code,
        name=enterprise.name,
        county_code=enterprise.county_code,
        county_name=county_name,
        type=enterprise.type,
        slug=enterprise_slug(enterprise.credit_code),
    )


def county_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(County.code, County.name)).all())


def list_counties(session: Session) -> list[CountyView]:
    """Return every county in code order."""
    return [
        county_view(c) for c in session.scalars(select(County).order_by(County.code))
    ]


def list_seasons(session: Session, up_to: str) -> list[SeasonView]:
    """Return the seasons up to and including `up_to`, newest first."""
    rows = session.scalars(
        select(Season).where(Season.label <= up_to).order_by(Season.label.desc())
    )
    return [season_view(s) for s in rows]


def _sort_rows(
    pairs: list[tuple[EnterpriseView, SheetView]], city_wide: bool
) -> list[tuple[EnterpriseView, SheetView]]:
    def key(pair: tuple[EnterpriseView, SheetView]) -> tuple:
        enterprise, sheet = pair
        county = enterprise.county_code if city_wide else ""
        return county, -sheet.final, enterprise.credit_code

    return sorted(pairs, key=key)


def _number_rows(
    pairs: list[tuple[EnterpriseView, SheetView]], periods: dict[str, str] | None = None
) -> tuple[ResultRow, ...]:
    return tuple(
        ResultRow(
            number=index,
            enterprise=enterprise,
            sheet=sheet,
            period=(periods or {}).get(enterprise.credit_code, ""),
        )
        for index, (enterprise, sheet) in enumerate(pairs, start=1)
    )


def find_cycle(session: Session, season: Season, county_code: str) -> Cycle | None:
    """Return the county's cycle of the season, if it started."""
    return session.scalar(
        select(Cycle).where(
            Cycle.season_id == season.id, Cycle.county_code == county_code
        )
    )


def evaluated_count(session: Session, season: Season, county_code: str | None) -> int:
    """Count the enterprises with at least one score sheet in the season."""
    query = (
        select(func.count(func.distinct(ScoreSheet.enterprise_id)))
        .join(Enterprise, Enterprise.id == ScoreSheet.enterprise_id)
        .where(ScoreSheet.season_id == season.id)
    )
    if county_code is not None:
        query = query.where(Enterprise.county_code == county_code)
    return session.scalar(query) or 0


def publicity_notice(
    session: Session, season_label: str, county_code: str, round_: int
) -> PublicityNotice:
    """Read what publicity round `round_` of a county showed."""
    season = find_season(session, season_label)
    county = find_county(session, county_code)
    cycle = find_cycle(session, season, county_code)
    window = None
    if cycle is not None:
        window = session.scalar(
            select(PublicityWindow).where(
                PublicityWindow.cycle_id == cycle.id, PublicityWindow.round == round_
            )
        )
    if window is None:
        raise PublicationError(
            f"no publicity round {round_} for county {county_code} in season "
            f"{season_label}; open the publicity window first"
        )

    entries = session.execute(
        select(Enterprise, ScoreSheet)
        .join(PublicityEntry, PublicityEntry.enterprise_id == Enterprise.id)
        .join(ScoreSheet, ScoreSheet.id == PublicityEntry.score_sheet_id)
        .where(PublicityEntry.window_id == window.id)
    )
    pairs = [(enterprise_view(e, county.name), sheet_view(s)) for e, s in entries]
    return PublicityNotice(
        season=season_view(season),
        county=county_view(county),
        round=window.round,
        cause=window.cause,
        opens_on=window.opens_on,
        closes_on=window.closes_on,
        rows=_number_rows(_sort_rows(pairs, city_wide=False)),
        evaluated_count=evaluated_count(session, season, county_code),
    )


def county_windows(
    session: Session, season: Season, county_code: str
) -> list[WindowView]:
    """Return a county's publicity rounds of the season in round order."""
    rows = session.execute(
        select(PublicityWindow, func.count(PublicityEntry.id))
        .join(Cycle, Cycle.id == PublicityWindow.cycle_id)
        .outerjoin(PublicityEntry, PublicityEntry.window_id == PublicityWindow.id)
        .where(Cycle.season_id == season.id, Cycle.county_code == county_code)
        .group_by(PublicityWindow.id)
        .order_by(PublicityWindow.round)
    )
    return [
        WindowView(
            round=window.round,
            cause=window.cause,
            cause_label=WINDOW_CAUSE_LABELS.get(window.cause, window.cause),
            opens_on=window.opens_on,
            closes_on=window.closes_on,
            entries=count,
        )
        for window, count in rows
    ]


def publicity_compilation(session: Session, season_label: str) -> PublicityCompilation:
    """Read every enterprise's latest publicised sheet across all counties."""
    season = find_season(session, season_label)
    names = county_names(session)
    rows = session.execute(
        select(Enterprise, ScoreSheet, PublicityWindow)
        .join(PublicityEntry, PublicityEntry.enterprise_id == Enterprise.id)
        .join(ScoreSheet, ScoreSheet.id == PublicityEntry.score_sheet_id)
        .join(PublicityWindow, PublicityWindow.id == PublicityEntry.window_id)
        .join(Cycle, Cycle.id == PublicityWindow.cycle_id)
        .where(Cycle.season_id == season.id)
        .order_by(Enterprise.id, PublicityWindow.round)
    )
    latest: dict[int, tuple[Enterprise, ScoreSheet, PublicityWindow]] = {}
    for enterprise, sheet, window in rows:
        latest[enterprise.id] = (enterprise, sheet, window)

    pairs = []
    periods = {}
    for enterprise, sheet, window in latest.values():
        view = enterprise_view(enterprise, names[enterprise.county_code])
        pairs.append((view, sheet_view(sheet)))
        periods[view.credit_code] = (
            f"{window.opens_on.isoformat()} 至 {window.closes_on.isoformat()}"
        )
    return PublicityCompilation(
        season=season_view(season),
        rows=_number_rows(_sort_rows(pairs, city_wide=True), periods),
    )


def final_pairs(
    session: Session, season: Season, county_code: str | None
) -> list[tuple[CreditRecord, EnterpriseView, SheetView]]:
    names = county_names(session)
    query = (
        select(CreditRecord, Enterprise, ScoreSheet)
        .join(Enterprise, Enterprise.id == CreditRecord.enterprise_id)
        .join(ScoreSheet, ScoreSheet.id == CreditRecord.score_sheet_id)
        .where(CreditRecord.season_id == season.id)
    )
    if county_code is not None:
        query = query.where(Enterprise.county_code == county_code)
    result = []
    for record, enterprise, sheet in session.execute(query):
        if (record.final, record.grade) != (sheet.final, sheet.grade):
            raise PublicationError(
                f"credit record {record.id} of {enterprise.credit_code} in season "
                f"{season.label} says {record.final} {record.grade} but its score "
                f"sheet {sheet.id} says {sheet.final} {sheet.grade}; repair the record"
            )
        view = enterprise_view(enterprise, names[enterprise.county_code])
        result.append((record, view, sheet_view(sheet)))
    return result


def final_announcement(
    session: Session,
    season_label: str,
    county_code: str | None = None,
    city_issuer: str = CITY_BUREAU,
) -> FinalAnnouncement | None:
    """Read the final results of a county or the whole city; None before any exist."""
    season = find_season(session, season_label)
    county = None if county_code is None else find_county(session, county_code)
    finals = final_pairs(session, season, county_code)
    if not finals:
        return None

    pairs = [(view, sheet) for _, view, sheet in finals]
    counts = {grade: 0 for grade in GRADES}
    for _, _, sheet in finals:
        counts[sheet.grade] += 1

    windows = select(func.count(PublicityWindow.id)).join(
        Cycle, Cycle.id == PublicityWindow.cycle_id
    )
    windows = windows.where(Cycle.season_id == season.id)
    objections = select(Objection.status).where(Objection.season_id == season.id)
    if county_code is not None:
        windows = windows.where(Cycle.county_code == county_code)
        objections = objections.where(Objection.county_code == county_code)
    statuses = list(session.scalars(objections))

    return FinalAnnouncement(
        season=season_view(season),
        county=None if county is None else county_view(county),
        issuer=city_issuer if county is None else county.bureau_name,
        published_on=max(record.published_on for record, _, _ in finals),
        rows=_number_rows(_sort_rows(pairs, city_wide=county is None)),
        grade_counts=counts,
        publicity_rounds=session.scalar(windows) or 0,
        objections_total=len(statuses),
        objections_upheld=statuses.count("upheld"),
    )


def county_season(
    session: Session, season_label: str, county_code: str
) -> CountySeason:
    """Read a county's publicity rounds and final results of one season."""
    season = find_season(session, season_label)
    return CountySeason(
        season=season_view(season),
        windows=tuple(county_windows(session, season, county_code)),
        final=final_announcement(session, season_label, county_code),
    )


def latest_publicised(
    session: Session, season: Season, enterprise_id: int
) -> tuple[ScoreSheet, date] | None:
    """Return the sheet an enterprise's latest publicity round showed, and its date."""
    row = session.execute(
        select(ScoreSheet, PublicityWindow.opens_on)
        .join(PublicityEntry, PublicityEntry.score_sheet_id == ScoreSheet.id)
        .join(PublicityWindow, PublicityWindow.id == PublicityEntry.window_id)
        .join(Cycle, Cycle.id == PublicityWindow.cycle_id)
        .where(
            Cycle.season_id == season.id, PublicityEntry.enterprise_id == enterprise_id
        )
        .order_by(PublicityWindow.round.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])
