"""The evidence-checks stage: verify each latest package against the whole season.

At submission a package is checked against what the database held then. Once
intake has closed, every package and the bureau's records are in. A package
whose comparisons could now differ (bureau records or a copy of one of its
evidence files stored after it) is checked again; its findings are replaced and
its figures are the ones scoring uses. The others keep the result of their
check on arrival, which already saw everything they are compared against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cycle.intake_stage import county_enterprises, move
from cycle.notify import notify
from cycle.stages import Stage
from storage import ledger
from storage.base import utcnow
from storage.models import (
    Cycle,
    Enterprise,
    Evidence,
    Season,
    Submission,
)


@dataclass
class CheckReport:
    """Outcome of verifying one enterprise's latest package."""

    credit_code: str
    version: int | None = None
    blocking: int = 0
    review: int = 0
    rules: list[str] = field(default_factory=list)
    rechecked: list[str] = field(default_factory=list)


def latest_accepted(
    session: Session, season: Season, enterprise: Enterprise
) -> Submission | None:
    """Return the enterprise's newest accepted package of the season."""
    return session.scalar(
        select(Submission)
        .where(
            Submission.season_id == season.id,
            Submission.source == "enterprise",
            Submission.owner_key == enterprise.credit_code,
            Submission.accepted.is_(True),
        )
        .order_by(Submission.version.desc())
        .limit(1)
    )


def stale_reasons(session: Session, submission: Submission) -> list[str]:
    """List what was stored after this package's own check and could change it.

    A package is checked against the bureau's records and the other enterprises'
    evidence that the database held when it arrived. Records or evidence stored
    later are what a re-check would see differently.
    """
    reasons = []
    bureau = session.scalar(
        select(Submission.id)
        .where(
            Submission.season_id == submission.season_id,
            Submission.source == "bureau",
            Submission.owner_key == submission.county_code,
            Submission.accepted.is_(True),
            Submission.id > submission.id,
        )
        .limit(1)
    )
    if bureau is not None:
        reasons.append("bureau records arrived later")
    own = select(Evidence.sha256).where(Evidence.submission_id == submission.id)
    shared = session.scalar(
        select(Evidence.id)
        .join(Submission, Submission.id == Evidence.submission_id)
        .where(
            Submission.season_id == submission.season_id,
            Submission.source == "enterprise",
            Submission.owner_key != submission.owner_key,
            Submission.id > submission.id,
            Evidence.sha256.in_(own),
        )
        .limit(1)
    )
    if shared is not None:
        reasons.append("another enterprise later sent the same evidence file")
    return reasons


def check_enterprise(
    session: Session, season: Season, enterprise: Enterprise, today: date
) -> CheckReport:
    """Verify the latest package: re-check it when later records could change it.

    When nothing that the checks compare against was stored after the package,
    the result of its check on arrival stands and it is only marked verified.
    """
    from cycle.scoring import rulebook
    from intake.store import recheck_submission

    report = CheckReport(enterprise.credit_code)
    submission = latest_accepted(session, season, enterprise)
    if submission is None or submission.verified_at is not None:
        return report
    report.version = submission.version
    report.rechecked = stale_reasons(session, submission)
    if not report.rechecked:
        submission.verified_at = utcnow()
        ledger.record(
            session, submission, actor="system:checks", action="submission.verified"
        )
        return report
    result = recheck_submission(
        session, submission.id, rulebook=rulebook(), today=today
    )
    if result.figures is None:
        rules = sorted({d.rule for d in result.defects if d.severity == "blocking"})
        raise ValueError(
            f"package v{submission.version} of {enterprise.credit_code} fails the "
            f"checks against the whole season ({', '.join(rules)}); the enterprise "
            "must send a corrected package"
        )
    submission.verified_at = utcnow()
    ledger.record(
        session, submission, actor="system:checks", action="submission.verified"
    )

    report.blocking = sum(d.severity == "blocking" for d in result.defects)
    report.review = len(result.defects) - report.blocking
    report.rules = sorted({d.rule for d in result.defects})
    if result.defects:
        notify(
            session,
            "defects_found",
            season=season.label,
            county=enterprise.county_code,
            enterprise_id=enterprise.id,
            event_key=f"v{submission.version}-verified",
            context={
                "version": submission.version,
                "defects": [d.model_dump(mode="json") for d in result.defects[:50]],
                "resubmit_by": today,
            },
        )
    return report


def finish_checking(
    session: Session, season: Season, cycle: Cycle, today: date
) -> dict:
    """Move to scoring once every registered enterprise's latest package is verified."""
    missing, unverified = [], []
    for enterprise in county_enterprises(session, cycle.county_code):
        submission = latest_accepted(session, season, enterprise)
        if submission is None:
            missing.append(enterprise.credit_code)
        elif submission.verified_at is None:
            unverified.append(enterprise.credit_code)
    if cycle.stage == Stage.CHECKING and not missing and not unverified:
        move(cycle, Stage.SCORING, today)
    return {
        "county": cycle.county_code,
        "missing": missing,
        "unverified": unverified,
        "next_stage": cycle.stage,
    }
