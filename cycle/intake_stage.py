"""Opening intake, the daily sweep with reminders, and the close of intake."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cycle.notify import notify
from cycle.stages import Stage
from storage.models import CountySeason, Cycle, Enterprise, Season, Submission

REMINDER_DAYS_BEFORE = (7, 1)


@dataclass
class IntakeReport:
    """Counts of one county's intake step, for logs and artifacts."""

    county: str
    received: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notices: int = 0
    closed: bool = False


def county_enterprises(session: Session, county: str) -> list[Enterprise]:
    """Return the county's registered enterprises, ordered by credit code."""
    return list(
        session.scalars(
            select(Enterprise)
            .where(Enterprise.county_code == county)
            .order_by(Enterprise.credit_code)
        )
    )


def submitted_codes(session: Session, season: Season, county: str) -> set[str]:
    """Credit codes with at least one accepted package this season."""
    return set(
        session.scalars(
            select(Submission.owner_key).where(
                Submission.season_id == season.id,
                Submission.county_code == county,
                Submission.source == "enterprise",
                Submission.accepted.is_(True),
            )
        )
    )


def move(cycle: Cycle, stage: Stage, today: date) -> None:
    """Put the cycle in `stage` as of `today`."""
    cycle.stage = stage
    cycle.stage_since = today
    cycle.revision += 1


def open_intake(
    session: Session, season: Season, cycle: Cycle, today: date
) -> IntakeReport:
    """Open intake once the county's season has ended; tell every enterprise."""
    report = IntakeReport(cycle.county_code)
    dates = session.scalar(
        select(CountySeason).where(
            CountySeason.season_id == season.id,
            CountySeason.county_code == cycle.county_code,
        )
    )
    if cycle.stage != Stage.NOT_OPENED or today <= dates.season_end:
        return report
    cycle.intake_opened_on = today
    move(cycle, Stage.INTAKE, today)
    for enterprise in county_enterprises(session, cycle.county_code):
        report.notices += notify(
            session,
            "intake_opened",
            season=season.label,
            county=cycle.county_code,
            enterprise_id=enterprise.id,
            context={
                "deadline": cycle.intake_deadline,
                "template_link": f"heateval template --season {season.label}",
            },
        )
    return report


def sweep_intake(
    session: Session, season: Season, cycle: Cycle, today: date
) -> IntakeReport:
    """Remind enterprises that have not submitted; close intake after the deadline."""
    report = IntakeReport(cycle.county_code)
    if cycle.stage != Stage.INTAKE:
        return report
    received = submitted_codes(session, season, cycle.county_code)
    enterprises = county_enterprises(session, cycle.county_code)
    report.received = sorted(
        e.credit_code for e in enterprises if e.credit_code in received
    )
    report.missing = sorted(
        e.credit_code for e in enterprises if e.credit_code not in received
    )
    days_left = (cycle.intake_deadline - today).days
    if days_left in REMINDER_DAYS_BEFORE:
        for enterprise in enterprises:
            if enterprise.credit_code in received:
                continue
            report.notices += notify(
                session,
                "intake_reminder",
                season=season.label,
                county=cycle.county_code,
                enterprise_id=enterprise.id,
                event_key=f"{days_left}d",
                context={"deadline": cycle.intake_deadline, "days_left": days_left},
            )
    if today > cycle.intake_deadline:
        move(cycle, Stage.CHECKING, today)
        report.closed = True
    return report
