"""Read an enterprise's results, history, measures and county medians from the database.

Every function takes an open SQLAlchemy session and returns frozen pydantic views.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from publication import query
from publication.query import (
    CENT,
    PublicationError,
    county_view,
    enterprise_view,
    find_county,
    find_season,
    letter_url,
    publicity_url,
    season_view,
)
from publication.sheets import sheet_view
from publication.views import (
    FOLLOW_UP_LABELS,
    OBJECTION_KIND_LABELS,
    OBJECTION_STATUS_LABELS,
    RECTIFICATION_STATUS_LABELS,
    EnterprisePage,
    EnterpriseResult,
    FollowUpView,
    ObjectionView,
    PublicityAppearance,
    RectificationView,
    SeasonResult,
)
from storage.models import (
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
    for _, _, sheet in query.final_pairs(session, season, county_code):
        for category in sheet.categories:
            if category.applicable:
                points[category.code].append(category.points)
    return {code: median(values) for code, values in sorted(points.items())}


def objection_views(
    session: Session, season: Season, county_code: str | None, enterprise_id: int | None
) -> tuple[ObjectionView, ...]:
    """Return objections and appeals in filing order, without who filed them."""
    names = query.county_names(session)
    statement = (
        select(Objection, Enterprise)
        .join(Enterprise, Enterprise.id == Objection.enterprise_id)
        .where(Objection.season_id == season.id)
        .order_by(Objection.filed_on, Objection.reference)
    )
    if county_code is not None:
        statement = statement.where(Objection.county_code == county_code)
    if enterprise_id is not None:
        statement = statement.where(Objection.enterprise_id == enterprise_id)
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
        for objection, enterprise in session.execute(statement)
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
    statement = select(Enterprise).where(
        Enterprise.id.in_(publicised.union(final).scalar_subquery())
    )
    if county_code is not None:
        statement = statement.where(Enterprise.county_code == county_code)
    return list(session.scalars(statement.order_by(Enterprise.credit_code)))
