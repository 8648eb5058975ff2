"""Receiving a package for the cycle: store it through intake and tell the sender."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cycle.notify import notify
from storage.db import session_scope
from storage.models import Enterprise, Finding, Season, Submission
from storage.utcclock import local_date

MAX_LISTED_DEFECTS = 50


def _defects_notice(
    session: Session,
    *,
    season: str,
    county: str,
    enterprise_id: int,
    key: str,
    version: int,
    defects: list[dict[str, Any]],
    resubmit_by: date,
) -> None:
    notify(
        session,
        "defects_found",
        season=season,
        county=county,
        enterprise_id=enterprise_id,
        event_key=key,
        context={
            "version": version,
            "defects": defects[:MAX_LISTED_DEFECTS],
            "resubmit_by": resubmit_by,
        },
    )


def queue_receipt(session: Session, submission: Submission) -> None:
    """Queue the receipt, and the review defects, in the submission's transaction."""
    if submission.source != "enterprise" or submission.enterprise_id is None:
        return
    season = session.get(Season, submission.season_id).label
    notify(
        session,
        "submission_received",
        season=season,
        county=submission.county_code,
        enterprise_id=submission.enterprise_id,
        event_key=f"v{submission.version}",
        context={
            "version": submission.version,
            "package_name": submission.package_name,
            "received_at": submission.received_at,
            "late": submission.late,
        },
    )
    findings = session.scalars(
        select(Finding)
        .where(Finding.submission_id == submission.id)
        .order_by(Finding.id)
    ).all()
    if findings:
        _defects_notice(
            session,
            season=season,
            county=submission.county_code,
            enterprise_id=submission.enterprise_id,
            key=f"v{submission.version}",
            version=submission.version,
            defects=[
                {
                    "file": f.file,
                    "sheet": f.sheet,
                    "row": f.row,
                    "column": f.column,
                    "value": f.value,
                    "rule": f.rule,
                    "severity": f.severity,
                    "message": f.message,
                }
                for f in findings
            ],
            resubmit_by=local_date(submission.received_at),
        )


def receive_package(
    path: Path,
    *,
    season: str,
    received_at: datetime | None = None,
    source: str = "enterprise",
    county: str | None = None,
    actor: str = "cli",
) -> Any:
    """Check and store a package; queue its receipt, or its defects when rejected.

    An accepted package's receipt is queued in the transaction that stores it.
    A rejected package stores nothing, so its defect notice goes out on its own,
    to the enterprise the workbook names when that enterprise is registered.
    """
    from intake.store import submit_package

    outcome = submit_package(
        path,
        season=season,
        source=source,
        county=county,
        received_at=received_at,
        actor=actor,
        on_stored=queue_receipt,
    )
    if outcome.accepted or source != "enterprise" or not outcome.owner_key:
        return outcome
    with session_scope() as session:
        enterprise = session.scalar(
            select(Enterprise).where(Enterprise.credit_code == outcome.owner_key)
        )
        if enterprise is not None and outcome.season:
            _defects_notice(
                session,
                season=outcome.season,
                county=enterprise.county_code,
                enterprise_id=enterprise.id,
                key=f"rejected-{outcome.package_sha256[:16]}",
                version=0,
                defects=[d.model_dump(mode="json") for d in outcome.defects],
                resubmit_by=local_date(outcome.received_at),
            )
    return outcome
