"""Score sheets from verified figures, corrections and adjustments, as versions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cycle.errors import CycleError
from rules.figures import Figures
from storage import ledger
from storage.hashing import content_hash
from storage.models import (
    Adjustment,
    Correction,
    Enterprise,
    Person,
    ScoreSheet,
    Season,
    Submission,
    VerifiedFigures,
)


@cache
def rulebook():
    """Load the configured rulebook once per process."""
    from heateval.settings import get_settings
    from rules.rulebook import load_rulebook

    return load_rulebook(get_settings().rulebook)


@dataclass(frozen=True)
class ScoreOutcome:
    """Outcome of scoring one enterprise: the current sheet and whether it is new."""

    sheet_id: int
    version: int
    final: str
    grade: str
    changed: bool


def latest_figures(session: Session, season: Season, enterprise: Enterprise) -> Figures:
    """Return the verified figures of the enterprise's latest checked submission."""
    row = session.scalar(
        select(VerifiedFigures)
        .join(Submission, Submission.id == VerifiedFigures.submission_id)
        .where(
            VerifiedFigures.enterprise_id == enterprise.id,
            VerifiedFigures.season_id == season.id,
            # Only packages the checks stage verified; one sent later waits for it.
            Submission.verified_at.is_not(None),
        )
        .order_by(Submission.version.desc())
        .limit(1)
    )
    if row is None:
        raise CycleError(
            f"enterprise {enterprise.credit_code} {enterprise.name} has no checked "
            f"submission for {season.label}; it must submit a package that passes the "
            "evidence checks"
        )
    figures = Figures.model_validate(row.figures)
    corrections = session.scalars(
        select(Correction)
        .where(
            Correction.enterprise_id == enterprise.id,
            Correction.season_id == season.id,
        )
        .order_by(Correction.id)
    )
    updates = {c.field: c.value for c in corrections}
    if updates:
        merged = figures.model_dump(mode="json") | updates
        figures = Figures.model_validate(merged)
    return figures


def active_adjustments(
    session: Session, season: Season, enterprise: Enterprise
) -> list[tuple[Adjustment, Person]]:
    """Return the adjustments in force: the latest per sub-item."""
    rows = session.execute(
        select(Adjustment, Person)
        .join(Person, Person.id == Adjustment.member_id)
        .where(
            Adjustment.enterprise_id == enterprise.id,
            Adjustment.season_id == season.id,
            Adjustment.superseded_by.is_(None),
        )
        .order_by(Adjustment.sub_item)
    )
    return [(adjustment, person) for adjustment, person in rows]


def latest_sheet(
    session: Session, season_id: int, enterprise_id: int
) -> ScoreSheet | None:
    """Return the newest score sheet version of an enterprise, if any."""
    return session.scalar(
        select(ScoreSheet)
        .where(
            ScoreSheet.enterprise_id == enterprise_id,
            ScoreSheet.season_id == season_id,
        )
        .order_by(ScoreSheet.version.desc())
        .limit(1)
    )


def score_enterprise(
    session: Session, season: Season, enterprise: Enterprise, *, reason: str
) -> ScoreOutcome:
    """Score one enterprise; store a new sheet version only when the result changed.

    Re-running with the same figures, adjustments and rulebook writes nothing, so a
    retried task or a re-run stage never adds a duplicate version.
    """
    from rules.engine import Adjustment as EngineAdjustment
    from rules.engine import score

    book = rulebook()
    figures = latest_figures(session, season, enterprise)
    adjustments = [
        EngineAdjustment(
            sub_item=row.sub_item,
            points=row.points,
            reason=row.reason,
            member=person.name,
        )
        for row, person in active_adjustments(session, season, enterprise)
    ]
    sheet = score(figures, book, adjustments)
    sheet_data = sheet.model_dump(mode="json")
    digest = content_hash(sheet_data)

    previous = latest_sheet(session, season.id, enterprise.id)
    if previous is not None and previous.content_hash == digest:
        return ScoreOutcome(
            previous.id, previous.version, str(previous.final), previous.grade, False
        )

    version = (
        session.scalar(
            select(func.max(ScoreSheet.version)).where(
                ScoreSheet.enterprise_id == enterprise.id,
                ScoreSheet.season_id == season.id,
            )
        )
        or 0
    ) + 1
    row = ScoreSheet(
        enterprise_id=enterprise.id,
        season_id=season.id,
        version=version,
        reason=reason,
        rulebook_version=sheet.rulebook_version,
        input_hash=sheet.input_hash,
        base=sheet.base,
        bonus=sheet.bonus,
        deductions=sheet.deductions,
        final=sheet.final,
        grade=str(sheet.grade),
        colour=str(sheet.colour),
        categories=sheet_data["categories"],
        lines=sheet_data["lines"],
        content_hash=digest,
    )
    session.add(row)
    ledger.record(
        session,
        row,
        actor="system:scoring",
        action=f"score_sheet.{reason}",
        detail=f"{enterprise.credit_code} v{version} {sheet.final} {sheet.grade}",
    )
    return ScoreOutcome(row.id, version, str(row.final), row.grade, True)


def finish_scoring(session: Session, season: Season, cycle, today) -> dict:
    """Move a county on once its scoring is complete; name who is still unscored."""
    from cycle.intake_stage import county_enterprises, move
    from cycle.publicity import unpublicised_sheets
    from cycle.stages import Stage

    unscored = [
        e.credit_code
        for e in county_enterprises(session, cycle.county_code)
        if latest_sheet(session, season.id, e.id) is None
    ]
    if unscored:
        return {"county": cycle.county_code, "unscored": unscored, "next_stage": None}
    if cycle.stage == Stage.SCORING:
        move(cycle, Stage.SCORED, today)
    elif cycle.stage == Stage.RETURNED:
        changed = unpublicised_sheets(session, season, cycle)
        move(cycle, Stage.RESCORED if changed else Stage.REPORTING, today)
    return {"county": cycle.county_code, "unscored": [], "next_stage": cycle.stage}
