"""Store a checked package: files in the content store, one transaction in the database.

Rules, in the order `submit_package` applies them:

- Every received file is written to the content store first, whether the package
  is accepted or not, because every received file is kept as received. A zip is
  kept as the zip and as its members; a zip rejected before extraction is kept as
  the zip alone. Content-addressed files are harmless to keep: the same bytes are
  stored once, and nothing refers to them unless a submission row does.
- A rejected package leaves the database unchanged. Its receipt (package name,
  hashes, defects) is written as JSON under `Settings.rejected_dir`, so an
  operator can find what was received and why it was rejected.
- An accepted package is stored in ONE transaction: the enterprise (registered on
  its first accepted package), the submission with its files, evidence, review
  findings, derived figures and the audit-ledger entry. Any error rolls it all back.
- The package's identity is the hash of its manifest (sorted paths and file
  hashes), so the same files sent again, as a folder or re-zipped, are a no-op
  that returns the earlier submission. New content is the next version; earlier
  versions stay.
- A package received after the end of the county's intake deadline day
  (Asia/Shanghai) is accepted and marked late; `received_at` records the time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake.archive import ArchiveLimits, ReceivedPackage, open_package
from intake.check import (
    BureauRecords,
    CheckInputs,
    CheckResult,
    check_package,
    county_mismatch,
)
from intake.defects import Defect, Severity
from intake.filestore import put_bytes, put_file
from intake.package import ParsedPackage, Source
from intake.sniff import FileKind

logger = logging.getLogger(__name__)

MANIFEST_MEDIA_TYPE = "application/vnd.heateval.manifest+json"
MEDIA_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument."
    "wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.TEXT: "text/csv",
    FileKind.JSON: "application/json",
    FileKind.GZIP: "application/gzip",
    FileKind.PARQUET: "application/vnd.apache.parquet",
}


class SubmitOutcome(BaseModel):
    """Outcome of one submitted package, from which the cycle builds its notices."""

    accepted: bool
    duplicate: bool = False
    submission_id: int | None = None
    version: int | None = None
    late: bool = False
    received_at: datetime
    season: str | None = None
    county_code: str | None = None
    owner_key: str | None = None
    enterprise_id: int | None = None
    package_name: str
    package_sha256: str
    defects: list[Defect]
    receipt: Path | None = None  # receipt of a rejected package


class SetupError(RuntimeError):
    """The database lacks reference data that intake needs (counties)."""


def submit_package(
    path: Path,
    *,
    season: str,
    source: Source = "enterprise",
    county: str | None = None,
    db_url: str | None = None,
    settings: Any = None,
    rulebook: Any = None,
    received_at: datetime | None = None,
    actor: str = "cli",
    on_stored: Callable[[Session, Any], None] | None = None,
) -> SubmitOutcome:
    """Check the package at `path` and store it; see the module docstring for rules.

    Args:
        season: the season label the package is submitted for.
        source: "enterprise", or "bureau" with `county` set.
        received_at: when the package arrived (aware); default now.
        actor: who submitted, for the audit ledger.
        on_stored: called with the session and the new Submission inside the
            storing transaction, so what it writes (the receipt notice) commits
            or rolls back with the submission. Not called for a duplicate.
    """
    from heateval.settings import get_settings
    from rules.rulebook import load_rulebook

    settings = settings or get_settings()
    rulebook = rulebook or load_rulebook(settings.rulebook)
    received_at = received_at or datetime.now(UTC)
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    limits = ArchiveLimits.from_settings(settings)
    today = received_at.astimezone(_zone(settings)).date()

    with open_package(Path(path), limits) as received:
        _keep_received(received, settings.files_dir)

        def resolve(parsed: ParsedPackage, season_: str, county_: str) -> CheckInputs:
            return lookup_inputs(db_url, parsed, season_, county_)

        result = check_package(
            received,
            source=source,
            season=season,
            county=county,
            rulebook=rulebook,
            inputs=resolve,
            today=today,
        )
        if not result.accepted:
            return _reject(result, received, settings, received_at)
        for attempt in (1, 2):
            try:
                return _store(
                    result,
                    received,
                    db_url,
                    settings,
                    rulebook,
                    received_at,
                    actor,
                    on_stored,
                )
            except _RejectedInTransaction as rejected:
                result.defects.extend(rejected.defects)
                result.accepted = False
                return _reject(result, received, settings, received_at)
            except IntegrityError:
                # A concurrent submit of the same package won the race; the retry
                # finds its row and returns it as a duplicate.
                if attempt == 2:
                    raise
                logger.warning(
                    "concurrent submission of %s for %s; retrying",
                    received.name,
                    result.owner_key,
                )
    raise AssertionError("unreachable")  # pragma: no cover


def _zone(settings: Any) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.timezone)


def _keep_received(received: ReceivedPackage, files_dir: Path) -> None:
    if received.archive_sha256 is not None:
        put_file(files_dir, received.source_path, received.archive_sha256)
    for item in received.files:
        put_file(files_dir, item.local_path, item.sha256)


class _RejectedInTransaction(Exception):
    def __init__(self, defects: list[Defect]) -> None:
        super().__init__("package rejected against stored records")
        self.defects = defects


def _reject(
    result: CheckResult,
    received: ReceivedPackage,
    settings: Any,
    received_at: datetime,
) -> SubmitOutcome:
    """Write the receipt of a rejected package; the database is not touched."""
    parsed = result.parsed
    outcome = SubmitOutcome(
        accepted=False,
        received_at=received_at,
        season=result.season,
        county_code=result.county_code,
        owner_key=result.owner_key,
        package_name=received.name,
        package_sha256=received.archive_sha256 or parsed.manifest_sha256,
        defects=result.defects,
    )
    receipt = {
        "received_at": received_at.isoformat(),
        "package": received.name,
        "archive_sha256": received.archive_sha256,
        "manifest_sha256": parsed.manifest_sha256,
        "source": parsed.source,
        "season": result.season,
        "county": result.county_code,
        "owner": result.owner_key,
        "files": parsed.manifest(),
        "defects": [d.model_dump(mode="json") for d in result.defects],
    }
    folder = Path(settings.rejected_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = received_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{outcome.package_sha256[:12]}.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False, indent=2), encoding="utf-8")
    outcome.receipt = path
    logger.info(
        "rejected package %s (%s): %d blocking defects",
        received.name,
        result.owner_key,
        sum(1 for d in result.defects if d.severity == Severity.BLOCKING),
    )
    return outcome


def _store(
    result: CheckResult,
    received: ReceivedPackage,
    db_url: str | None,
    settings: Any,
    rulebook: Any,
    received_at: datetime,
    actor: str,
    on_stored: Callable[[Session, Any], None] | None = None,
) -> SubmitOutcome:
    from storage.db import session_scope
    from storage.models import Submission

    with session_scope(db_url) as session:
        outcome = _store_in(
            session, result, received, settings, rulebook, received_at, actor
        )
        if on_stored is not None and not outcome.duplicate:
            on_stored(session, session.get(Submission, outcome.submission_id))
        return outcome


def _store_in(
    session: Session,
    result: CheckResult,
    received: ReceivedPackage,
    settings: Any,
    rulebook: Any,
    received_at: datetime,
    actor: str,
) -> SubmitOutcome:
    from storage import ledger
    from storage.models import County, Submission

    parsed = result.parsed
    season_label, county_code = result.season, result.county_code
    if not (season_label and county_code and result.owner_key):
        raise ValueError("an accepted package has a season, county and owner")
    if session.get(County, county_code) is None:
        raise SetupError(
            f"county {county_code} is not in the database; run `heateval db upgrade` "
            "to load the counties"
        )
    season = ensure_season_row(session, season_label, rulebook.version)
    manifest_sha = parsed.manifest_sha256

    existing = session.scalar(
        select(Submission).where(
            Submission.season_id == season.id,
            Submission.source == parsed.source,
            Submission.owner_key == result.owner_key,
            Submission.package_sha256 == manifest_sha,
        )
    )
    if existing is not None:
        return _outcome(result, existing, duplicate=True)

    enterprise = None
    if parsed.source == "enterprise":
        enterprise = _register_enterprise(session, parsed, county_code)

    version = (
        session.scalar(
            select(func.max(Submission.version)).where(
                Submission.season_id == season.id,
                Submission.source == parsed.source,
                Submission.owner_key == result.owner_key,
            )
        )
        or 0
    ) + 1
    _record_files(session, received, parsed, settings.files_dir)
    submission = Submission(
        season_id=season.id,
        county_code=county_code,
        enterprise_id=enterprise.id if enterprise else None,
        source=parsed.source,
        owner_key=result.owner_key,
        version=version,
        package_name=received.name[:255],
        package_sha256=manifest_sha,
        received_at=received_at,
        late=is_late(season_label, county_code, received_at, settings),
        accepted=True,
        checked_at=datetime.now(UTC),
    )
    session.add(submission)
    session.flush()
    _record_contents(session, submission, received, parsed, result, enterprise)
    detail = json.dumps(
        {
            "package": received.name,
            "version": version,
            "late": submission.late,
            "files": len(parsed.files),
            "defects": len(result.defects),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    ledger.record(
        session, submission, actor=actor, action="submission.received", detail=detail
    )
    logger.info(
        "stored %s submission %s v%d for %s season %s (late=%s)",
        parsed.source,
        submission.id,
        version,
        result.owner_key,
        season_label,
        submission.late,
    )
    return _outcome(result, submission, duplicate=False)


def _outcome(result: CheckResult, submission: Any, *, duplicate: bool) -> SubmitOutcome:
    return SubmitOutcome(
        accepted=True,
        duplicate=duplicate,
        submission_id=submission.id,
        version=submission.version,
        late=submission.late,
        received_at=submission.received_at,
        season=result.season,
        county_code=submission.county_code,
        owner_key=submission.owner_key,
        enterprise_id=submission.enterprise_id,
        package_name=submission.package_name,
        package_sha256=submission.package_sha256,
        defects=result.defects,
    )


def ensure_season_row(session: Session, label: str, rulebook_version: str) -> Any:
    """Return the Season row for `label`, creating it from the season data if new."""
    from rules.counties import load_counties
    from rules.legal_calendar import county_calendar
    from storage.models import Season

    season = session.scalar(select(Season).where(Season.label == label))
    if season is not None:
        return season
    calendars = [county_calendar(label, c.code) for c in load_counties()]
    season = Season(
        label=label,
        default_start=min(c.planned_start for c in calendars),
        default_end=max(c.planned_end for c in calendars),
        rulebook_version=rulebook_version,
    )
    session.add(season)
    session.flush()
    return season


def is_late(season: str, county: str, received_at: datetime, settings: Any) -> bool:
    """Tell whether `received_at` is after the county's intake deadline day."""
    from rules.legal_calendar import county_calendar, period_expires_at

    deadline = county_calendar(season, county, settings).intake_deadline
    return received_at >= period_expires_at(deadline, settings)


def _register_enterprise(session: Session, parsed: ParsedPackage, county: str) -> Any:
    """Find the enterprise by credit code, or register it; its county must match."""
    from storage import ledger
    from storage.models import Enterprise

    identity = parsed.identity
    credit_code = identity["credit_code"]
    enterprise = session.scalar(
        select(Enterprise).where(Enterprise.credit_code == credit_code)
    )
    if enterprise is None:
        enterprise = Enterprise(
            credit_code=credit_code,
            name=str(identity.get("name", ""))[:255],
            county_code=county,
            type=identity["type"],
            contact_name=str(identity.get("contact_name") or "")[:64],
            contact_email=str(identity.get("contact_email") or "")[:254],
            contact_phone=str(identity.get("contact_phone") or "")[:32],
        )
        session.add(enterprise)
        ledger.record(
            session,
            enterprise,
            actor=f"enterprise:{credit_code}",
            action="enterprise.registered",
            detail="registered from its first package",
        )
        return enterprise
    if enterprise.county_code != county:
        raise _RejectedInTransaction(
            [county_mismatch(parsed, enterprise.county_code, county)]
        )
    return enterprise


def _stored_file(session: Session, sha256: str, size: int, media_type: str) -> None:
    from storage.models import StoredFile

    if session.get(StoredFile, sha256) is None:
        session.add(StoredFile(sha256=sha256, size=size, media_type=media_type))
        session.flush()


def _record_files(
    session: Session, received: ReceivedPackage, parsed: ParsedPackage, files_dir: Path
) -> None:
    manifest = parsed.manifest_bytes()
    sha, _ = put_bytes(files_dir, manifest)
    _stored_file(session, sha, len(manifest), MANIFEST_MEDIA_TYPE)
    if received.archive_sha256 is not None:
        _stored_file(
            session,
            received.archive_sha256,
            received.archive_size or 0,
            "application/zip",
        )
    for item in received.files:
        _stored_file(
            session,
            item.sha256,
            item.size,
            MEDIA_TYPES.get(item.kind, "application/octet-stream"),
        )


def _record_contents(
    session: Session,
    submission: Any,
    received: ReceivedPackage,
    parsed: ParsedPackage,
    result: CheckResult,
    enterprise: Any,
) -> None:
    from storage.hashing import content_hash
    from storage.models import Evidence, SubmissionFile, VerifiedFigures

    if received.archive_sha256 is not None:
        session.add(
            SubmissionFile(
                submission_id=submission.id,
                path=received.name[:512],
                sha256=received.archive_sha256,
                role="archive",
            )
        )
    for item in parsed.files:
        session.add(
            SubmissionFile(
                submission_id=submission.id,
                path=item.path[:512],
                sha256=item.sha256,
                role=item.role,
            )
        )
    for evidence in parsed.evidence:
        session.add(
            Evidence(
                submission_id=submission.id,
                sub_item=evidence.sub_item,
                sha256=evidence.sha256,
                kind=evidence.kind,
                path=evidence.path[:512],
            )
        )
    for defect in result.defects:
        session.add(finding_row(submission.id, defect))
    if result.figures is not None and enterprise is not None:
        figures = result.figures.model_dump(mode="json")
        session.add(
            VerifiedFigures(
                submission_id=submission.id,
                enterprise_id=enterprise.id,
                season_id=submission.season_id,
                figures=figures,
                input_hash=content_hash(figures),
            )
        )
    session.flush()


def finding_row(submission_id: int, defect: Defect) -> Any:
    """Build the Finding row of a defect, cutting fields to their column sizes."""
    from storage.models import Finding

    return Finding(
        submission_id=submission_id,
        file=defect.file[:512],
        sheet=defect.sheet[:64] if defect.sheet else None,
        row=defect.row,
        column=defect.column[:64] if defect.column else None,
        value=defect.value,
        rule=defect.rule[:64],
        severity=defect.severity.value,
        message=defect.message,
    )


# Stored facts for the checks -------------------------------------------------


def lookup_inputs(
    db_url: str | None, parsed: ParsedPackage, season: str, county: str
) -> CheckInputs:
    """Read what the checks need from the database; empty when the season is new."""
    from storage.db import session_scope

    with session_scope(db_url) as session:
        return inputs_from_session(session, parsed, season, county)


def inputs_from_session(
    session: Session, parsed: ParsedPackage, season_label: str, county: str
) -> CheckInputs:
    """Collect bureau records, registration and other enterprises' evidence hashes."""
    from storage.models import Enterprise, Evidence, Season, Submission

    inputs = CheckInputs()
    season = session.scalar(select(Season).where(Season.label == season_label))
    registered = session.scalars(
        select(Enterprise).where(Enterprise.county_code == county)
    ).all()
    inputs.county_enterprises = frozenset(e.credit_code for e in registered)
    if parsed.source == "enterprise":
        credit_code = parsed.identity.get("credit_code")
        enterprise = session.scalar(
            select(Enterprise).where(Enterprise.credit_code == credit_code)
        )
        if enterprise is not None:
            inputs.registered_credit_code = enterprise.credit_code
            inputs.registered_type = enterprise.type
            inputs.registered_county = enterprise.county_code
    if season is None:
        return inputs

    if parsed.source == "enterprise":
        inputs.bureau = load_bureau_records(session, season.id, county)
        rows = session.execute(
            select(Evidence.sha256, Submission.owner_key)
            .join(Submission, Submission.id == Evidence.submission_id)
            .where(
                Submission.season_id == season.id,
                Submission.source == "enterprise",
                Submission.owner_key != (parsed.identity.get("credit_code") or ""),
            )
        ).all()
        others: dict[str, set[str]] = {}
        for sha256, owner in rows:
            others.setdefault(sha256, set()).add(owner)
        inputs.other_evidence = {k: frozenset(v) for k, v in others.items()}
    return inputs


def latest_submission(
    session: Session, season_id: int, source: Source, owner_key: str
) -> Any:
    """Return the newest accepted submission of `owner_key`, or None."""
    from storage.models import Submission

    return session.scalar(
        select(Submission)
        .where(
            Submission.season_id == season_id,
            Submission.source == source,
            Submission.owner_key == owner_key,
            Submission.accepted.is_(True),
        )
        .order_by(Submission.version.desc())
        .limit(1)
    )


def load_bureau_records(
    session: Session, season_id: int, county: str, files_dir: Path | None = None
) -> BureauRecords | None:
    """Read the county bureau's latest accepted records back from the file store."""
    from heateval.settings import get_settings
    from intake.archive import ReceivedFile
    from intake.filestore import stored_path
    from intake.schema import BUREAU_TABLES
    from intake.sniff import ArchiveLimits, sniff
    from intake.tables import read_table
    from storage.models import SubmissionFile

    submission = latest_submission(session, season_id, "bureau", county)
    if submission is None:
        return None
    settings = get_settings()
    files_dir = files_dir or settings.files_dir
    limits = ArchiveLimits.from_settings(settings)
    records = BureauRecords()
    files = session.scalars(
        select(SubmissionFile).where(SubmissionFile.submission_id == submission.id)
    ).all()
    for stored in files:
        spec = BUREAU_TABLES.get(stored.role)
        if spec is None:
            continue
        local = stored_path(files_dir, stored.sha256)
        item = ReceivedFile(
            path=stored.path,
            local_path=local,
            sha256=stored.sha256,
            size=local.stat().st_size,
            kind=sniff(local, limits).kind,
        )
        setattr(records, stored.role, read_table(item, spec).frame())
    return records


# Re-checking a stored submission ----------------------------------------------


def stored_package(session: Session, submission_id: int, files_dir: Path) -> Any:
    """Rebuild the received package of a stored submission from the file store."""
    from heateval.settings import get_settings
    from intake.archive import ReceivedFile
    from intake.filestore import stored_path
    from intake.sniff import sniff
    from storage.models import Submission, SubmissionFile

    submission = session.get(Submission, submission_id)
    if submission is None:
        raise LookupError(f"submission {submission_id} not found")
    limits = ArchiveLimits.from_settings(get_settings())
    files = []
    rows = session.scalars(
        select(SubmissionFile)
        .where(SubmissionFile.submission_id == submission_id)
        .order_by(SubmissionFile.path)
    ).all()
    for row in rows:
        if row.role == "archive":
            continue
        local = stored_path(files_dir, row.sha256)
        files.append(
            ReceivedFile(
                path=row.path,
                local_path=local,
                sha256=row.sha256,
                size=local.stat().st_size,
                kind=sniff(local, limits).kind,
            )
        )
    return ReceivedPackage(
        name=submission.package_name, source_path=Path(files_dir), files=files
    )


def recheck_submission(
    session: Session,
    submission_id: int,
    *,
    settings: Any = None,
    rulebook: Any = None,
    today: Any = None,
) -> CheckResult:
    """Check a stored submission again against the records stored now.

    Use it after the county bureau's records arrive or change: the hotline
    reconciliation and the inspection findings then count. The submission's
    findings are replaced and its figures updated (removed when a blocking defect
    is found now), in the caller's transaction.
    """
    from heateval.settings import get_settings
    from rules.rulebook import load_rulebook
    from storage.hashing import content_hash
    from storage.models import Finding, Season, Submission, VerifiedFigures

    settings = settings or get_settings()
    rulebook = rulebook or load_rulebook(settings.rulebook)
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise LookupError(f"submission {submission_id} not found")
    season = session.get(Season, submission.season_id)
    received = stored_package(session, submission_id, settings.files_dir)

    def resolve(parsed: ParsedPackage, season_: str, county_: str) -> CheckInputs:
        return inputs_from_session(session, parsed, season_, county_)

    result = check_package(
        received,
        source=submission.source,
        season=season.label,
        county=submission.county_code if submission.source == "bureau" else None,
        rulebook=rulebook,
        inputs=resolve,
        today=today,
    )
    for finding in session.scalars(
        select(Finding).where(Finding.submission_id == submission_id)
    ):
        session.delete(finding)
    for defect in result.defects:
        session.add(finding_row(submission_id, defect))
    stored = session.scalar(
        select(VerifiedFigures).where(VerifiedFigures.submission_id == submission_id)
    )
    if result.figures is None or submission.enterprise_id is None:
        if stored is not None:
            session.delete(stored)
    else:
        figures = result.figures.model_dump(mode="json")
        if stored is None:
            stored = VerifiedFigures(
                submission_id=submission_id,
                enterprise_id=submission.enterprise_id,
                season_id=submission.season_id,
            )
            session.add(stored)
        stored.figures = figures
        stored.input_hash = content_hash(figures)
    submission.checked_at = datetime.now(UTC)
    session.flush()
    return result
