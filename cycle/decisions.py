"""Human decisions, as the CLI and the decision deployments record them.

Each decision runs in one transaction with its ledger entry and notices. A
refused decision (a person not registered for that county and role) leaves
nothing but its attempt on file, written in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from cycle.corrections import add_correction, figure_change
from cycle.errors import CycleError
from cycle.final import record_rectification_check
from cycle.objections import (
    SubItemChange,
    add_adjustment,
    decide_objection,
    file_objection,
    find_enterprise,
)
from cycle.people import authorise, record_rejection
from cycle.reporting import latest_escalation, record_city_review
from cycle.setup import get_cycle, get_season
from cycle.stages import Stage
from storage.db import session_scope

T = TypeVar("T")


def run_decision(
    action: str, actor: str, county: str | None, decide: Callable[[Session], T]
) -> T:
    """Run `decide` in a transaction; keep a refused attempt on file.

    Every refusal is kept, not only those of people without the right: a member
    who tries to change a confirmed result or decide a closed objection leaves
    a trace too.
    """
    try:
        with session_scope() as session:
            return decide(session)
    except CycleError as error:
        with session_scope() as session:
            record_rejection(
                session, actor=actor, county=county, action=action, reason=str(error)
            )
        raise


# Stages in which the committee's own changes still reach the result: from
# intake through scoring and its review period, and after the city returned the
# county (for the enterprises it named). Later, a change goes through an objection or
# appeal verdict, which is publicised again.
CHANGEABLE_STAGES = frozenset(
    {Stage.INTAKE, Stage.CHECKING, Stage.SCORING, Stage.SCORED}
)


def _check_changeable(session: Session, season, enterprise) -> None:
    """Raise unless a committee change to `enterprise` can still reach its result."""
    cycle = get_cycle(session, season, enterprise.county_code)
    if cycle.stage in CHANGEABLE_STAGES:
        return
    if cycle.stage == Stage.RETURNED:
        escalation = latest_escalation(session, cycle)
        if escalation and enterprise.credit_code in escalation.returned_enterprises:
            return
        raise CycleError(
            f"the city returned county {cycle.county_code} for other enterprises, "
            f"not {enterprise.credit_code}; its result stands"
        )
    raise CycleError(
        f"county {cycle.county_code} is in stage {cycle.stage}: the results are "
        "publicised or reported, so a change now goes through an objection or "
        "appeal verdict (`heateval objection decide --set ... --correct ...`)"
    )


def adjust_sub_item(
    session: Session,
    *,
    season_label: str,
    credit_code: str,
    sub_item: str,
    points: Any,
    reason: str,
    member: str,
) -> dict[str, Any]:
    """Set a judgement-based sub-item for a committee member, with the reason."""
    season = get_season(session, season_label)
    enterprise = find_enterprise(session, credit_code)
    person = authorise(
        session,
        actor=member,
        role="committee",
        county=enterprise.county_code,
        action=f"adjust {sub_item} of {enterprise.credit_code}",
    )
    _check_changeable(session, season, enterprise)
    from cycle.objections import parse_changes

    change: SubItemChange = parse_changes([f"{sub_item}={points}"])[0]
    row = add_adjustment(
        session,
        season,
        enterprise,
        change,
        reason=reason,
        member_id=person.id,
        member_name=person.name,
    )
    return {"adjustment": row.id, "sub_item": row.sub_item, "points": str(row.points)}


def correct_figure(
    session: Session,
    *,
    season_label: str,
    credit_code: str,
    field: str,
    value: str,
    reason: str,
    member: str,
) -> dict[str, Any]:
    """Correct a verified figure for a committee member, e.g. falsified materials."""
    change = figure_change(field, value)
    season = get_season(session, season_label)
    enterprise = find_enterprise(session, credit_code)
    person = authorise(
        session,
        actor=member,
        role="committee",
        county=enterprise.county_code,
        action=f"correct {change.field} of {enterprise.credit_code}",
    )
    _check_changeable(session, season, enterprise)
    row = add_correction(
        session, season, enterprise, change, reason=reason, person=person
    )
    return {"correction": row.id, "field": row.field, "value": row.value}


__all__ = [
    "adjust_sub_item",
    "correct_figure",
    "decide_objection",
    "file_objection",
    "record_city_review",
    "record_rectification_check",
    "run_decision",
]


def objection_summary(objection: Any) -> dict[str, Any]:
    """Return the fields of an objection that the person acting needs to see."""
    return {
        "reference": objection.reference,
        "kind": objection.kind,
        "status": objection.status,
        "filed_on": objection.filed_on.isoformat(),
        "reply_due": objection.reply_due.isoformat() if objection.reply_due else None,
    }


def as_date(value: date | str | None) -> date | None:
    """Accept a date or an ISO date string."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def objection_county(reference: str) -> str | None:
    """Return the county of objection `reference`, for logging a refused verdict."""
    from sqlalchemy import select

    from storage.models import Objection

    with session_scope() as session:
        return session.scalar(
            select(Objection.county_code).where(Objection.reference == reference)
        )
