"""Read the figures of the county work summary and the city's report from the database.

A county's current result of an enterprise is its final credit record when there
is one, otherwise the sheet its latest publicity round showed, otherwise its latest
score sheet version (not yet publicised).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from publication import enterprise_query, query
from publication.sheets import sheet_view
from publication.views import (
    GRADES,
    CountyView,
    EnterpriseView,
    FollowUpView,
    ObjectionView,
    RectificationView,
    SeasonView,
    SheetView,
    View,
    WindowView,
)
from storage.models import (
    CreditRecord,
    Cycle,
    Enterprise,
    Escalation,
    ScoreSheet,
    Season,
    Submission,
)

ESCALATION_STATUS_LABELS = {
    "submitted": "已报送，待复核",
    "confirmed": "市级复核通过",
    "returned": "市级复核退回",
}
RESULT_STATUS_LABELS = {"final": "已公告", "publicised": "已公示", "draft": "未公示"}


class CurrentResult(View):
    """An enterprise's result as far as the procedure has got."""

    enterprise: EnterpriseView
    sheet: SheetView
    status: str
    status_label: str


class LateSubmission(View):
    """A package received after the intake deadline."""

    enterprise: EnterpriseView
    received_on: date
    version: int


class EscalationView(View):
    """One report of the county to the city and the city's decision."""

    attempt: int
    submitted_on: date
    status_label: str
    decided_on: date | None
    reasons: str
    returned: tuple[str, ...]


class OrderRow(View):
    """A rectification order with its enterprise."""

    enterprise: EnterpriseView
    order: RectificationView


class FollowUpRow(View):
    """A follow-up measure with its enterprise."""

    enterprise: EnterpriseView
    follow_up: FollowUpView


class CountySummary(View):
    """The figures of a county's work summary to the city."""

    season: SeasonView
    county: CountyView
    report_due: date | None
    reported_on: date | None
    published_on: date | None
    results: tuple[CurrentResult, ...]
    grade_counts: dict[str, int]
    type_counts: dict[str, int]
    windows: tuple[WindowView, ...]
    objections: tuple[ObjectionView, ...]
    late: tuple[LateSubmission, ...]
    missing: tuple[EnterpriseView, ...]
    orders: tuple[OrderRow, ...]
    follow_ups: tuple[FollowUpRow, ...]
    escalations: tuple[EscalationView, ...]

    def count_objections(self, kind: str, status: str | None = None) -> int:
        """Count objections (or appeals) of `kind`, optionally with `status`."""
        return sum(
            1
            for o in self.objections
            if o.kind == kind and (status is None or o.status == status)
        )

    def count_orders(self, status: str) -> int:
        """Count rectification orders with `status`."""
        return sum(1 for row in self.orders if row.order.status == status)


class CityReport(View):
    """The figures of the city's report to the government: every county's summary."""

    season: SeasonView
    counties: tuple[CountySummary, ...]
    grade_counts: dict[str, int]

    @property
    def dated(self) -> date | None:
        """The latest final publication date of any county, the report's date."""
        dates = [c.published_on for c in self.counties if c.published_on is not None]
        return max(dates, default=None)

    @property
    def evaluated(self) -> int:
        """Enterprises with a result in any county."""
        return sum(len(c.results) for c in self.counties)


def _current_results(
    session: Session, season: Season, enterprises: list[Enterprise], county_name: str
) -> list[CurrentResult]:
    results = []
    for enterprise in enterprises:
        record = session.scalar(
            select(CreditRecord).where(
                CreditRecord.season_id == season.id,
                CreditRecord.enterprise_id == enterprise.id,
            )
        )
        if record is not None:
            sheet, status = session.get(ScoreSheet, record.score_sheet_id), "final"
        else:
            publicised = query.latest_publicised(session, season, enterprise.id)
            if publicised is not None:
                sheet, status = publicised[0], "publicised"
            else:
                sheet = session.scalar(
                    select(ScoreSheet)
                    .where(
                        ScoreSheet.season_id == season.id,
                        ScoreSheet.enterprise_id == enterprise.id,
                    )
                    .order_by(ScoreSheet.version.desc())
                    .limit(1)
                )
                status = "draft"
        if sheet is None:
            continue
        results.append(
            CurrentResult(
                enterprise=query.enterprise_view(enterprise, county_name),
                sheet=sheet_view(sheet),
                status=status,
                status_label=RESULT_STATUS_LABELS[status],
            )
        )
    return sorted(results, key=lambda r: (-r.sheet.final, r.enterprise.credit_code))


def _submissions(
    session: Session,
    season: Season,
    enterprises: list[Enterprise],
    county_name: str,
    timezone: ZoneInfo,
) -> tuple[list[LateSubmission], list[EnterpriseView]]:
    late = []
    missing = []
    for enterprise in enterprises:
        rows = list(
            session.scalars(
                select(Submission)
                .where(
                    Submission.season_id == season.id,
                    Submission.enterprise_id == enterprise.id,
                    Submission.source == "enterprise",
                )
                .order_by(Submission.version)
            )
        )
        view = query.enterprise_view(enterprise, county_name)
        if not any(row.accepted for row in rows):
            missing.append(view)
        for row in rows:
            if row.late:
                received = row.received_at.astimezone(timezone).date()
                late.append(
                    LateSubmission(
                        enterprise=view, received_on=received, version=row.version
                    )
                )
    return late, missing


def _escalations(
    session: Session, season: Season, county_code: str
) -> list[EscalationView]:
    cycle = query.find_cycle(session, season, county_code)
    if cycle is None:
        return []
    rows = session.scalars(
        select(Escalation)
        .where(Escalation.cycle_id == cycle.id)
        .order_by(Escalation.attempt)
    )
    return [
        EscalationView(
            attempt=row.attempt,
            submitted_on=row.submitted_on,
            status_label=ESCALATION_STATUS_LABELS.get(row.status, row.status),
            decided_on=row.decided_on,
            reasons=row.reasons or "",
            returned=tuple(str(code) for code in row.returned_enterprises or ()),
        )
        for row in rows
    ]


def county_summary(
    session: Session,
    season_label: str,
    county_code: str,
    timezone: str = "Asia/Shanghai",
) -> CountySummary:
    """Read the figures of a county's work summary for the season."""
    season = query.find_season(session, season_label)
    county = query.find_county(session, county_code)
    enterprises = list(
        session.scalars(
            select(Enterprise)
            .where(Enterprise.county_code == county_code)
            .order_by(Enterprise.credit_code)
        )
    )
    results = _current_results(session, season, enterprises, county.name)
    late, missing = _submissions(
        session, season, enterprises, county.name, ZoneInfo(timezone)
    )
    grade_counts = {grade: 0 for grade in GRADES}
    type_counts = {"heating": 0, "heat_source": 0}
    for result in results:
        grade_counts[result.sheet.grade] += 1
        type_counts[result.enterprise.type] = (
            type_counts.get(result.enterprise.type, 0) + 1
        )

    orders = []
    follow_ups = []
    for enterprise in enterprises:
        view = query.enterprise_view(enterprise, county.name)
        order = enterprise_query.rectification_view(session, season, enterprise.id)
        if order is not None:
            orders.append(OrderRow(enterprise=view, order=order))
        for follow_up in enterprise_query.follow_up_views(
            session, season, enterprise.id
        ):
            follow_ups.append(FollowUpRow(enterprise=view, follow_up=follow_up))

    cycle = query.find_cycle(session, season, county_code)
    return CountySummary(
        season=query.season_view(season),
        county=query.county_view(county),
        report_due=None if cycle is None else cycle.report_due,
        reported_on=None if cycle is None else cycle.reported_on,
        published_on=None if cycle is None else cycle.published_on,
        results=tuple(results),
        grade_counts=grade_counts,
        type_counts=type_counts,
        windows=tuple(query.county_windows(session, season, county_code)),
        objections=enterprise_query.objection_views(session, season, county_code, None),
        late=tuple(late),
        missing=tuple(missing),
        orders=tuple(orders),
        follow_ups=tuple(follow_ups),
        escalations=tuple(_escalations(session, season, county_code)),
    )


def counties_in_season(session: Session, season_label: str) -> list[str]:
    """Return the codes of counties with a cycle or a score sheet in the season."""
    season = query.find_season(session, season_label)
    with_sheets = (
        select(Enterprise.county_code)
        .join(ScoreSheet, ScoreSheet.enterprise_id == Enterprise.id)
        .where(ScoreSheet.season_id == season.id)
    )
    codes = set(session.scalars(with_sheets.group_by(Enterprise.county_code)))
    codes |= set(
        session.scalars(select(Cycle.county_code).where(Cycle.season_id == season.id))
    )
    return sorted(codes)


def city_report(
    session: Session, season_label: str, timezone: str = "Asia/Shanghai"
) -> CityReport:
    """Read the figures of the city's report: one summary per county in the season."""
    season = query.find_season(session, season_label)
    summaries = tuple(
        county_summary(session, season_label, code, timezone)
        for code in counties_in_season(session, season_label)
    )
    totals = {grade: sum(s.grade_counts[grade] for s in summaries) for grade in GRADES}
    return CityReport(
        season=query.season_view(season), counties=summaries, grade_counts=totals
    )
