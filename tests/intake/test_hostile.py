"""Every kind of hostile or malformed package is rejected with its message, and
nothing is stored in the database (the received files are kept as received)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import storage.models  # noqa: F401  (registers every table)
from heateval.settings import reset_settings
from intake.store import submit_package
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
from tests.intake.builders import SEASON
from tests.intake.hostile.packages import HOSTILE, MALFORMED

RECEIVED = datetime(2026, 5, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TABLES = (
    Submission,
    SubmissionFile,
    StoredFile,
    Enterprise,
    Evidence,
    Finding,
    VerifiedFigures,
    LedgerEntry,
)


@pytest.fixture
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 't.db'}"
    Base.metadata.create_all(make_engine(url))
    with session_scope(url) as session:
        load_reference_data(session)
    return url


@pytest.fixture
def small_file_limit(monkeypatch):
    monkeypatch.setenv("HEATEVAL_ARCHIVE_MAX_FILE_BYTES", str(64 * 1024))
    reset_settings()


def rejected_with(path, db, rule, text):
    outcome = submit_package(path, season=SEASON, db_url=db, received_at=RECEIVED)
    assert outcome.accepted is False
    blocking = [d for d in outcome.defects if d.severity == "blocking"]
    assert [d.rule for d in blocking] == [rule]
    assert text in blocking[0].message
    with session_scope(db) as session:
        for model in TABLES:
            rows = session.scalar(select(func.count()).select_from(model))
            assert rows == 0, model.__name__
    assert outcome.receipt.exists()
    return outcome


@pytest.mark.parametrize("kind", sorted(set(HOSTILE) - {"file_too_large"}))
def test_hostile_package_rejected(kind, tmp_path, db):
    builder, rule, text = HOSTILE[kind]
    rejected_with(builder(tmp_path), db, rule, text)


def test_file_above_limit_rejected(tmp_path, db, small_file_limit):
    builder, rule, text = HOSTILE["file_too_large"]
    rejected_with(builder(tmp_path), db, rule, text)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_package_rejected(kind, tmp_path, db):
    builder, rule, text = MALFORMED[kind]
    rejected_with(builder(tmp_path), db, rule, text)
