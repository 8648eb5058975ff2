"""Storing packages: content-addressed files, versions, idempotency, late marking,
and rejected packages that leave the database unchanged."""

from __future__ import annotations

import shutil
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import storage.models  # noqa: F401  (registers every table)
from heateval.settings import get_settings
from intake.filestore import stored_path
from intake.store import submit_package
from rules.rulebook import load_rulebook
from storage.base import Base
from storage.db import make_engine, session_scope
from storage.migrate import load_reference_data
from storage.models import (
    Enterprise,
    Evidence,
    Finding,
    LedgerEntry,
    StoredFile,
    Submission,
    SubmissionFile,
    VerifiedFigures,
)
from tests.intake.builders import (
    COUNTY,
    CREDIT_CODE,
    OTHER_CODE,
    SEASON,
    build_bureau_package,
    build_enterprise_package,
)

pytestmark = pytest.mark.slow  # each submit runs the GX suites: seconds per test

SHANGHAI = ZoneInfo("Asia/Shanghai")
# County 150402's season ends 2026-04-15; 30 days later, 2026-05-15, is a Friday.
ON_TIME = datetime(2026, 5, 15, 23, 59, tzinfo=SHANGHAI)
LATE = datetime(2026, 5, 16, 0, 0, tzinfo=SHANGHAI)


@pytest.fixture
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 't.db'}"
    Base.metadata.create_all(make_engine(url))
    with session_scope(url) as session:
        load_reference_data(session)
    return url


def count(url: str, model) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model))


def submit(path: Path, url: str, **kwargs):
    kwargs.setdefault("received_at", ON_TIME)
    return submit_package(path, season=SEASON, db_url=url, **kwargs)


def zip_folder(root: Path, target: Path, *, top: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(root.rglob("*")):
            if file.is_file():
                archive.write(file, top + file.relative_to(root).as_posix())
    return target


def test_accepted_package_stored(tmp_path, db):
    root = build_enterprise_package(tmp_path / "pkg")
    outcome = submit(root, db)
    assert outcome.accepted, outcome.defects
    assert outcome.version == 1
    assert outcome.late is False
    assert outcome.duplicate is False
    with session_scope(db) as session:
        submission = session.get(Submission, outcome.submission_id)
        assert submission.owner_key == CREDIT_CODE
        assert submission.county_code == COUNTY
        assert submission.source == "enterprise"
        enterprise = session.scalar(select(Enterprise))
        assert enterprise.credit_code == CREDIT_CODE
        assert enterprise.type == "heating"
        assert submission.enterprise_id == enterprise.id
    assert count(db, SubmissionFile) == 12  # 1 workbook, 6 tables, readings, 4 evidence
    assert count(db, Evidence) == 4
    assert count(db, VerifiedFigures) == 1
    # The submission, and the enterprise it registered.
    assert count(db, LedgerEntry) == 2


def test_files_kept_byte_for_byte(tmp_path, db):
    root = build_enterprise_package(tmp_path / "pkg")
    outcome = submit(root, db)
    files_dir = get_settings().files_dir
    with session_scope(db) as session:
        row = session.scalar(
            select(SubmissionFile).where(SubmissionFile.path == "tables/outages.csv")
        )
        sha = row.sha256
        assert session.get(StoredFile, sha).media_type == "text/csv"
    original = (root / "tables" / "outages.csv").read_bytes()
    assert stored_path(files_dir, sha).read_bytes() == original
    assert outcome.package_sha256 != sha


def test_same_content_again_is_a_no_op(tmp_path, db):
    root = build_enterprise_package(tmp_path / "pkg")
    first = submit(root, db)
    again = submit(zip_folder(root, tmp_path / "again.zip", top="pkg/"), db)
    assert again.accepted
    assert again.duplicate is True
    assert again.submission_id == first.submission_id
    assert count(db, Submission) == 1
    assert count(db, LedgerEntry) == 2  # the first submission and its enterprise


def test_new_content_is_a_new_version(tmp_path, db):
    root = build_enterprise_package(tmp_path / "pkg")
    first = submit(root, db)
    (root / "evidence" / "B2").mkdir()
    shutil.copy(
        root / "evidence" / "C1.4" / "scan.pdf", root / "evidence" / "B2" / "award.pdf"
    )
    second = submit(root, db)
    assert second.version == 2
    assert second.submission_id != first.submission_id
    assert count(db, Submission) == 2


def test_late_package_accepted_and_marked(tmp_path, db):
    outcome = submit(build_enterprise_package(tmp_path / "pkg"), db, received_at=LATE)
    assert outcome.accepted
    assert outcome.late is True
    with session_scope(db) as session:
        submission = session.get(Submission, outcome.submission_id)
        assert submission.late is True
        assert submission.received_at == LATE


def assert_database_empty(url: str) -> None:
    for model in (Submission, StoredFile, Enterprise, Finding, LedgerEntry, Evidence):
        assert count(url, model) == 0, model.__name__


def test_hostile_zip_leaves_database_unchanged(tmp_path, db):
    zipped = tmp_path / "evil.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("../../etc/cron.d/x", b"* * * * * root sh\n")
    outcome = submit(zipped, db)
    assert outcome.accepted is False
    assert [d.rule for d in outcome.defects] == ["archive.path_traversal"]
    assert_database_empty(db)
    kept = stored_path(get_settings().files_dir, outcome.package_sha256)
    assert kept.read_bytes() == zipped.read_bytes()
    assert outcome.receipt is not None
    assert outcome.receipt.exists()


def test_unreadable_cell_rejects_package(tmp_path, db):
    root = build_enterprise_package(tmp_path / "pkg")
    path = root / "tables" / "drills.csv"
    path.write_text(path.read_text().replace("2025-12-10", "去年冬天"))
    outcome = submit(root, db)
    assert outcome.accepted is False
    blocking = [d for d in outcome.defects if d.severity == "blocking"]
    assert [(d.file, d.row, d.column, d.value) for d in blocking] == [
        ("tables/drills.csv", 3, "held_on", "去年冬天")
    ]
    assert_database_empty(db)


def test_county_mismatch_rejected(tmp_path, db):
    with session_scope(db) as session:
        session.add(
            Enterprise(
                credit_code=CREDIT_CODE, name="x", county_code="150403", type="heating"
            )
        )
    outcome = submit(build_enterprise_package(tmp_path / "pkg"), db)
    mismatches = [d for d in outcome.defects if d.rule == "enterprise.county_mismatch"]
    assert outcome.accepted is False
    assert len(mismatches) == 1
    assert mismatches[0].value == COUNTY
    assert count(db, Submission) == 0


def test_check_reports_county_mismatch(tmp_path, db):
    from intake.check import check_path
    from intake.sniff import ArchiveLimits
    from intake.store import lookup_inputs

    with session_scope(db) as session:
        session.add(
            Enterprise(
                credit_code=CREDIT_CODE, name="x", county_code="150403", type="heating"
            )
        )
    result = check_path(
        build_enterprise_package(tmp_path / "pkg"),
        source="enterprise",
        season=None,
        county=None,
        rulebook=load_rulebook(),
        limits=ArchiveLimits.from_settings(get_settings()),
        inputs=lambda parsed, season, county: lookup_inputs(db, parsed, season, county),
    )
    rules = {d.rule for d in result.defects}
    assert result.accepted is False
    assert "enterprise.county_mismatch" in rules


def test_bureau_records_stored_and_reconciled(tmp_path, db):
    # The bureau's records may name only enterprises registered in its county.
    with session_scope(db) as session:
        for code in (CREDIT_CODE, OTHER_CODE):
            session.add(
                Enterprise(
                    credit_code=code, name=code, county_code=COUNTY, type="heating"
                )
            )
    bureau = submit(
        build_bureau_package(tmp_path / "bureau"), db, source="bureau", county=COUNTY
    )
    assert bureau.accepted, bureau.defects
    assert bureau.owner_key == COUNTY
    outcome = submit(build_enterprise_package(tmp_path / "pkg"), db)
    assert outcome.accepted
    # Hotline ticket 12345-2 is missing from the enterprise's complaint ledger.
    hotline = [d for d in outcome.defects if "12345-2" in (d.value or "") + d.message]
    assert len(hotline) == 1
    with session_scope(db) as session:
        figures = session.scalar(select(VerifiedFigures)).figures
    assert figures["findings_total"] == 2
    assert figures["findings_fixed_on_time"] == 1


def test_recheck_counts_later_bureau_records(tmp_path, db):
    from intake.store import recheck_submission

    with session_scope(db) as session:
        for code in (CREDIT_CODE, OTHER_CODE):
            session.add(
                Enterprise(
                    credit_code=code, name=code, county_code=COUNTY, type="heating"
                )
            )
    outcome = submit(build_enterprise_package(tmp_path / "pkg"), db)
    submit(
        build_bureau_package(tmp_path / "bureau"), db, source="bureau", county=COUNTY
    )
    with session_scope(db) as session:
        result = recheck_submission(session, outcome.submission_id)
    assert result.figures.findings_total == 2
    with session_scope(db) as session:
        figures = session.scalar(
            select(VerifiedFigures).where(
                VerifiedFigures.submission_id == outcome.submission_id
            )
        ).figures
        messages = session.scalars(
            select(Finding.message).where(
                Finding.submission_id == outcome.submission_id
            )
        ).all()
    assert figures["findings_fixed_on_time"] == 1
    assert sum("12345-2" in message for message in messages) == 1
