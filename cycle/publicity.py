"""Publicity windows: open round 1, close a window, open a new round for changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cycle.documents import render_publicity
from cycle.intake_stage import county_enterprises, move
from cycle.notify import notify
from cycle.scoring import latest_sheet
from cycle.stages import Stage
from heateval.settings import get_settings
from publication.query import public_link, publicity_url
from rules.legal_calendar import publicity_end
from storage.models import (
    Cycle,
    Objection,
    PublicityEntry,
    PublicityWindow,
    ScoreSheet,
    Season,
)
from storage.utcclock import utc_at_local_midnight

# Causes that send a changed result back to publicity. When a round shows changes
# of several causes, the first one listed names the round.
CAUSES = ("returned", "appeal", "objection")


@dataclass
class PublicityReport:
    """Outcome of one publicity step, for logs and artifacts."""

    county: str
    round: int | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    entries: list[str] = field(default_factory=list)
    notices: int = 0
    next_stage: str | None = None


def current_window(session: Session, cycle: Cycle) -> PublicityWindow | None:
    """Return the cycle's latest publicity window, if any."""
    return session.scalar(
        select(PublicityWindow)
        .where(PublicityWindow.cycle_id == cycle.id)
        .order_by(PublicityWindow.round.desc())
        .limit(1)
    )


def publicised_sheet_ids(session: Session, cycle: Cycle) -> set[int]:
    """Score sheets already shown in one of the cycle's windows."""
    return set(
        session.scalars(
            select(PublicityEntry.score_sheet_id)
            .join(PublicityWindow, PublicityWindow.id == PublicityEntry.window_id)
            .where(PublicityWindow.cycle_id == cycle.id)
        )
    )


def unpublicised_sheets(
    session: Session, season: Season, cycle: Cycle
) -> list[tuple[int, ScoreSheet]]:
    """(enterprise id, latest sheet) pairs whose latest sheet was never publicised."""
    shown = publicised_sheet_ids(session, cycle)
    pending = []
    for enterprise in county_enterprises(session, cycle.county_code):
        sheet = latest_sheet(session, season.id, enterprise.id)
        if sheet is not None and sheet.id not in shown:
            pending.append((enterprise.id, sheet))
    return pending


def open_window(
    session: Session, season: Season, cycle: Cycle, today: date, cause: str | None
) -> PublicityReport:
    """Open the next publicity round for every result not yet publicised.

    Round 1 opens for a scored county once the committee's review period is
    over; later rounds for a re-scored county. `cause` None names the cause
    from the new sheets (objection, appeal or returned). A county with nothing
    to publicise goes on to its report.
    """
    report = PublicityReport(cycle.county_code)
    review_days = get_settings().committee_review_days
    if cycle.stage == Stage.SCORED:
        if (today - cycle.stage_since).days < review_days:
            return report
    elif cycle.stage != Stage.RESCORED:
        return report
    pending = unpublicised_sheets(session, season, cycle)
    if not pending:
        move(cycle, Stage.REPORTING, today)
        report.next_stage = cycle.stage
        return report
    if cause is None:
        reasons = {sheet.reason for _, sheet in pending}
        cause = next((c for c in CAUSES if c in reasons), "objection")
    previous = current_window(session, cycle)
    round_no = 1 if previous is None else previous.round + 1
    window = PublicityWindow(
        cycle_id=cycle.id,
        round=round_no,
        opens_on=today,
        closes_on=publicity_end(today),
        cause=cause,
    )
    session.add(window)
    session.flush()
    shown = publicised_sheet_ids(session, cycle)
    for enterprise_id, sheet in pending:
        session.add(
            PublicityEntry(
                window_id=window.id,
                enterprise_id=enterprise_id,
                score_sheet_id=sheet.id,
            )
        )
        report.entries.append(str(enterprise_id))
        report.notices += _notify_entry(
            session, season, cycle, window, enterprise_id, sheet, shown
        )
    report.notices += notify(
        session,
        "publicity_opened",
        season=season.label,
        county=cycle.county_code,
        event_key=f"round{round_no}",
        context={
            "round": round_no,
            "window_opens": window.opens_on,
            "window_closes": window.closes_on,
            "enterprise_count": len(pending),
            "notice_link": public_link(
                publicity_url(season.label, cycle.county_code, round_no),
                get_settings().public_site_url,
            ),
        },
    )
    render_publicity(session, season, cycle.county_code, round_no)
    move(cycle, Stage.PUBLICITY, today)
    report.round = round_no
    report.opens_on = window.opens_on
    report.closes_on = window.closes_on
    report.next_stage = Stage.PUBLICITY
    return report


def _notify_entry(
    session: Session,
    season: Season,
    cycle: Cycle,
    window: PublicityWindow,
    enterprise_id: int,
    sheet: ScoreSheet,
    shown: set[int],
) -> int:
    common = {
        "total": sheet.final,
        "grade": sheet.grade,
        "window_opens": window.opens_on,
        "window_closes": window.closes_on,
    }
    if window.round == 1:
        return notify(
            session,
            "draft_result",
            season=season.label,
            county=cycle.county_code,
            enterprise_id=enterprise_id,
            context=common
            | {"base": sheet.base, "bonus": sheet.bonus, "deduction": sheet.deductions},
        )
    previous = session.scalar(
        select(ScoreSheet)
        .where(
            ScoreSheet.enterprise_id == enterprise_id,
            ScoreSheet.season_id == season.id,
            ScoreSheet.id.in_(shown) if shown else ScoreSheet.id.is_(None),
        )
        .order_by(ScoreSheet.version.desc())
        .limit(1)
    )
    return notify(
        session,
        "republicity_opened",
        season=season.label,
        county=cycle.county_code,
        enterprise_id=enterprise_id,
        event_key=f"round{window.round}",
        context=common
        | {
            "round": window.round,
            "cause": window.cause,
            "previous_total": previous.final if previous else "",
            "previous_grade": previous.grade if previous else "",
        },
    )


def open_objections(session: Session, cycle: Cycle, season: Season) -> int:
    """Count the county's objections and appeals still waiting for a verdict."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Objection)
            .where(
                Objection.season_id == season.id,
                Objection.county_code == cycle.county_code,
                Objection.status == "open",
            )
        )
        or 0
    )


def unsettled_objections(session: Session, cycle: Cycle, season: Season) -> int:
    """Count objections and appeals still open, or upheld and not yet re-scored."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Objection)
            .where(
                Objection.season_id == season.id,
                Objection.county_code == cycle.county_code,
                (Objection.status == "open")
                | (
                    (Objection.status == "upheld")
                    & Objection.rescored_sheet_id.is_(None)
                ),
            )
        )
        or 0
    )


def close_window(
    session: Session, season: Season, cycle: Cycle, today: date
) -> PublicityReport:
    """Close an expired window; go on to objections or to the report to the city."""
    report = PublicityReport(cycle.county_code)
    window = current_window(session, cycle)
    if cycle.stage != Stage.PUBLICITY or window is None or today <= window.closes_on:
        return report
    window.closed_at = utc_at_local_midnight(today)
    report.round = window.round
    report.closes_on = window.closes_on
    if unsettled_objections(session, cycle, season) or unpublicised_sheets(
        session, season, cycle
    ):
        move(cycle, Stage.OBJECTIONS, today)
    else:
        move(cycle, Stage.REPORTING, today)
    report.next_stage = cycle.stage
    return report
