"""Read the published-results view model from the database.

Every function takes an open SQLAlchemy session and returns frozen pydantic views;
rows are ordered so that the same data always gives the same views.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publication.sheets import sheet_view
from publication.views import (
    FOLLOW_UP_LABELS,
    GRADES,
    OBJECTION_KIND_LABELS,
    OBJECTION_STATUS_LABELS,
    RECTIFICATION_STATUS_LABELS,
    WINDOW_CAUSE_LABELS,
    CountySeason,
    CountyView,
    EnterprisePage,
    EnterpriseResult,
    EnterpriseView,
    FinalAnnouncement,
    FollowUpView,
    ObjectionView,
    PublicityAppearance,
    PublicityCompilation,
    PublicityNotice,
    RectificationView,
    ResultRow,
    SeasonResult,
    SeasonView,
    SheetView,
    WindowView,
)
from storage.models import (
    County,
    CreditRecord,
    Cycle,
    Enterprise,
    FollowUp,
    Objection,
    PublicityEntry,
    PublicityWindow,
    RectificationOrder,
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


def _county_names(session: Session) -> dict[str, str]:
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
    names = _county_names(session)
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


def _final_pairs(
    session: Session, season: Season, county_code: str | None
) -> list[tuple[CreditRecord, EnterpriseView, SheetView]]:
    names = _county_names(session)
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
    session: Session, season_label: str, county_code: str | None = None
) -> FinalAnnouncement | None:
    """Read the final results of a county or the whole city; None before any exist."""
    season = find_season(session, season_label)
    county = None if county_code is None else find_county(session, county_code)
    finals = _final_pairs(session, season, county_code)
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
        issuer=CITY_BUREAU if county is None else county.bureau_name,
        published_on=max(record.published_on for record, _, _ in finals),
        rows=_number_rows(_sort_rows(pairs, city_wide=county is None)),
        grade_counts=counts,
        publicity_rounds=session.scalar(windows) or 0,
        objections_total=len(statuses),
        objections_upheld=statuses.count("upheld"),
    )


def median(values: list[Decimal]) -> Decimal:
    """Return the median, rounded half-up to hundredths."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        value = ordered[middle]
    else:
        value = (ordered[middle - 1] + ordered[middle]) / 2
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def county_medians(
    session: Session, season: Season, county_code: str
) -> dict[str, Decimal]:
    """Return each category's county median over the final results it applies to."""
    points: dict[str, list[Decimal]] = defaultdict(list)
    for _, _, sheet in _final_pairs(session, season, county_code):
        for category in sheet.categories:
            if category.applicable:
                points[category.code].append(category.points)
    return {code: median(values) for code, values in sorted(points.items())}


def objection_views(
    session: Session, season: Season, county_code: str | None, enterprise_id: int | None
) -> tuple[ObjectionView, ...]:
    """Return objections and appeals in filing order, without who filed them."""
    names = _county_names(session)
    query = (
        select(Objection, Enterprise)
        .join(Enterprise, Enterprise.id == Objection.enterprise_id)
        .where(Objection.season_id == season.id)
        .order_by(Objection.filed_on, Objection.reference)
    )
    if county_code is not None:
        query = query.where(Objection.county_code == county_code)
    if enterprise_id is not None:
        query = query.where(Objection.enterprise_id == enterprise_id)
    return tuple(
        ObjectionView(
            enterprise=enterprise_view(enterprise, names[enterprise.county_code]),
            kind=objection.kind,
            kind_label=OBJECTION_KIND_LABELS.get(objection.kind, objection.kind),
            filed_on=objection.filed_on,
            status=objection.status,
            status_label=OBJECTION_STATUS_LABELS.get(
                objection.status, objection.status
            ),
            decided_on=objection.decided_on,
            verdict_reason=objection.verdict_reason or "",
            rescored=objection.rescored_sheet_id is not None,
        )
        for objection, enterprise in session.execute(query)
    )


def follow_up_views(
    session: Session, season: Season, enterprise_id: int
) -> tuple[FollowUpView, ...]:
    """Return the follow-up measures decided for an enterprise in a season."""
    rows = session.scalars(
        select(FollowUp)
        .where(FollowUp.season_id == season.id, FollowUp.enterprise_id == enterprise_id)
        .order_by(FollowUp.decided_on, FollowUp.kind)
    )
    return tuple(
        FollowUpView(
            kind=row.kind,
            label=FOLLOW_UP_LABELS.get(row.kind, row.kind),
            decided_on=row.decided_on,
            note=row.note,
        )
        for row in rows
    )


def rectification_view(
    session: Session, season: Season, enterprise_id: int
) -> RectificationView | None:
    """Return the enterprise's rectification order of the season, if one was issued."""
    order = session.scalar(
        select(RectificationOrder).where(
            RectificationOrder.season_id == season.id,
            RectificationOrder.enterprise_id == enterprise_id,
        )
    )
    if order is None:
        return None
    return RectificationView(
        grade=order.grade,
        issued_on=order.issued_on,
        deadline=order.deadline,
        status=order.status,
        status_label=RECTIFICATION_STATUS_LABELS.get(order.status, order.status),
        checked_on=order.checked_on,
        outcome=order.outcome or "",
    )


def find_enterprise(session: Session, credit_code: str) -> Enterprise:
    """Return the enterprise with `credit_code`, or raise."""
    enterprise = session.scalar(
        select(Enterprise).where(Enterprise.credit_code == credit_code)
    )
    if enterprise is None:
        raise PublicationError(f"enterprise with credit code {credit_code!r} not found")
    return enterprise


def enterprise_result(
    session: Session,
    season_label: str,
    credit_code: str,
    medians: dict[str, Decimal] | None = None,
) -> EnterpriseResult:
    """Read an enterprise's final result of the season with everything around it."""
    season = find_season(session, season_label)
    enterprise = find_enterprise(session, credit_code)
    county = find_county(session, enterprise.county_code)
    record = session.scalar(
        select(CreditRecord).where(
            CreditRecord.season_id == season.id,
            CreditRecord.enterprise_id == enterprise.id,
        )
    )
    if record is None:
        raise PublicationError(
            f"enterprise {credit_code} has no final result in season {season_label}; "
            "letters are written after final publication"
        )
    sheet = session.get(ScoreSheet, record.score_sheet_id)
    if medians is None:
        medians = county_medians(session, season, county.code)
    return EnterpriseResult(
        season=season_view(season),
        county=county_view(county),
        enterprise=enterprise_view(enterprise, county.name),
        sheet=sheet_view(sheet),
        published_on=record.published_on,
        county_medians=medians,
        follow_ups=follow_up_views(session, season, enterprise.id),
        rectification=rectification_view(session, season, enterprise.id),
        objections=objection_views(session, season, None, enterprise.id),
    )


def enterprise_history(
    session: Session, enterprise: Enterprise, up_to: str
) -> tuple[SeasonResult, ...]:
    """Return the enterprise's final results up to season `up_to`, newest first."""
    rows = session.execute(
        select(CreditRecord, Season)
        .join(Season, Season.id == CreditRecord.season_id)
        .where(CreditRecord.enterprise_id == enterprise.id, Season.label <= up_to)
        .order_by(Season.label.desc())
    )
    history = []
    for record, season in rows:
        follow_ups = follow_up_views(session, season, enterprise.id)
        order = rectification_view(session, season, enterprise.id)
        history.append(
            SeasonResult(
                season=season.label,
                final=record.final,
                grade=record.grade,
                published_on=record.published_on,
                letter_url=letter_url(season.label, enterprise.credit_code),
                follow_ups=tuple(f.label for f in follow_ups),
                rectification="" if order is None else order.status_label,
            )
        )
    return tuple(history)


def enterprise_page(
    session: Session,
    enterprise: Enterprise,
    up_to: str,
    medians_for: Callable[[str, str], dict[str, Decimal]] | None = None,
) -> EnterprisePage:
    """Read an enterprise's archive page as of season `up_to`.

    `medians_for(season, county_code)` may return cached county medians.
    """
    county = find_county(session, enterprise.county_code)
    history = enterprise_history(session, enterprise, up_to)
    latest = None
    if history:
        season = history[0].season
        medians = None if medians_for is None else medians_for(season, county.code)
        latest = enterprise_result(session, season, enterprise.credit_code, medians)
    return EnterprisePage(
        enterprise=enterprise_view(enterprise, county.name),
        history=history,
        publicity=publicity_appearances(session, enterprise, up_to),
        latest=latest,
    )


def publicity_appearances(
    session: Session, enterprise: Enterprise, up_to: str
) -> tuple[PublicityAppearance, ...]:
    """Return every publicity round that showed the enterprise, newest first."""
    rows = session.execute(
        select(PublicityWindow, ScoreSheet, Season, Cycle.county_code)
        .join(PublicityEntry, PublicityEntry.window_id == PublicityWindow.id)
        .join(ScoreSheet, ScoreSheet.id == PublicityEntry.score_sheet_id)
        .join(Cycle, Cycle.id == PublicityWindow.cycle_id)
        .join(Season, Season.id == Cycle.season_id)
        .where(PublicityEntry.enterprise_id == enterprise.id, Season.label <= up_to)
        .order_by(Season.label.desc(), PublicityWindow.round.desc())
    )
    return tuple(
        PublicityAppearance(
            season=season.label,
            round=window.round,
            opens_on=window.opens_on,
            closes_on=window.closes_on,
            final=sheet.final,
            grade=sheet.grade,
            notice_url=publicity_url(season.label, county_code, window.round),
        )
        for window, sheet, season, county_code in rows
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


def archive_enterprises(
    session: Session, up_to: str, county_code: str | None = None
) -> list[Enterprise]:
    """Return the enterprises with a publicised or final result up to season `up_to`."""
    publicised = (
        select(PublicityEntry.enterprise_id)
        .join(PublicityWindow, PublicityWindow.id == PublicityEntry.window_id)
        .join(Cycle, Cycle.id == PublicityWindow.cycle_id)
        .join(Season, Season.id == Cycle.season_id)
        .where(Season.label <= up_to)
    )
    final = (
        select(CreditRecord.enterprise_id)
        .join(Season, Season.id == CreditRecord.season_id)
        .where(Season.label <= up_to)
    )
    query = select(Enterprise).where(
        Enterprise.id.in_(publicised.union(final).scalar_subquery())
    )
    if county_code is not None:
        query = query.where(Enterprise.county_code == county_code)
    return list(session.scalars(query.order_by(Enterprise.credit_code)))


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
