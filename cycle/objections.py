"""Objections and appeals: filing, verdicts, and re-scoring what was upheld."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from cycle.corrections import FigureChange, add_correction
from cycle.dates import not_in_future
from cycle.errors import CycleError
from cycle.intake_stage import move
from cycle.notify import notify
from cycle.people import authorise
from cycle.publicity import current_window, open_objections, unpublicised_sheets
from cycle.scoring import rulebook, score_enterprise
from cycle.setup import get_cycle, get_season
from cycle.stages import Stage
from cycle.text import clean_text
from heateval.settings import get_settings
from rules.legal_calendar import CalendarCoverageError, appeal_reply_due
from storage import ledger
from storage.models import Adjustment, Enterprise, Objection, PublicityEntry, Season

logger = logging.getLogger(__name__)

# Stages in which the county still takes appeals: from the first publicity window
# until it reports to the city.
APPEAL_STAGES = frozenset({Stage.PUBLICITY, Stage.OBJECTIONS, Stage.RESCORED})
MAX_GROUNDS = 5000


def find_enterprise(session: Session, credit_code: str) -> Enterprise:
    """Return the registered enterprise with `credit_code`, or raise naming it."""
    enterprise = session.scalar(
        select(Enterprise).where(Enterprise.credit_code == credit_code.strip().upper())
    )
    if enterprise is None:
        quoted = credit_code if len(credit_code) <= 40 else credit_code[:40] + "…"
        raise CycleError(f"no registered enterprise has credit code {quoted!r}")
    return enterprise


@dataclass(frozen=True)
class SubItemChange:
    """A committee member's setting of one judgement-based sub-item."""

    sub_item: str
    points: Decimal


def parse_changes(pairs: list[str]) -> list[SubItemChange]:
    """Read `C1.4=0.5` pairs, as typed on the command line or in a run form."""
    changes = []
    for pair in pairs:
        sub_item, sep, points = pair.partition("=")
        if not sep:
            raise CycleError(f"{pair!r} is not SUB_ITEM=POINTS, e.g. C1.4=0.5")
        text = points.strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise CycleError(f"points {text!r} are not a number") from None
        if not value.is_finite() or value < 0:
            raise CycleError(f"points {text!r} must be a number of 0 or more")
        if value != value.quantize(Decimal("0.01")):
            raise CycleError(f"points {text!r} have more than two decimal places")
        changes.append(SubItemChange(sub_item.strip(), value))
    return changes


def add_adjustment(
    session: Session,
    season: Season,
    enterprise: Enterprise,
    change: SubItemChange,
    *,
    reason: str,
    member_id: int,
    member_name: str,
) -> Adjustment:
    """Record a sub-item setting checked against the rulebook; supersede the old one."""
    from rules.engine import AdjustmentError, check_adjustments
    from rules.figures import EnterpriseType
    from rules.sheet import Adjustment as EngineAdjustment

    reason = clean_text(reason, "the reason", 2000)
    try:
        check_adjustments(
            [
                EngineAdjustment(
                    sub_item=change.sub_item,
                    points=str(change.points),
                    reason=reason,
                    member=member_name,
                )
            ],
            rulebook(),
            EnterpriseType(enterprise.type),
        )
    except (AdjustmentError, ValueError) as error:
        raise CycleError(str(error)) from None
    row = Adjustment(
        enterprise_id=enterprise.id,
        season_id=season.id,
        sub_item=change.sub_item,
        points=change.points,
        reason=reason,
        member_id=member_id,
    )
    session.add(row)
    session.flush()
    for old in session.scalars(
        select(Adjustment).where(
            Adjustment.enterprise_id == enterprise.id,
            Adjustment.season_id == season.id,
            Adjustment.sub_item == change.sub_item,
            Adjustment.id != row.id,
            Adjustment.superseded_by.is_(None),
        )
    ):
        old.superseded_by = row.id
        ledger.record(session, old, actor=member_name, action="adjustment.superseded")
    ledger.record(
        session,
        row,
        actor=member_name,
        action="adjustment.created",
        detail=f"{enterprise.credit_code} {change.sub_item}={change.points}",
    )
    return row


def _reference(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"OBJ-{digest[:16].upper()}"


def file_objection(
    session: Session,
    *,
    season_label: str,
    credit_code: str,
    kind: str,
    filed_by: str,
    contact: str,
    grounds: str,
    filed_on: date,
) -> Objection:
    """Record a written objection (anyone) or appeal (the enterprise itself).

    Filing the same text again returns the first record. One filed before the
    enterprise's result is publicised is rejected; one filed after its window
    closed is recorded and answered as late.
    """
    if kind not in ("objection", "appeal"):
        raise CycleError(f"kind {kind!r} is invalid; use objection or appeal")
    not_in_future(filed_on, "the filing date")
    season = get_season(session, season_label)
    enterprise = find_enterprise(session, credit_code)
    filed_by = clean_text(
        filed_by, "the name of the person or unit filing", 128, one_line=True
    )
    contact = clean_text(
        contact, "the contact (address, phone or e-mail)", 255, one_line=True
    )
    grounds = clean_text(grounds, "the grounds", MAX_GROUNDS)
    reference = _reference(
        season.label,
        enterprise.credit_code,
        kind,
        filed_by,
        filed_on.isoformat(),
        grounds,
    )
    existing = session.scalar(select(Objection).where(Objection.reference == reference))
    if existing is not None:
        return existing

    cycle = get_cycle(session, season, enterprise.county_code)
    window = current_window(session, cycle)
    if window is None or filed_on < window.opens_on:
        raise CycleError(
            f"the results of {enterprise.credit_code} are not publicised yet; "
            f"{'objections' if kind == 'objection' else 'appeals'} are taken from the "
            "day the publicity window opens"
        )
    if kind == "appeal" and filed_by not in (enterprise.name, enterprise.credit_code):
        raise CycleError(
            f"an appeal is filed by the evaluated enterprise itself "
            f"({enterprise.name}, {enterprise.credit_code}); {filed_by!r} may file "
            "an objection instead"
        )
    shown = (
        window is not None
        and session.scalar(
            select(PublicityEntry.id).where(
                PublicityEntry.window_id == window.id,
                PublicityEntry.enterprise_id == enterprise.id,
            )
        )
        is not None
    )
    in_window = shown and window.opens_on <= filed_on <= window.closes_on
    # Once the county has reported to the city, verdicts no longer change its
    # results, so a filing dated inside an old window gets the late reply too.
    on_time = cycle.stage in APPEAL_STAGES and (kind == "appeal" or in_window)
    objection = Objection(
        reference=reference,
        season_id=season.id,
        county_code=enterprise.county_code,
        enterprise_id=enterprise.id,
        kind=kind,
        filed_by=filed_by,
        contact=contact,
        grounds=grounds,
        filed_on=filed_on,
        window_id=window.id if window is not None and in_window else None,
        reply_due=_reply_due(filed_on),
        status="open" if on_time else "late",
    )
    session.add(objection)
    ledger.record(
        session, objection, actor=f"public:{filed_by}", action=f"{kind}.filed"
    )
    context = {
        "objection_kind": kind,
        "reference": reference,
        "filed_on": filed_on,
        "filed_by": filed_by,
        "grounds": grounds,
        "reply_due": objection.reply_due,
    }
    notify(
        session,
        "objection_received",
        season=season.label,
        county=enterprise.county_code,
        enterprise_id=enterprise.id,
        event_key=reference,
        context=context,
    )
    if not on_time:
        late_reason = (
            "复核申请不在公示期内提出，已登记存档，按逾期申请答复。"
            if kind == "objection"
            else "申诉在本旗县区评价结果上报市级后提出，已登记，"
            "请向市住房和城乡建设局反映。"
        )
        objection.verdict_reason = late_reason
        objection.decided_on = filed_on
        notify(
            session,
            "objection_verdict" if kind == "objection" else "appeal_reply",
            season=season.label,
            county=enterprise.county_code,
            enterprise_id=enterprise.id,
            event_key=reference,
            context={
                "reference": reference,
                "verdict": "late",
                "reason": late_reason,
                "decided_on": filed_on,
            },
        )
        ledger.record(
            session, objection, actor="system:procedure", action="objection.late"
        )
    return objection


def _reply_due(filed_on: date) -> date:
    """Return the reply's due date; without the year's holidays, the plain count.

    Holidays only move the end of a period later, so the plain count of days is
    never after the legal due date: a reply by then is always on time.
    """
    try:
        return appeal_reply_due(filed_on)
    except CalendarCoverageError as error:
        due = filed_on + timedelta(days=get_settings().appeal_reply_days)
        logger.warning("%s Reply due on %s, the plain count of days.", error, due)
        return due


def decide_objection(
    session: Session,
    *,
    reference: str,
    verdict: str,
    reason: str,
    member: str,
    decided_on: date,
    changes: list[SubItemChange] = (),  # type: ignore[assignment]
    corrections: list[FigureChange] = (),  # type: ignore[assignment]
) -> Objection:
    """Record the committee's verdict; an upheld one may set judgement sub-items
    and correct the figures that computed sub-items are scored from.

    The re-score and its new publicity happen at the next advance of the cycle.
    A rejected verdict is answered at once.
    """
    if verdict not in ("upheld", "rejected"):
        raise CycleError(f"verdict {verdict!r} is invalid; use upheld or rejected")
    objection = session.scalar(
        select(Objection).where(Objection.reference == reference)
    )
    if objection is None:
        raise CycleError(f"no objection or appeal has reference {reference!r}")
    person = authorise(
        session,
        actor=member,
        role="committee",
        county=objection.county_code,
        action=f"decide {objection.kind} {reference}",
    )
    if objection.status == "late":
        raise CycleError(
            f"{objection.kind} {reference} was filed late and got the late reply "
            f"on {objection.decided_on}; a late {objection.kind} gets no verdict"
        )
    if objection.status != "open":
        raise CycleError(
            f"{objection.kind} {reference} is already {objection.status}; "
            "a verdict is recorded once"
        )
    if verdict == "rejected" and (changes or corrections):
        raise CycleError(
            "a rejected objection changes no sub-item or figure; drop the changes"
        )
    not_in_future(decided_on, "the verdict's date")
    if decided_on < objection.filed_on:
        raise CycleError(
            f"the verdict's date {decided_on} is before the {objection.kind} was "
            f"filed on {objection.filed_on}; give the day the committee decided"
        )
    season = session.get(Season, objection.season_id)
    cycle = get_cycle(session, season, objection.county_code)
    if cycle.stage not in APPEAL_STAGES:
        raise CycleError(
            f"county {objection.county_code} is in stage {cycle.stage}: its results "
            f"have gone to the city, so a verdict on {reference} would change "
            "nothing; the city handles it from here"
        )
    reason = clean_text(reason, "the reason for the verdict", 2000)
    enterprise = session.get(Enterprise, objection.enterprise_id)
    for change in changes:
        add_adjustment(
            session,
            season,
            enterprise,
            change,
            reason=f"{objection.kind} {reference}: {reason}",
            member_id=person.id,
            member_name=person.name,
        )
    for correction in corrections:
        add_correction(
            session,
            season,
            enterprise,
            correction,
            reason=f"{objection.kind} {reference}: {reason}",
            person=person,
        )
    objection.status = verdict
    objection.verdict_reason = reason
    objection.decided_by = person.id
    objection.decided_on = decided_on
    ledger.record(
        session,
        objection,
        actor=f"committee:{person.name}",
        action=f"{objection.kind}.{verdict}",
    )
    if verdict == "rejected":
        _answer(session, season, objection)
    return objection


def _answer(session: Session, season: Season, objection: Objection, sheet=None) -> int:
    context = {
        "reference": objection.reference,
        "verdict": objection.status,
        "reason": objection.verdict_reason,
        "decided_on": objection.decided_on,
    }
    if sheet is not None:
        context |= {"new_total": sheet.final, "new_grade": sheet.grade}
    return notify(
        session,
        "objection_verdict" if objection.kind == "objection" else "appeal_reply",
        season=season.label,
        county=objection.county_code,
        enterprise_id=objection.enterprise_id,
        event_key=objection.reference,
        context=context,
    )


@dataclass
class ObjectionsReport:
    """Outcome of one objections step."""

    county: str
    rescored: list[str] = field(default_factory=list)
    still_open: int = 0
    next_stage: str | None = None


def rescore_upheld(
    session: Session, season: Season, objection: Objection
) -> str | None:
    """Re-score the enterprise of an upheld objection once; answer with the result."""
    if objection.status != "upheld" or objection.rescored_sheet_id is not None:
        return None
    enterprise = session.get(Enterprise, objection.enterprise_id)
    outcome = score_enterprise(session, season, enterprise, reason=objection.kind)
    objection.rescored_sheet_id = outcome.sheet_id
    ledger.record(
        session, objection, actor="system:scoring", action="objection.rescored"
    )
    from storage.models import ScoreSheet

    _answer(session, season, objection, session.get(ScoreSheet, outcome.sheet_id))
    return enterprise.credit_code


def pending_rescores(session: Session, season: Season, county: str) -> list[Objection]:
    """Upheld objections and appeals of the county not yet re-scored."""
    return list(
        session.scalars(
            select(Objection)
            .where(
                Objection.season_id == season.id,
                Objection.county_code == county,
                Objection.status == "upheld",
                Objection.rescored_sheet_id.is_(None),
            )
            .order_by(Objection.id)
        )
    )


def settle_objections(
    session: Session, season: Season, county: str, today: date
) -> ObjectionsReport:
    """After re-scoring: wait for verdicts, or go on to re-publicity or reporting."""
    cycle = get_cycle(session, season, county)
    report = ObjectionsReport(county)
    if cycle.stage != Stage.OBJECTIONS:
        return report
    report.still_open = open_objections(session, cycle, season)
    if pending_rescores(session, season, county):
        return report
    if unpublicised_sheets(session, season, cycle):
        move(cycle, Stage.RESCORED, today)
    elif report.still_open == 0:
        move(cycle, Stage.REPORTING, today)
    report.next_stage = cycle.stage
    return report
