"""Due stage flows per county and day, computed from the stored cycle state."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cycle.final import CHECK_DUE_REPEAT_DAYS, RECTIFICATION_REMINDER_DAYS
from cycle.intake_stage import REMINDER_DAYS_BEFORE
from cycle.objections import pending_rescores
from cycle.publicity import current_window, open_objections
from cycle.reporting import (
    OVERDUE_REPEAT_DAYS,
    REPORT_REMINDER_DAYS,
    latest_escalation,
)
from cycle.stages import REPORTED_STAGES, Stage, StageFlow
from storage.models import CountySeason, Cycle, Enterprise, RectificationOrder, Season

# The stage flows in the order one day's advance runs them, so that a county can
# move through several stages on the same day (scored, then publicity opened).
ORDER = (
    StageFlow.OPEN_INTAKE,
    StageFlow.INTAKE_SWEEP,
    StageFlow.EVIDENCE_CHECKS,
    StageFlow.SCORING,
    StageFlow.OPEN_PUBLICITY,
    StageFlow.CLOSE_PUBLICITY,
    StageFlow.OBJECTIONS,
    StageFlow.REPUBLICITY,
    StageFlow.ESCALATION,
    StageFlow.CITY_REVIEW,
    StageFlow.FINAL_PUBLICATION,
    StageFlow.RECTIFICATION,
)


def season_of(session: Session, cycle: Cycle) -> Season:
    """Return the season a cycle belongs to."""
    return session.get(Season, cycle.season_id)


def _season_end(session: Session, cycle: Cycle) -> date:
    return session.scalar(
        select(CountySeason.season_end).where(
            CountySeason.season_id == cycle.season_id,
            CountySeason.county_code == cycle.county_code,
        )
    )


def _review_over(cycle: Cycle, today: date) -> bool:
    """Whether the committee's review period after scoring or a return has passed."""
    from heateval.settings import get_settings

    return (today - cycle.stage_since).days >= get_settings().committee_review_days


def _report_watch_due(cycle: Cycle, today: date) -> bool:
    if cycle.stage in REPORTED_STAGES or cycle.reported_on is not None:
        return False
    days_left = (cycle.report_due - today).days
    overdue = -days_left
    return days_left in REPORT_REMINDER_DAYS or (
        overdue >= 1 and (overdue - 1) % OVERDUE_REPEAT_DAYS == 0
    )


def _rectification_due(session: Session, cycle: Cycle, today: date) -> bool:
    deadlines = session.scalars(
        select(RectificationOrder.deadline)
        .join(Enterprise, Enterprise.id == RectificationOrder.enterprise_id)
        .where(
            RectificationOrder.season_id == cycle.season_id,
            Enterprise.county_code == cycle.county_code,
            RectificationOrder.status == "open",
        )
    ).all()
    if not deadlines:
        return True  # nothing open: the follow-up flow closes the cycle
    return any(
        (d - today).days in RECTIFICATION_REMINDER_DAYS
        or (
            (today - d).days >= 1
            and ((today - d).days - 1) % CHECK_DUE_REPEAT_DAYS == 0
        )
        for d in deadlines
    )


def is_due(session: Session, stage_flow: StageFlow, cycle: Cycle, today: date) -> bool:
    """Return whether running `stage_flow` for this county today changes something."""
    stage = Stage(cycle.stage)
    match stage_flow:
        case StageFlow.OPEN_INTAKE:
            return stage == Stage.NOT_OPENED and today > _season_end(session, cycle)
        case StageFlow.INTAKE_SWEEP:
            days_left = (cycle.intake_deadline - today).days
            return stage == Stage.INTAKE and (
                days_left in REMINDER_DAYS_BEFORE or today > cycle.intake_deadline
            )
        case StageFlow.EVIDENCE_CHECKS:
            return stage == Stage.CHECKING
        case StageFlow.SCORING:
            return stage == Stage.SCORING or (
                stage == Stage.RETURNED and _review_over(cycle, today)
            )
        case StageFlow.OPEN_PUBLICITY:
            return stage == Stage.SCORED and _review_over(cycle, today)
        case StageFlow.CLOSE_PUBLICITY:
            if stage != Stage.PUBLICITY:
                return False
            window = current_window(session, cycle)
            return window is not None and today > window.closes_on
        case StageFlow.OBJECTIONS:
            # Due when a verdict waits for its re-score or every verdict is in.
            return stage == Stage.OBJECTIONS and (
                bool(
                    pending_rescores(
                        session, season_of(session, cycle), cycle.county_code
                    )
                )
                or open_objections(session, cycle, season_of(session, cycle)) == 0
            )
        case StageFlow.REPUBLICITY:
            return stage == Stage.RESCORED
        case StageFlow.ESCALATION:
            return stage == Stage.REPORTING or _report_watch_due(cycle, today)
        case StageFlow.CITY_REVIEW:
            if stage != Stage.CITY_REVIEW:
                return False
            escalation = latest_escalation(session, cycle)
            return escalation is not None and escalation.status != "submitted"
        case StageFlow.FINAL_PUBLICATION:
            return stage == Stage.CONFIRMED
        case StageFlow.RECTIFICATION:
            return stage == Stage.FOLLOW_UP and _rectification_due(
                session, cycle, today
            )
    raise ValueError(f"unknown stage flow {stage_flow!r}")


def _cycles(session: Session, season: Season) -> list[Cycle]:
    return list(
        session.scalars(
            select(Cycle)
            .where(Cycle.season_id == season.id)
            .order_by(Cycle.county_code)
        )
    )


def due_counties(
    session: Session, season: Season, stage_flow: StageFlow, today: date
) -> list[str]:
    """County codes for which `stage_flow` is due today, in code order."""
    return [
        c.county_code
        for c in _cycles(session, season)
        if is_due(session, stage_flow, c, today)
    ]


def due_stages(
    session: Session, season: Season, today: date
) -> dict[StageFlow, list[str]]:
    """Return the stage flows due today in `ORDER`, each with its counties in code
    order."""
    cycles = _cycles(session, season)
    due = {
        flow: [c.county_code for c in cycles if is_due(session, flow, c, today)]
        for flow in ORDER
    }
    return {flow: counties for flow, counties in due.items() if counties}


def anything_due(session: Session, season: Season, today: date) -> bool:
    """Return whether any stage flow is due for any county today."""
    cycles = _cycles(session, season)
    return any(is_due(session, flow, c, today) for flow in ORDER for c in cycles)
