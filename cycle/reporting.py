"""The county's report to the city, the 15 June watch, and the city's review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cycle.dates import not_in_future
from cycle.errors import CycleError
from cycle.intake_stage import county_enterprises, move
from cycle.notify import notify
from cycle.objections import find_enterprise
from cycle.people import authorise
from cycle.scoring import latest_sheet
from cycle.setup import get_cycle, get_season
from cycle.stages import REPORTED_STAGES, Stage
from cycle.text import clean_text, optional_text
from storage import ledger
from storage.models import (
    Cycle,
    Enterprise,
    Escalation,
    Objection,
    Season,
    Submission,
)

REPORT_REMINDER_DAYS = (7, 1)
OVERDUE_REPEAT_DAYS = 7


@dataclass
class ReportingReport:
    """Outcome of one reporting step."""

    county: str
    attempt: int | None = None
    notices: int = 0
    next_stage: str | None = None
    unscored: list[str] = field(default_factory=list)


def latest_escalation(session: Session, cycle: Cycle) -> Escalation | None:
    """Return the county's most recent report to the city."""
    return session.scalar(
        select(Escalation)
        .where(Escalation.cycle_id == cycle.id)
        .order_by(Escalation.attempt.desc())
        .limit(1)
    )


def work_summary(session: Session, season: Season, cycle: Cycle) -> str:
    """Write the county's work summary: grades, objections, late submissions."""
    grades: Counter[str] = Counter()
    for enterprise in county_enterprises(session, cycle.county_code):
        sheet = latest_sheet(session, season.id, enterprise.id)
        if sheet is not None:
            grades[sheet.grade] += 1
    objections = Counter(
        f"{kind}:{status}"
        for kind, status in session.execute(
            select(Objection.kind, Objection.status).where(
                Objection.season_id == season.id,
                Objection.county_code == cycle.county_code,
            )
        )
    )
    late = (
        session.scalar(
            select(func.count(func.distinct(Submission.owner_key))).where(
                Submission.season_id == season.id,
                Submission.county_code == cycle.county_code,
                Submission.source == "enterprise",
                Submission.late.is_(True),
            )
        )
        or 0
    )
    grade_text = "，".join(f"{g}级{grades.get(g, 0)}家" for g in "ABCD")
    objection_text = "，".join(
        f"{key} {count}" for key, count in sorted(objections.items())
    )
    return (
        f"{season.label}年度供热企业综合评价工作总结（{cycle.county_code}）\n"
        f"参评企业{sum(grades.values())}家：{grade_text}。\n"
        f"异议与申诉：{objection_text or '无'}。\n"
        f"逾期提交材料企业：{late}家。"
    )


def submit_report(
    session: Session, season: Season, cycle: Cycle, today: date
) -> ReportingReport:
    """Send the county's results and work summary to the city once publicity is done."""
    report = ReportingReport(cycle.county_code)
    if cycle.stage != Stage.REPORTING:
        return report
    for enterprise in county_enterprises(session, cycle.county_code):
        if latest_sheet(session, season.id, enterprise.id) is None:
            report.unscored.append(enterprise.credit_code)
    if report.unscored:
        return report
    previous = latest_escalation(session, cycle)
    attempt = 1 if previous is None else previous.attempt + 1
    escalation = Escalation(
        cycle_id=cycle.id,
        attempt=attempt,
        submitted_on=today,
        summary=work_summary(session, season, cycle),
        status="submitted",
        returned_enterprises=[],
    )
    session.add(escalation)
    ledger.record(
        session,
        escalation,
        actor=f"bureau:{cycle.county_code}",
        action="escalation.submitted",
        detail=f"attempt {attempt}",
    )
    cycle.reported_on = today
    move(cycle, Stage.CITY_REVIEW, today)
    report.attempt = attempt
    report.notices += notify(
        session,
        "county_reported",
        season=season.label,
        county=cycle.county_code,
        event_key=f"attempt{attempt}",
        context={
            "attempt": attempt,
            "submitted_on": today,
            "report_due": cycle.report_due,
            "summary": escalation.summary,
        },
    )
    report.next_stage = cycle.stage
    return report


def watch_report_due(
    session: Session, season: Season, cycle: Cycle, today: date
) -> int:
    """Remind a county before 15 June and flag it to the city once overdue."""
    if cycle.stage in REPORTED_STAGES or cycle.reported_on is not None:
        return 0
    days_left = (cycle.report_due - today).days
    if days_left in REPORT_REMINDER_DAYS:
        return notify(
            session,
            "county_report_due",
            season=season.label,
            county=cycle.county_code,
            event_key=f"{days_left}d",
            context={"report_due": cycle.report_due, "days_left": days_left},
        )
    overdue = -days_left
    if overdue >= 1 and (overdue - 1) % OVERDUE_REPEAT_DAYS == 0:
        return notify(
            session,
            "county_report_overdue",
            season=season.label,
            county=cycle.county_code,
            event_key=f"{overdue}d",
            context={"report_due": cycle.report_due, "days_overdue": overdue},
        )
    return 0


def record_city_review(
    session: Session,
    *,
    season_label: str,
    county: str,
    decision: str,
    reviewer: str,
    decided_on: date,
    reasons: str = "",
    enterprises: list[str] = (),  # type: ignore[assignment]
) -> Escalation:
    """Record the city's review of a county's report: confirm, or return it."""
    if decision not in ("confirm", "return"):
        raise CycleError(f"decision {decision!r} is invalid; use confirm or return")
    season = get_season(session, season_label)
    cycle = get_cycle(session, season, county)
    person = authorise(
        session,
        actor=reviewer,
        role="city_reviewer",
        county=county,
        action=f"{decision} county {county}",
    )
    escalation = latest_escalation(session, cycle)
    if escalation is None or escalation.status != "submitted":
        raise CycleError(
            f"county {county} has no report waiting for review "
            f"(stage {cycle.stage}); nothing to {decision}"
        )
    not_in_future(decided_on, "the review's date")
    if decided_on < escalation.submitted_on:
        raise CycleError(
            f"the review's date {decided_on} is before county {county} reported on "
            f"{escalation.submitted_on}; give the day of the review"
        )
    returned: list[str] = []
    if decision == "confirm":
        reasons = optional_text(reasons, "the remarks on confirming", 2000)
    else:
        reasons = clean_text(reasons, "the reasons for returning", 2000)
        if not enterprises:
            raise CycleError("name the enterprises to re-score (credit codes)")
        for code in enterprises:
            enterprise = find_enterprise(session, code)
            if enterprise.county_code != county:
                raise CycleError(
                    f"enterprise {enterprise.credit_code} is in county "
                    f"{enterprise.county_code}, not {county}"
                )
            returned.append(enterprise.credit_code)
    escalation.status = "confirmed" if decision == "confirm" else "returned"
    escalation.reviewer_id = person.id
    escalation.decided_on = decided_on
    escalation.reasons = reasons or None
    escalation.returned_enterprises = sorted(returned)
    ledger.record(
        session,
        escalation,
        actor=f"city_reviewer:{person.name}",
        action=f"escalation.{escalation.status}",
    )
    return escalation


def apply_city_review(
    session: Session, season: Season, cycle: Cycle, today: date
) -> ReportingReport:
    """Act on the city's recorded decision: confirm, or send enterprises back."""
    report = ReportingReport(cycle.county_code)
    escalation = latest_escalation(session, cycle)
    if cycle.stage != Stage.CITY_REVIEW or escalation is None:
        return report
    if escalation.status == "confirmed":
        cycle.confirmed_on = escalation.decided_on
        move(cycle, Stage.CONFIRMED, today)
    elif escalation.status == "returned":
        move(cycle, Stage.RETURNED, today)
        report.notices += notify(
            session,
            "county_returned",
            season=season.label,
            county=cycle.county_code,
            event_key=f"attempt{escalation.attempt}",
            context={
                "attempt": escalation.attempt,
                "reasons": escalation.reasons,
                "returned_enterprises": [
                    {"name": e.name, "credit_code": e.credit_code}
                    for e in session.scalars(
                        select(Enterprise)
                        .where(
                            Enterprise.credit_code.in_(escalation.returned_enterprises)
                        )
                        .order_by(Enterprise.credit_code)
                    )
                ],
            },
        )
    report.attempt = escalation.attempt
    report.next_stage = cycle.stage
    return report
