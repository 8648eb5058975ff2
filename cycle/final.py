"""Final publication, the credit archive, and follow-up by grade."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cycle.dates import not_in_future
from cycle.errors import CycleError
from cycle.intake_stage import county_enterprises, move
from cycle.notify import notify
from cycle.objections import find_enterprise
from cycle.people import authorise
from cycle.scoring import latest_sheet
from cycle.setup import get_season
from cycle.stages import Stage
from cycle.text import clean_text
from heateval.settings import get_settings
from publication.letters import letter_path
from publication.query import public_link
from rules.legal_calendar import rectification_deadline
from storage import ledger
from storage.models import (
    CreditRecord,
    Cycle,
    Enterprise,
    FollowUp,
    RectificationOrder,
    Season,
)

# Follow-up measures by grade, as the measure's article 16 sets them.
FOLLOW_UPS = {
    "A": ("priority_support",),
    "B": ("closer_supervision",),
    "C": ("warning",),
    "D": ("key_supervision",),
}
FOLLOW_UP_NAMES = {
    "priority_support": "优先给予项目、资金支持，规划调配供热区域时优先考虑",
    "closer_supervision": "加强监管，督促提升供热质量和服务水平",
    "warning": "警告，责令限期改正，整改期间重点监管，不得新接管或扩展供热区域",
    "key_supervision": "列入重点监管范围，责令限期整改",
    "licence_revocation": "逾期未整改或整改仍不合格，依法清退并吊销供热经营许可证",
    "emergency_takeover": "启动退出应急管理机制，实行应急接管，保障热用户用热",
}
RECTIFICATION_REMINDER_DAYS = (14, 3)
CHECK_DUE_REPEAT_DAYS = 7


@dataclass
class FinalReport:
    """Outcome of one final-publication or follow-up step."""

    county: str
    published: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    notices: int = 0
    next_stage: str | None = None


def _add_follow_up(
    session: Session, enterprise: Enterprise, season: Season, kind: str, today: date
) -> FollowUp | None:
    exists = session.scalar(
        select(FollowUp).where(
            FollowUp.enterprise_id == enterprise.id,
            FollowUp.season_id == season.id,
            FollowUp.kind == kind,
        )
    )
    if exists is not None:
        return None
    follow_up = FollowUp(
        enterprise_id=enterprise.id,
        season_id=season.id,
        kind=kind,
        decided_on=today,
        note=FOLLOW_UP_NAMES[kind],
    )
    session.add(follow_up)
    ledger.record(
        session, follow_up, actor="system:follow_up", action=f"follow_up.{kind}"
    )
    return follow_up


def publish_enterprise(
    session: Session, season: Season, enterprise: Enterprise, today: date
) -> list[str]:
    """Write the credit record and open the follow-up for one enterprise, once."""
    done = session.scalar(
        select(CreditRecord).where(
            CreditRecord.enterprise_id == enterprise.id,
            CreditRecord.season_id == season.id,
        )
    )
    if done is not None:
        return []
    sheet = latest_sheet(session, season.id, enterprise.id)
    if sheet is None:
        raise CycleError(
            f"enterprise {enterprise.credit_code} has no score sheet; "
            "publication needs every enterprise of the county scored"
        )
    record = CreditRecord(
        enterprise_id=enterprise.id,
        season_id=season.id,
        score_sheet_id=sheet.id,
        final=sheet.final,
        grade=sheet.grade,
        colour=sheet.colour,
        published_on=today,
        content_hash=sheet.content_hash,
    )
    session.add(record)
    ledger.record(
        session, record, actor="system:publication", action="credit.published"
    )
    kinds = list(FOLLOW_UPS[sheet.grade])
    for kind in kinds:
        _add_follow_up(session, enterprise, season, kind, today)
    context = {
        "total": sheet.final,
        "grade": sheet.grade,
        "published_on": today,
        "follow_ups": kinds,
        "archive_link": public_link(
            letter_path(season.label, enterprise.credit_code),
            get_settings().public_site_url,
        ),
    }
    if sheet.grade in ("C", "D"):
        deadline = rectification_deadline(today, sheet.grade)
        order = RectificationOrder(
            enterprise_id=enterprise.id,
            season_id=season.id,
            grade=sheet.grade,
            issued_on=today,
            deadline=deadline,
            status="open",
        )
        session.add(order)
        ledger.record(
            session, order, actor="system:follow_up", action="rectification.ordered"
        )
        context["rectification_deadline"] = deadline
        notify(
            session,
            "rectification_order",
            season=season.label,
            county=enterprise.county_code,
            enterprise_id=enterprise.id,
            context={"grade": sheet.grade, "issued_on": today, "deadline": deadline},
        )
    notify(
        session,
        "final_result",
        season=season.label,
        county=enterprise.county_code,
        enterprise_id=enterprise.id,
        context=context,
    )
    return kinds


def finish_publication(
    session: Session, season: Season, cycle: Cycle, today: date
) -> FinalReport:
    """Move a fully published county to follow-up; report what is missing otherwise."""
    report = FinalReport(cycle.county_code)
    if cycle.stage != Stage.CONFIRMED:
        return report
    published = set(
        session.scalars(
            select(CreditRecord.enterprise_id).where(
                CreditRecord.season_id == season.id
            )
        )
    )
    missing = [
        e.credit_code
        for e in county_enterprises(session, cycle.county_code)
        if e.id not in published
    ]
    if missing:
        report.failed = missing
        return report
    cycle.published_on = today
    move(cycle, Stage.FOLLOW_UP, today)
    report.next_stage = cycle.stage
    return report


def record_rectification_check(
    session: Session,
    *,
    season_label: str,
    credit_code: str,
    outcome: str,
    member: str,
    checked_on: date,
    note: str,
) -> RectificationOrder:
    """Record a committee member's check of a rectification: rectified or failed."""
    if outcome not in ("rectified", "failed"):
        raise CycleError(f"outcome {outcome!r} is invalid; use rectified or failed")
    season = get_season(session, season_label)
    enterprise = find_enterprise(session, credit_code)
    person = authorise(
        session,
        actor=member,
        role="committee",
        county=enterprise.county_code,
        action=f"check rectification of {enterprise.credit_code}",
    )
    order = session.scalar(
        select(RectificationOrder).where(
            RectificationOrder.enterprise_id == enterprise.id,
            RectificationOrder.season_id == season.id,
        )
    )
    if order is None:
        raise CycleError(
            f"enterprise {enterprise.credit_code} has no rectification order "
            f"in {season.label}"
        )
    if order.status != "open":
        raise CycleError(
            f"the rectification order of {enterprise.credit_code} is already "
            f"{order.status}"
        )
    not_in_future(checked_on, "the check's date")
    if checked_on < order.issued_on:
        raise CycleError(
            f"the check's date {checked_on} is before the rectification order of "
            f"{enterprise.credit_code} was issued on {order.issued_on}; give the "
            "day of the check"
        )
    order.status = outcome
    order.checked_by = person.id
    order.checked_on = checked_on
    order.outcome = clean_text(note, "the check's note", 2000)
    ledger.record(
        session,
        order,
        actor=f"committee:{person.name}",
        action=f"rectification.{outcome}",
    )
    _outcome_notice(session, season, enterprise, order, checked_on)
    return order


def _failure_measures(
    session: Session,
    season: Season,
    enterprise: Enterprise,
    order: RectificationOrder,
    today: date,
) -> list[str]:
    """Propose licence revocation and an emergency takeover for a D not rectified.

    Returns the measures for the outcome notice; they go to the enterprise, the
    county bureau and the city bureau with it.
    """
    if order.grade != "D":
        return []
    measures = ["licence_revocation", "emergency_takeover"]
    for kind in measures:
        _add_follow_up(session, enterprise, season, kind, today)
    return measures


def _outcome_notice(
    session: Session,
    season: Season,
    enterprise: Enterprise,
    order: RectificationOrder,
    today: date,
) -> int:
    measures = (
        _failure_measures(session, season, enterprise, order, today)
        if order.status == "failed"
        else []
    )
    context = {"outcome": order.status, "checked_on": today, "note": order.outcome}
    if measures:
        context["measures"] = measures
    return notify(
        session,
        "rectification_outcome",
        season=season.label,
        county=enterprise.county_code,
        enterprise_id=enterprise.id,
        context=context,
    )


def follow_up_orders(
    session: Session, season: Season, cycle: Cycle, today: date
) -> FinalReport:
    """Remind before rectification deadlines; ask for the check of overdue orders."""
    report = FinalReport(cycle.county_code)
    if cycle.stage != Stage.FOLLOW_UP:
        return report
    orders = session.execute(
        select(RectificationOrder, Enterprise)
        .join(Enterprise, Enterprise.id == RectificationOrder.enterprise_id)
        .where(
            RectificationOrder.season_id == season.id,
            Enterprise.county_code == cycle.county_code,
        )
        .order_by(Enterprise.credit_code)
    ).all()
    for order, enterprise in orders:
        if order.status != "open":
            continue
        days_left = (order.deadline - today).days
        if days_left in RECTIFICATION_REMINDER_DAYS:
            report.notices += notify(
                session,
                "rectification_reminder",
                season=season.label,
                county=cycle.county_code,
                enterprise_id=enterprise.id,
                event_key=f"{days_left}d",
                context={"deadline": order.deadline, "days_left": days_left},
            )
        overdue = (today - order.deadline).days
        if overdue >= 1 and (overdue - 1) % CHECK_DUE_REPEAT_DAYS == 0:
            # Only a recorded check shows whether the enterprise rectified, so
            # past the deadline the bureau is asked for it weekly until it is in.
            report.notices += notify(
                session,
                "rectification_check_due",
                season=season.label,
                county=cycle.county_code,
                enterprise_id=enterprise.id,
                event_key=f"{overdue}d",
                context={"deadline": order.deadline, "days_overdue": overdue},
            )
            report.overdue.append(enterprise.credit_code)
    if all(order.status != "open" for order, _ in orders):
        move(cycle, Stage.CLOSED, today)
    report.next_stage = cycle.stage
    return report
