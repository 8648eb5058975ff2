"""Every county's stage and next deadline, for `heateval status` and the demo."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cycle.publicity import current_window
from cycle.setup import get_season
from cycle.stages import Stage
from storage.models import (
    County,
    CreditRecord,
    Cycle,
    Enterprise,
    Objection,
    RectificationOrder,
)


class CountyStatus(BaseModel):
    """One county's place in the cycle."""

    county: str
    name: str
    stage: str
    since: date
    next_deadline: date | None
    next_deadline_is: str | None
    deadline_passed: bool = False  # the deadline is before today and still open
    enterprises: int
    open_objections: int
    published: int


def _next_deadline(session: Session, cycle: Cycle) -> tuple[date | None, str | None]:
    stage = Stage(cycle.stage)
    if stage in (Stage.NOT_OPENED, Stage.INTAKE):
        return cycle.intake_deadline, "intake deadline"
    if stage == Stage.PUBLICITY:
        window = current_window(session, cycle)
        if window is not None:
            return window.closes_on, f"publicity round {window.round} closes"
    if stage == Stage.FOLLOW_UP:
        deadline = session.scalar(
            select(func.min(RectificationOrder.deadline))
            .join(Enterprise, Enterprise.id == RectificationOrder.enterprise_id)
            .where(
                RectificationOrder.season_id == cycle.season_id,
                RectificationOrder.status == "open",
                Enterprise.county_code == cycle.county_code,
            )
        )
        if deadline is not None:
            return deadline, "rectification deadline"
        return None, None
    if stage in (Stage.CONFIRMED, Stage.CLOSED, Stage.CITY_REVIEW):
        return None, None
    return cycle.report_due, "report to the city due"


def season_status(
    session: Session, season_label: str, today: date | None = None
) -> list[CountyStatus]:
    """Return the status of every county in `season_label`, by county code.

    A deadline before `today` (default: today in Asia/Shanghai) that is still the
    next one is marked as passed, as for an order waiting for its check.
    """
    from storage.utcclock import local_today

    today = today or local_today()
    season = get_season(session, season_label)
    names = {c.code: c.name for c in session.scalars(select(County))}
    rows = []
    cycles = session.scalars(
        select(Cycle).where(Cycle.season_id == season.id).order_by(Cycle.county_code)
    )
    for cycle in cycles:
        deadline, what = _next_deadline(session, cycle)
        enterprises = session.scalar(
            select(func.count())
            .select_from(Enterprise)
            .where(Enterprise.county_code == cycle.county_code)
        )
        open_count = session.scalar(
            select(func.count())
            .select_from(Objection)
            .where(
                Objection.season_id == season.id,
                Objection.county_code == cycle.county_code,
                Objection.status == "open",
            )
        )
        published = session.scalar(
            select(func.count())
            .select_from(CreditRecord)
            .join(Enterprise, Enterprise.id == CreditRecord.enterprise_id)
            .where(
                CreditRecord.season_id == season.id,
                Enterprise.county_code == cycle.county_code,
            )
        )
        rows.append(
            CountyStatus(
                county=cycle.county_code,
                name=names.get(cycle.county_code, ""),
                stage=cycle.stage,
                since=cycle.stage_since,
                next_deadline=deadline,
                next_deadline_is=what,
                deadline_passed=deadline is not None and deadline < today,
                enterprises=enterprises or 0,
                open_objections=open_count or 0,
                published=published or 0,
            )
        )
    return rows
